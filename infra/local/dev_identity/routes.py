"""The development identity provider's routes (registered by ``app.py`` only when the stage is
``local`` and this package is importable; it is never in a Lambda artifact).

Besides the shortcuts (``/dev/token``, ``/dev/personas``) it serves the OpenID Connect
authorization-code flow with PKCE, as Госуслуги 74 does in production: discovery, ``/dev/authorize``
(with a persona chooser page standing in for the Госуслуги login page) and ``/dev/oauth/token``.
"""

# aj74:dev-only: never in a Lambda artifact (infra/packaging/build.py refuses any file holding this tag).

from __future__ import annotations

import html
import threading
from urllib.parse import parse_qsl, urlencode

from aj74.api.contract import TERRITORY_ID
from aj74.api.routing import json_response, route
from aj74.caching import process_cache
from aj74.errors import InvalidInput
from aj74.settings import get_settings
from chalice import Blueprint, Response

bp = Blueprint(__name__)

# The routes' schemas (the OpenAPI document of the local stage describes them like any other).
_STR = {"type": "string"}
_INT = {"type": "integer"}
_STRINGS = {"type": "array", "items": _STR}


def _object(required: dict, optional: dict | None = None) -> dict:
    """As ``aj74.api.contract`` builds an object schema: ``required`` fields, then ``optional`` ones."""
    return {"type": "object", "required": list(required), "properties": {**required, **(optional or {})}}


DEV_PERSONAS = _object({"personas": {"type": "array", "items": _object(
    {"persona": _STR, "title": _STR, "sub": _STR, "roles": _STRINGS, "role_titles": _STRINGS,
     "territory_id": _STR, "territory_name": _STR},
    {"birth_year": _INT, "gender": _STR, "scope_territory_ids": _STRINGS, "name": _STR})}})
DEV_JWKS = _object({"keys": {"type": "array", "items": _object({"kty": _STR, "kid": _STR, "use": _STR, "alg": _STR},
                                                               {"crv": _STR, "x": _STR, "y": _STR})}})
DEV_DISCOVERY = _object({name: _STR for name in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri")},
                        {name: _STRINGS for name in (
                            "response_types_supported", "grant_types_supported", "subject_types_supported",
                            "id_token_signing_alg_values_supported", "code_challenge_methods_supported",
                            "token_endpoint_auth_methods_supported", "scopes_supported")})
DEV_TOKEN_REQUEST = {
    "description": "Персона или явные атрибуты (как их выдал бы поставщик удостоверений).",
    "oneOf": [
        {"type": "object", "required": ["persona"], "additionalProperties": False,
         "properties": {"persona": {"type": "string", "maxLength": 64},
                        "lifetime_seconds": {"type": "integer", "minimum": -86400, "maximum": 28800}}},
        {"type": "object", "required": ["sub"], "additionalProperties": False,
         "properties": {"sub": {"type": "string", "minLength": 1, "maxLength": 64},
                        "roles": {"type": "array", "minItems": 1, "maxItems": 8, "items": {"type": "string"}},
                        "territory_id": {"type": "string", "pattern": TERRITORY_ID},
                        "birth_year": {"type": "integer", "minimum": 1900, "maximum": 2030},
                        "gender": {"enum": ["f", "m"]},
                        "scope_territory_ids": {"type": "array", "maxItems": 50,
                                                "items": {"type": "string", "pattern": TERRITORY_ID}},
                        "name": {"type": "string", "maxLength": 200},
                        "lifetime_seconds": {"type": "integer", "minimum": -86400, "maximum": 28800}}},
    ],
}
DEV_TOKEN = {"type": "object", "required": ["access_token", "token_type", "expires_in"],
             "properties": {"access_token": {"type": "string"}, "token_type": {"const": "Bearer"},
                            "expires_in": {"type": "integer"}}}
_lock = threading.Lock()


@process_cache(maxsize=1)
def _provider():
    from infra.local.dev_identity.provider import ADMIN_CLIENT_ID, RESIDENT_CLIENT_ID, DevIdentityProvider

    settings = get_settings()
    clients = {ADMIN_CLIENT_ID: (f"{settings.admin_origin}/",)}
    if settings.resident_origin:
        clients[RESIDENT_CLIENT_ID] = (f"{settings.resident_origin}/",)
    return DevIdentityProvider(settings.oidc_issuer, settings.oidc_audience, clients=clients)


def provider():
    with _lock:
        return _provider()


@route(bp, "/dev/token", methods=("POST",), auth=False, summary="Токен тестовой учётной записи (только локально)",
       body=DEV_TOKEN_REQUEST, response=DEV_TOKEN, rate_limit="dev-token")
def dev_token(ctx):
    from infra.local.dev_identity.provider import TOKEN_LIFETIME_SECONDS

    idp = provider()
    body = ctx.body()
    # Tests ask for short-lived or already expired tokens (negative lifetime) to check refusals.
    lifetime = body.pop("lifetime_seconds", TOKEN_LIFETIME_SECONDS)
    if not isinstance(lifetime, int) or isinstance(lifetime, bool) or not -86400 <= lifetime <= TOKEN_LIFETIME_SECONDS:
        raise InvalidInput("lifetime_seconds: целое число от -86400 до 28800.",
                           errors=[{"field": "lifetime_seconds", "detail": "от -86400 до 28800"}])
    claims = idp.claims_for(body)
    return {"access_token": idp.mint(claims, lifetime=lifetime), "token_type": "Bearer", "expires_in": lifetime}


@route(bp, "/dev/personas", auth=False, summary="Тестовые учётные записи (только локально)",
       response=DEV_PERSONAS)
def dev_personas(ctx):
    return {"personas": provider().personas()}


@route(bp, "/dev/jwks.json", auth=False, summary="Открытые ключи тестового поставщика (только локально)",
       response=DEV_JWKS)
def dev_jwks(ctx):
    return provider().jwks()


# ------------------------------------------------------------------ OpenID Connect


_AUTHORIZE_QUERY = {name: {"type": "string", "maxLength": 512, "description": text} for name, text in {
    "response_type": "Только code.",
    "client_id": "Идентификатор приложения (кабинет — aj74-admin).",
    "redirect_uri": "Зарегистрированный адрес возврата.",
    "scope": "openid.",
    "state": "Значение, которое вернётся в адрес возврата без изменений (защита от CSRF).",
    "nonce": "Значение, которое попадёт в id_token.",
    "code_challenge": "PKCE: BASE64URL(SHA-256(code_verifier)), 43 символа.",
    "code_challenge_method": "Только S256.",
    "persona": "Тестовая учётная запись; без неё показывается страница выбора.",
}.items()}
_TOKEN_RESPONSE = {"type": "object", "required": ["access_token", "id_token", "token_type", "expires_in"],
                   "properties": {"access_token": {"type": "string"}, "id_token": {"type": "string"},
                                  "token_type": {"const": "Bearer"}, "expires_in": {"type": "integer"}}}
# The chooser page is static markup: no script, no style, nothing to load, no form.
_PAGE_CSP = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'"


@route(bp, "/dev/.well-known/openid-configuration", auth=False,
       summary="Метаданные тестового поставщика OpenID Connect (только локально)", response=DEV_DISCOVERY)
def dev_openid_configuration(ctx):
    return provider().discovery()


@route(bp, "/dev/authorize", auth=False, cors=False, query=_AUTHORIZE_QUERY, problems=(400,),
       media_type="text/html", response={"type": "string"},
       summary="Вход: код авторизации с PKCE S256 (только локально)",
       description="Без persona — страница выбора тестовой учётной записи (вместо страницы входа Госуслуг); "
                   "с persona — переадресация на redirect_uri с code и state.")
def dev_authorize(ctx):
    from infra.local.dev_identity.provider import OAuthError

    idp = provider()
    params = {k: v for k, v in ctx.query.items() if k != "persona"}
    try:
        request = idp.authorization_request(params)
    except OAuthError as exc:
        if not exc.redirect:
            raise
        # The client is registered, so it learns of the refusal at its redirect URI (RFC 6749 §4.1.2.1).
        return _redirect(params["redirect_uri"], {"error": exc.error, "state": params.get("state", "")})
    persona = ctx.query.get("persona")
    if persona is None:
        return _chooser_page(idp.personas(), params)
    return _redirect(request.redirect_uri, {"code": idp.issue_code(request, persona), "state": request.state})


@route(bp, "/dev/oauth/token", methods=("POST",), auth=False, problems=(400,), response=_TOKEN_RESPONSE,
       rate_limit="dev-token", summary="Обмен кода авторизации на токены (только локально)",
       description="Тело — application/x-www-form-urlencoded (RFC 6749 §4.1.3): grant_type=authorization_code, "
                   "code, redirect_uri, client_id, code_verifier. Ошибки — 400 с полем error по RFC 6749 §5.2.")
def dev_oauth_token(ctx):
    from infra.local.dev_identity.provider import OAuthError

    content_type = (ctx.headers.get("content-type") or "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        raise OAuthError("invalid_request", "Ожидается тело application/x-www-form-urlencoded.")
    raw = ctx.request.raw_body or b""
    try:
        form = dict(parse_qsl(raw.decode("utf-8"), strict_parsing=bool(raw)))
    except (UnicodeDecodeError, ValueError) as exc:
        raise OAuthError("invalid_request", "Тело запроса не разобрано как форма.") from exc
    # Tokens must not be cached anywhere on the way (RFC 6749 §5.1).
    return json_response(provider().exchange_code(form), headers={"Cache-Control": "no-store", "Pragma": "no-cache"})


def _redirect(redirect_uri: str, params: dict[str, str]) -> Response:
    return Response(body="", status_code=302,
                    headers={"Location": f"{redirect_uri}?{urlencode(params)}", "Cache-Control": "no-store"})


def _chooser_page(personas: list[dict], params: dict[str, str]) -> Response:
    """The Russian persona chooser: one link per persona, each repeating the checked request."""
    items = "\n".join(
        f'<li><a href="/dev/authorize?{html.escape(urlencode({**params, "persona": p["persona"]}))}">'
        f'{html.escape(p["title"])}</a> — {html.escape(", ".join(p["role_titles"]))}, '
        f'{html.escape(p["territory_name"])}</li>'
        for p in personas
    )
    page = f"""<!doctype html>
<html lang="ru">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer"><title>Вход — тестовый поставщик удостоверений</title></head>
<body>
<main>
<h1>Вход через тестовый поставщик удостоверений</h1>
<p>Локальная разработка: эта страница заменяет страницу входа Госуслуг 74. Выберите учётную запись.</p>
<ul>
{items}
</ul>
</main>
</body>
</html>
"""
    return Response(body=page, status_code=200, headers={
        "Content-Type": "text/html; charset=utf-8", "Content-Security-Policy": _PAGE_CSP,
        "X-Frame-Options": "DENY", "Cache-Control": "no-store", "Referrer-Policy": "no-referrer"})
