"""Request bodies validated by pydantic models, failures turned into Russian field errors.

The same models describe the API contract, so validation and documentation cannot drift.

A 422 speaks to two readers: ``errors[]`` is machine-readable (a field path such as
``questions.0.options.1.text`` and a Russian detail a form shows beside that field), and the
top-level ``detail`` is a sentence for a person that never names fields by their API names
(``summary``). A check that compares fields (closing after opening, no repeated options) raises
``FieldProblem`` from the model's validator so that its error names the field it is about, once.
"""

from __future__ import annotations

import importlib
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


class FieldProblem(ValueError):
    """A model-level check about particular fields: raised from a ``model_validator``, each problem
    is reported at its field path (relative to the model that raised it) instead of at the model.

    ``FieldProblem("closes_at", "Окончание голосования должно быть позже начала")``, or several at
    once: ``FieldProblem.of([("options.1.text", "…"), ("options.3.text", "…")])``.
    """

    def __init__(self, field: str, detail: str, *more: tuple[str, str]) -> None:
        super().__init__(detail)
        self.problems: list[tuple[str, str]] = [(field, detail), *more]

    @classmethod
    def of(cls, problems: list[tuple[str, str]]) -> FieldProblem:
        first, *more = problems
        return cls(first[0], first[1], *more)


def _plural_fields(n: int) -> str:
    # The prepositional case: «в 1 поле», «в 21 поле», but «в 2 полях», «в 11 полях».
    return "поле" if n % 10 == 1 and n % 100 != 11 else "полях"


def summary(errors: list[dict]) -> str:
    """The top-level ``detail`` of a 422 with field errors: how many fields to fix, no API names."""
    if errors and all(e["field"] == "body" for e in errors):
        # Nothing to show beside a field: the problem itself is the sentence.
        return " ".join(e["detail"][:1].upper() + e["detail"][1:].rstrip(".") + "." for e in errors)
    n = len({e["field"] for e in errors})
    if n == 1:
        return "Запрос содержит ошибку в одном поле."
    return f"Запрос содержит ошибки в {n} {_plural_fields(n)}."


def invalid_fields(errors: list[dict]) -> InvalidInput:
    """InvalidInput for field errors (``{"field", "detail"}``), each listed once, with ``summary``."""
    unique: list[dict] = []
    for e in errors:
        if e not in unique:
            unique.append(e)
    return InvalidInput(summary(unique), errors=unique)


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


class LazySchemas:
    """A module of pydantic models imported on its first use: pydantic costs ~90 ms of import, so only
    the routes that parse a body pay for it (a service holds ``_schemas = LazySchemas("aj74.x.schemas")``
    and reads ``_schemas.SomeIn``)."""

    def __init__(self, module: str) -> None:
        self._module = module

    def __getattr__(self, name: str):
        return getattr(importlib.import_module(self._module), name)


def parse_model(model: type[T], data: dict) -> T:
    """An instance of ``model`` built from ``data``, or InvalidInput listing every bad field."""
    from pydantic import ValidationError

    try:
        return model.model_validate(data)
    except ValidationError as exc:
        raise invalid_fields(_field_errors(exc.errors(include_url=False))) from None


def _path(loc) -> str:
    return ".".join(str(p) for p in loc) or "body"


def _field_errors(raw: list[dict]) -> list[dict]:
    errors = []
    for e in raw:
        problem = (e.get("ctx") or {}).get("error")
        if e["type"] == "value_error" and isinstance(problem, FieldProblem):
            errors += [{"field": _path((*e["loc"], *field.split("."))), "detail": detail}
                       for field, detail in problem.problems]
        else:
            errors.append({"field": _path(e["loc"]), "detail": _detail(e)})
    return errors
