"""The development identity provider's routes (registered only when the stage is ``local``)."""

from __future__ import annotations

import threading
from functools import lru_cache

from chalice import Blueprint

from aj74.api.routing import route
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


@route(bp, "/dev/token", methods=("POST",), auth=False)
def dev_token(ctx):
    idp = provider()
    claims = idp.claims_for(ctx.body())
    return {"access_token": idp.mint(claims), "token_type": "Bearer", "expires_in": 8 * 3600}


@route(bp, "/dev/personas", auth=False)
def dev_personas(ctx):
    return {"personas": provider().personas()}


@route(bp, "/dev/jwks.json", auth=False)
def dev_jwks(ctx):
    return provider().jwks()
