"""Request plumbing shared by every route: JSON bodies with limits, bearer authentication."""

from __future__ import annotations

import json
import threading

from aj74 import errors
from aj74.caching import process_cache
from aj74.identity.principal import Principal
from aj74.settings import get_settings

MAX_BODY_BYTES = 64 * 1024
# No route takes a body nested deeper than a few levels; bounding it keeps deep nesting from
# reaching any recursive code (the JSON scanner, pydantic, the audit serialiser).
MAX_BODY_DEPTH = 32


def parse_json_body(raw: bytes | None, content_type: str | None, *, max_bytes: int = MAX_BODY_BYTES) -> dict:
    """The request body as a JSON object, or a 4xx domain error that says what is wrong."""
    if raw is None or raw == b"":
        raise errors.MalformedRequest("Тело запроса пустое: ожидается JSON-объект.")
    if len(raw) > max_bytes:
        raise errors.PayloadTooLarge(f"Тело запроса больше {max_bytes // 1024} КиБ.")
    if content_type is not None and not content_type.split(";")[0].strip().lower().endswith("json"):
        raise errors.UnsupportedMediaType("Ожидается Content-Type: application/json.")
    try:
        body = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.MalformedRequest("Тело запроса не является корректным JSON в UTF-8.") from exc
    except RecursionError as exc:
        # A few kilobytes of "[" exhaust the parser's recursion limit.
        raise _too_deep() from exc
    if not isinstance(body, dict):
        raise errors.MalformedRequest("Ожидается JSON-объект.")
    if _depth(body) > MAX_BODY_DEPTH:
        raise _too_deep()
    return body


def _too_deep() -> errors.MalformedRequest:
    return errors.MalformedRequest(f"Тело запроса вложено слишком глубоко (не более {MAX_BODY_DEPTH} уровней).")


def _depth(value) -> int:
    """Nesting depth of parsed JSON, walked without recursion."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        node, level = stack.pop()
        deepest = max(deepest, level)
        if isinstance(node, dict):
            stack.extend((v, level + 1) for v in node.values())
        elif isinstance(node, list):
            stack.extend((v, level + 1) for v in node)
    return deepest


_verifier_lock = threading.Lock()


@process_cache(maxsize=1)
def _verifier():
    # Imported here, not at module import: jwt and cryptography cost cold-start time.
    from aj74.identity.tokens import JwksCache, TokenVerifier, fetch_jwks_over_http

    settings = get_settings()
    jwks = JwksCache(lambda: fetch_jwks_over_http(settings.oidc_jwks_url))
    return TokenVerifier(settings.oidc_issuer, settings.oidc_audience, jwks, settings.clock_skew_seconds)


def bearer_token(headers) -> str:
    value = headers.get("authorization") if headers else None
    if not value:
        raise errors.Unauthenticated("Нужен заголовок Authorization: Bearer <токен>.", code="token-missing")
    scheme, _, token = value.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise errors.Unauthenticated("Заголовок Authorization должен иметь вид Bearer <токен>.",
                                     code="token-missing")
    return token.strip()


def authenticate(headers) -> Principal:
    """The verified caller for a request's headers."""
    token = bearer_token(headers)
    with _verifier_lock:
        verifier = _verifier()
    return verifier.verify(token)


def require_role(principal: Principal, *roles: str) -> None:
    if not any(principal.has_role(r) for r in roles):
        from aj74.identity.roles import titles

        needed = ", ".join(titles(roles))
        raise errors.Forbidden(f"Действие доступно только ролям: {needed}.", code="role-required")
