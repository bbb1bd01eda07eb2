"""The development identity provider's routes (registered only when the stage is ``local``)."""

from __future__ import annotations

import threading
from functools import lru_cache

from chalice import Blueprint

from aj74.api import contract
from aj74.api.routing import route
from aj74.errors import InvalidInput
from aj74.settings import get_settings

bp = Blueprint(__name__)
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _provider():
    from aj74.identity.dev_provider import DevIdentityProvider

    settings = get_settings()
    return DevIdentityProvider(settings.oidc_issuer, settings.oidc_audience)


def provider():
    with _lock:
        return _provider()


@route(bp, "/dev/token", methods=("POST",), auth=False, summary="Токен тестовой учётной записи (только локально)",
       body=contract.DEV_TOKEN_REQUEST, response=contract.DEV_TOKEN, rate_limit="dev-token")
def dev_token(ctx):
    from aj74.identity.dev_provider import TOKEN_LIFETIME_SECONDS

    idp = provider()
    body = ctx.body()
    # Tests ask for short-lived or already expired tokens (negative lifetime) to check refusals.
    lifetime = body.pop("lifetime_seconds", TOKEN_LIFETIME_SECONDS)
    if not isinstance(lifetime, int) or isinstance(lifetime, bool) or not -86400 <= lifetime <= TOKEN_LIFETIME_SECONDS:
        raise InvalidInput("lifetime_seconds: целое число от -86400 до 28800.",
                           errors=[{"field": "lifetime_seconds", "detail": "от -86400 до 28800"}])
    claims = idp.claims_for(body)
    return {"access_token": idp.mint(claims, lifetime=lifetime), "token_type": "Bearer", "expires_in": lifetime}


@route(bp, "/dev/personas", auth=False, summary="Тестовые учётные записи (только локально)", response=contract.OBJECT)
def dev_personas(ctx):
    return {"personas": provider().personas()}


@route(bp, "/dev/jwks.json", auth=False, summary="Открытые ключи тестового поставщика (только локально)",
       response=contract.OBJECT)
def dev_jwks(ctx):
    return provider().jwks()
