"""HTTP middleware: a correlation id per request, an access log line, and problem+json for every
error response Chalice produces itself (unsupported media type, unhandled exceptions)."""

from __future__ import annotations

import time

from chalice import Response

from aj74.api import problems
from aj74.observability import logger

_CHALICE_ERRORS = {
    400: ("malformed-request", "Некорректный запрос."),
    403: ("forbidden", "Доступ запрещён."),
    404: ("not-found", "Ресурс не найден."),
    405: ("method-not-allowed", "Метод не поддерживается для этого адреса."),
    415: ("unsupported-media-type", "Ожидается Content-Type: application/json."),
}


def _as_problem(response: Response, path: str) -> Response:
    if response.status_code >= 500:
        body = problems.internal_error_body(path)
    else:
        code, detail = _CHALICE_ERRORS.get(response.status_code, ("error", "Запрос не может быть выполнен."))
        body = problems.problem_body(response.status_code, "Ошибка запроса", detail, code, path)
    headers = {k: v for k, v in (response.headers or {}).items() if k.lower() != "content-type"}
    headers["Content-Type"] = problems.PROBLEM_CONTENT_TYPE
    return Response(body=problems.dumps(body), status_code=response.status_code, headers=headers)


def problems_and_correlation(event, get_response):
    started = time.perf_counter()
    request_id = (event.context or {}).get("requestId") or event.headers.get("x-request-id")
    logger.set_correlation_id(request_id)
    response = get_response(event)
    content_type = next((v for k, v in (response.headers or {}).items() if k.lower() == "content-type"), "")
    if response.status_code >= 400 and "problem+json" not in content_type:
        response = _as_problem(response, event.path)
    # Never the query string or headers: they may carry tokens or personal data.
    logger.info("request", method=event.method, route=event.path, status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 1))
    return response
