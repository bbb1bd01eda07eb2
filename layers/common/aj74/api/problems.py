"""The one place where domain exceptions become RFC 9457 ``application/problem+json`` responses."""

from __future__ import annotations

import json

from aj74 import errors

PROBLEM_CONTENT_TYPE = "application/problem+json"

# Most specific first: the first matching class wins.
_STATUS: list[tuple[type[errors.DomainError], int, str]] = [
    (errors.MalformedRequest, 400, "Некорректный запрос"),
    (errors.PayloadTooLarge, 413, "Слишком большой запрос"),
    (errors.UnsupportedMediaType, 415, "Неподдерживаемый формат"),
    (errors.InvalidInput, 422, "Ошибка в данных запроса"),
    (errors.Unauthenticated, 401, "Требуется вход"),
    (errors.Forbidden, 403, "Доступ запрещён"),
    (errors.NotFound, 404, "Не найдено"),
    (errors.Conflict, 409, "Конфликт"),
    (errors.RateLimited, 429, "Слишком много запросов"),
    (errors.Unavailable, 503, "Сервис временно недоступен"),
]


def status_for(exc: errors.DomainError) -> tuple[int, str]:
    for cls, status, title in _STATUS:
        if isinstance(exc, cls):
            return status, title
    return 400, "Ошибка"


def problem_body(status: int, title: str, detail: str, code: str, instance: str | None = None,
                 **extra) -> dict:
    body = {"type": f"/problems/{code}", "title": title, "status": status, "detail": detail, "code": code}
    if instance:
        body["instance"] = instance
    body.update({k: v for k, v in extra.items() if v is not None})
    return body


def problem_for(exc: errors.DomainError, instance: str | None = None) -> tuple[int, dict, dict]:
    """(status, headers, body) for a domain exception."""
    status, title = status_for(exc)
    extra = dict(exc.extra)
    headers = {"Content-Type": PROBLEM_CONTENT_TYPE}
    if isinstance(exc, errors.InvalidInput) and exc.errors:
        extra["errors"] = exc.errors
    if isinstance(exc, errors.RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    if isinstance(exc, errors.Unauthenticated):
        headers["WWW-Authenticate"] = 'Bearer realm="aj74"'
    return status, headers, problem_body(status, title, exc.detail, exc.code, instance, **extra)


def internal_error_body(instance: str | None = None) -> dict:
    return problem_body(500, "Внутренняя ошибка", "Внутренняя ошибка сервиса. Попробуйте позже.",
                        "internal-error", instance)


def dumps(body: dict) -> str:
    return json.dumps(body, ensure_ascii=False)
