"""HTTP middleware: a correlation id per request, an access log line, problem+json for every
error response Chalice produces itself (unsupported media type, unhandled exceptions), and CORS.

CORS is answered here, not by Chalice's ``CORSConfig``: that takes one origin, and two web origins
call the API (the admin site and the resident web app). A response carries
``Access-Control-Allow-Origin`` equal to the request's ``Origin`` when it is one of them, and always
``Vary: Origin``. Preflight ``OPTIONS`` requests reach the function (template.yaml routes them here;
API Gateway's own CORS mock can echo only one origin) and are answered without running a view
(docs/decisions/011-api-contract-and-limits.md).
"""

from __future__ import annotations

import time

from chalice import Response

from aj74.api import problems
from aj74.observability import logger
from aj74.settings import get_settings

ALLOW_HEADERS = "Authorization,Content-Type,Idempotency-Key,If-Match"
EXPOSE_HEADERS = "ETag,Retry-After,Location"
PREFLIGHT_MAX_AGE = "600"
# (path template -> methods) of the routes that allow CORS; aj74.api.routing.route() fills it.
CORS_ROUTES: dict[str, set[str]] = {}

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


def allowed_origins() -> tuple[str, ...]:
    """The web origins CORS allows: the admin site's and the resident web app's."""
    settings = get_settings()
    return tuple(o for o in (settings.admin_origin, settings.resident_origin) if o)


def _resource_path(event) -> str | None:
    return (event.context or {}).get("resourcePath")


def cors_headers(origin: str | None, resource_path: str | None) -> dict[str, str]:
    """The CORS headers of an answer to ``origin`` on a route; empty for a route without CORS."""
    if resource_path not in CORS_ROUTES:
        return {}
    headers = {"Vary": "Origin"}
    if origin and origin in allowed_origins():
        headers |= {"Access-Control-Allow-Origin": origin, "Access-Control-Expose-Headers": EXPOSE_HEADERS}
    return headers


def preflight(event) -> Response:
    """The answer to ``OPTIONS``: the route's methods, and the CORS grant when the origin is allowed."""
    path = _resource_path(event)
    methods = sorted(CORS_ROUTES.get(path, ())) + ["OPTIONS"]
    headers = {"Allow": ",".join(methods), **cors_headers(event.headers.get("origin"), path)}
    if "Access-Control-Allow-Origin" in headers:
        headers |= {"Access-Control-Allow-Methods": ",".join(methods), "Access-Control-Allow-Headers": ALLOW_HEADERS,
                    "Access-Control-Max-Age": PREFLIGHT_MAX_AGE}
        headers.pop("Access-Control-Expose-Headers", None)
    return Response(body="", status_code=204, headers=headers)


def _with_cors(response: Response, event) -> Response:
    extra = cors_headers(event.headers.get("origin"), _resource_path(event))
    if not extra:
        return response
    headers = {k: v for k, v in (response.headers or {}).items() if k.lower() != "access-control-allow-origin"}
    vary = next((v for k, v in headers.items() if k.lower() == "vary"), None)
    headers = {k: v for k, v in headers.items() if k.lower() != "vary"}
    if vary and "origin" not in vary.lower():
        extra["Vary"] = f"{vary}, Origin"
    elif vary:
        extra["Vary"] = vary
    response.headers = {**headers, **extra}
    return response


def problems_and_correlation(event, get_response):
    started = time.perf_counter()
    request_id = (event.context or {}).get("requestId") or event.headers.get("x-request-id")
    logger.set_correlation_id(request_id)
    if event.method == "OPTIONS" and _resource_path(event) in CORS_ROUTES:
        response = preflight(event)
    else:
        response = get_response(event)
    content_type = next((v for k, v in (response.headers or {}).items() if k.lower() == "content-type"), "")
    if response.status_code >= 400 and "problem+json" not in content_type:
        response = _as_problem(response, event.path)
    response = _with_cors(response, event)
    # Never the query string or headers: they may carry tokens or personal data.
    logger.info("request", method=event.method, route=event.path, status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 1))
    return response
