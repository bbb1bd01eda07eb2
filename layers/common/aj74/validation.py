"""Request bodies validated by pydantic models, failures turned into Russian field errors.

The same models describe the API contract, so validation and documentation cannot drift.
"""

from __future__ import annotations

from typing import TypeVar

from aj74.errors import InvalidInput

T = TypeVar("T")

_MESSAGES = {
    "missing": "обязательное поле",
    "extra_forbidden": "неизвестное поле",
    "string_type": "ожидается строка",
    "int_type": "ожидается целое число",
    "int_parsing": "ожидается целое число",
    "bool_type": "ожидается true или false",
    "list_type": "ожидается список",
    "model_type": "ожидается объект",
    "dict_type": "ожидается объект",
    "datetime_type": "ожидается дата и время ISO 8601",
    "datetime_parsing": "ожидается дата и время ISO 8601 со смещением",
    "datetime_from_date_parsing": "ожидается дата и время ISO 8601 со смещением",
    "timezone_aware": "укажите смещение часового пояса, например +05:00",
    "string_pattern_mismatch": "неверный формат",
    "url_parsing": "неверный адрес",
    "url_scheme": "адрес должен начинаться с https://",
}


def _detail(error: dict) -> str:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    if kind == "value_error":
        return str(ctx.get("error", error["msg"]))
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return "поле не может быть пустым"
        return f"минимум {ctx.get('min_length')} символов"
    if kind == "string_too_long":
        return f"максимум {ctx.get('max_length')} символов"
    if kind == "too_short":
        return f"элементов должно быть не меньше: {ctx.get('min_length')}"
    if kind == "too_long":
        return f"элементов должно быть не больше: {ctx.get('max_length')}"
    if kind in ("greater_than_equal", "greater_than"):
        return f"значение должно быть не меньше {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"значение должно быть не больше {ctx.get('le', ctx.get('lt'))}"
    if kind in ("literal_error", "enum"):
        expected = str(ctx.get("expected", "")).replace(" or ", ", ")
        return f"допустимые значения: {expected}"
    return _MESSAGES.get(kind, "неверное значение")


def parse_model(model: type[T], data: dict) -> T:
    """An instance of ``model`` built from ``data``, or InvalidInput listing every bad field."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        errors = [
            {"field": ".".join(str(p) for p in e["loc"]) or "body", "detail": _detail(e)}
            for e in exc.errors(include_url=False)
        ]
        raise InvalidInput("Запрос содержит ошибки: " + "; ".join(f"{e['field']}: {e['detail']}" for e in errors[:5]),
                           errors=errors) from None
