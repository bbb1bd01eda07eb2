"""The development identity provider that stands in for Госуслуги 74 on the local stack.

It holds two signing keys (the JWKS always lists both, like an issuer in the middle of a key
rotation), signs with the newer one, and mints tokens for named personas or explicit claims.
It is also a minimal OpenID Connect authorization server (discovery, the authorization-code flow
with PKCE S256 only, single-use short-lived codes kept in memory), so that the admin site's
production sign-in runs end to end locally. It is wired into the API only when the stage is
``local`` and this package is importable (a checkout, never a Lambda artifact: see ``app.py``).
"""

# aj74:dev-only: never in a Lambda artifact (infra/packaging/build.py refuses any file holding this tag).

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import jwt
from aj74.errors import InvalidInput, MalformedRequest
from aj74.identity.roles import ROLE_TITLES, ROLES
from aj74.territories import territory_tree
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

TOKEN_LIFETIME_SECONDS = 8 * 3600
# RFC 6749 §4.1.2 recommends at most ten minutes; a person on the chooser page needs seconds.
AUTHORIZATION_CODE_SECONDS = 60
# The admin site, a public client (no secret: PKCE protects its code). Its redirect URI is the
# admin origin's sign-in page, registered exactly: no prefix or pattern matching.
ADMIN_CLIENT_ID = "aj74-admin"
# The resident app, another public client, redirected back to the resident origin's page.
RESIDENT_CLIENT_ID = "aj74-resident"

# RFC 7636 §4.1: 43–128 unreserved characters; an S256 challenge is 32 bytes in base64url.
_VERIFIER = re.compile(r"[A-Za-z0-9._~-]{43,128}")
_CHALLENGE = re.compile(r"[A-Za-z0-9_-]{43}")
_MAX_PARAMETER = 512

PERSONAS: dict[str, dict] = {
    "resident-satka": {
        "title": "Жительница Сатки", "sub": "res-satka-0001", "roles": ["resident"],
        "territory_id": "gp-satka", "birth_year": 1986, "gender": "f",
    },
    # Too young for polls with an age limit: the app says why before the poll is opened.
    "resident-satka-teen": {
        "title": "Школьник из Сатки", "sub": "res-satka-0002", "roles": ["resident"],
        "territory_id": "gp-satka", "birth_year": 2015, "gender": "m",
    },
    "resident-magnitogorsk": {
        "title": "Житель Магнитогорска", "sub": "res-mgn-0001", "roles": ["resident"],
        "territory_id": "go-magnitogorsk", "birth_year": 1979, "gender": "m",
    },
    "resident-chelyabinsk": {
        "title": "Жительница Челябинска (Центральный район)", "sub": "res-chel-0001", "roles": ["resident"],
        "territory_id": "vr-tsentralny", "birth_year": 1994, "gender": "f",
    },
    "moderator-satka": {
        "title": "Модератор Саткинского района", "sub": "staff-mod-satka", "roles": ["moderator"],
        "territory_id": "gp-satka", "birth_year": 1980, "gender": "f",
        "scope_territory_ids": ["mr-satkinsky"], "name": "Ирина Соколова (модератор, Саткинский район)",
    },
    "moderator-magnitogorsk": {
        "title": "Модератор Магнитогорского городского округа", "sub": "staff-mod-mgn", "roles": ["moderator"],
        "territory_id": "go-magnitogorsk", "birth_year": 1975, "gender": "m",
        "scope_territory_ids": ["go-magnitogorsk"], "name": "Павел Кузнецов (модератор, Магнитогорск)",
    },
    "moderator-chelyabinsk": {
        "title": "Модератор Челябинского городского округа", "sub": "staff-mod-chel", "roles": ["moderator"],
        "territory_id": "vr-kalininsky", "birth_year": 1984, "gender": "f",
        "scope_territory_ids": ["go-chelyabinsk"], "name": "Наталья Егорова (модератор, Челябинск)",
    },
    "approver": {
        "title": "Согласующий, Управление по внутренней политике", "sub": "staff-approver", "roles": ["approver"],
        "territory_id": "vr-tsentralny", "birth_year": 1970, "gender": "f",
        "scope_territory_ids": ["chelyabinsk-oblast"], "name": "Елена Морозова (Управление по внутренней политике)",
    },
    # Four eyes: what one approver drafted or edited, another approves.
    "approver-2": {
        "title": "Заместитель начальника Управления по внутренней политике (согласует)", "sub": "staff-approver-2",
        "roles": ["approver"], "territory_id": "vr-kurchatovsky", "birth_year": 1977, "gender": "m",
        "scope_territory_ids": ["chelyabinsk-oblast"], "name": "Дмитрий Зайцев (Управление по внутренней политике)",
    },
    "admin": {
        "title": "Администратор Министерства информационных технологий", "sub": "staff-it-admin",
        "roles": ["admin"], "territory_id": "vr-sovetsky", "birth_year": 1988, "gender": "m",
        "scope_territory_ids": ["chelyabinsk-oblast"], "name": "Андрей Волков (Минцифры)",
    },
    "analyst": {
        "title": "Аналитик", "sub": "staff-analyst", "roles": ["analyst"],
        "territory_id": "vr-kalininsky", "birth_year": 1991, "gender": "f",
        "scope_territory_ids": ["chelyabinsk-oblast"], "name": "Ольга Белова (аналитик)",
    },
    "emergency": {
        "title": "Оператор ГУ МЧС", "sub": "staff-mchs", "roles": ["emergency"],
        "territory_id": "vr-leninsky", "birth_year": 1983, "gender": "m",
        "scope_territory_ids": ["chelyabinsk-oblast"], "name": "Сергей Орлов (ГУ МЧС)",
    },
    "partner": {
        "title": "Кассир партнёра (Челябинский зоопарк)", "sub": "partner-chelzoo-cashier", "roles": ["partner"],
        "territory_id": "vr-tsentralny", "birth_year": 1992, "gender": "f",
        "name": "Анна Лебедева (касса Челябинского зоопарка)", "partner": "Челябинский зоопарк",
    },
    # Each cashier redeems codes of its own partner only (the demo catalogue has both partners).
    "partner-parking": {
        "title": "Кассир партнёра (Парковочное пространство г. Челябинска)", "sub": "partner-parking-cashier",
        "roles": ["partner"], "territory_id": "vr-sovetsky", "birth_year": 1985, "gender": "m",
        "name": "Игорь Смирнов (касса парковочного пространства)", "partner": "Парковочное пространство г. Челябинска",
    },
}

_CLAIM_FIELDS = {"sub", "roles", "territory_id", "birth_year", "gender", "scope_territory_ids", "name", "partner"}


class OAuthError(MalformedRequest):
    """An OAuth 2.0 refusal (RFC 6749 §4.1.2.1, §5.2): a 400 problem that also carries the
    protocol's ``error`` member, so an OAuth client and a person reading ``detail`` both understand it.

    ``redirect`` says whether the client may be told through its redirect URI: only once the client
    and the redirect URI are known to be registered, never before (that would be an open redirect).
    """

    def __init__(self, error: str, detail: str, *, redirect: bool = False) -> None:
        super().__init__(detail, code="oauth-" + error.replace("_", "-"), error=error)
        self.error = error
        self.redirect = redirect


@dataclass(frozen=True)
class AuthorizationRequest:
    """A checked ``/authorize`` request: what the code will be bound to."""

    client_id: str
    redirect_uri: str
    code_challenge: str
    state: str
    nonce: str | None


@dataclass(frozen=True)
class _Grant:
    request: AuthorizationRequest
    claims: dict
    expires_at: float


def s256(verifier: str) -> str:
    """The PKCE S256 challenge of a verifier: BASE64URL(SHA256(verifier)) without padding."""
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


def _new_key(kid: str) -> dict:
    return {"kid": kid, "private": ec.generate_private_key(ec.SECP256R1())}


class DevIdentityProvider:
    """Signs tokens for the local stack; its JWKS is served by the API under ``/dev``."""

    def __init__(self, issuer: str, audience: str, clients: Mapping[str, tuple[str, ...]] | None = None) -> None:
        self.issuer = issuer
        self.audience = audience
        # client_id -> its registered redirect URIs (the authorization-code flow's public clients).
        self.clients = dict(clients or {})
        self._grants: dict[str, _Grant] = {}
        stamp = time.strftime("%Y%m%d")
        # Two keys, as during a rotation: tokens are signed with the newer, both verify.
        self._keys = [_new_key(f"dev-{stamp}-a"), _new_key(f"dev-{stamp}-b")]
        self._lock = threading.Lock()

    @property
    def signing_kid(self) -> str:
        return self._keys[-1]["kid"]

    def jwks(self) -> dict:
        keys = []
        for key in self._keys:
            jwk = json.loads(ECAlgorithm.to_jwk(key["private"].public_key()))
            jwk.update({"kid": key["kid"], "use": "sig", "alg": "ES256"})
            keys.append(jwk)
        return {"keys": keys}

    def personas(self) -> list[dict]:
        """The personas with their claims and, for sign-in pages, Russian role and territory names."""
        tree = territory_tree()
        return [
            {"persona": name, **claims, "role_titles": [ROLE_TITLES[r] for r in claims["roles"]],
             "territory_name": tree.get(claims["territory_id"]).name}
            for name, claims in PERSONAS.items()
        ]

    def claims_for(self, request: dict) -> dict:
        """Claims for ``{"persona": ...}`` or for explicit claims, validated like an issuer would."""
        if "persona" in request:
            extra = set(request) - {"persona"}
            if extra:
                raise InvalidInput("Укажите либо persona, либо явные атрибуты, но не вместе.")
            name = request["persona"]
            persona = PERSONAS.get(name) if isinstance(name, str) else None
            if persona is None:
                raise InvalidInput(f"Неизвестная персона. Доступны: {', '.join(PERSONAS)}.",
                                   errors=[{"field": "persona", "detail": "неизвестная персона"}])
            return {k: v for k, v in persona.items() if k in _CLAIM_FIELDS}
        unknown = sorted(set(request) - _CLAIM_FIELDS)
        if unknown:
            raise InvalidInput("Неизвестные поля: " + ", ".join(unknown),
                               errors=[{"field": f, "detail": "неизвестное поле"} for f in unknown])
        problems = []
        sub = request.get("sub")
        if not isinstance(sub, str) or not 1 <= len(sub) <= 64:
            problems.append({"field": "sub", "detail": "нужна строка от 1 до 64 символов"})
        roles = request.get("roles", ["resident"])
        if not isinstance(roles, list) or not roles or any(r not in ROLES for r in roles):
            problems.append({"field": "roles", "detail": "допустимые роли: " + ", ".join(ROLES)})
        tree = territory_tree()
        territory = request.get("territory_id")
        if territory is not None and territory not in tree:
            problems.append({"field": "territory_id", "detail": "неизвестная территория"})
        birth_year = request.get("birth_year")
        if birth_year is not None and (not isinstance(birth_year, int) or isinstance(birth_year, bool)
                                       or not 1900 <= birth_year <= 2030):
            problems.append({"field": "birth_year", "detail": "год рождения от 1900 до 2030"})
        if request.get("gender") not in (None, "f", "m"):
            problems.append({"field": "gender", "detail": "f или m"})
        scope = request.get("scope_territory_ids", [])
        if not isinstance(scope, list) or any(s not in tree for s in scope):
            problems.append({"field": "scope_territory_ids", "detail": "список известных территорий"})
        if "name" in request and not isinstance(request["name"], str):
            problems.append({"field": "name", "detail": "строка"})
        if "partner" in request and not isinstance(request["partner"], str):
            problems.append({"field": "partner", "detail": "строка: название партнёра магазина"})
        if problems:
            raise InvalidInput("Атрибуты пользователя заданы неверно.", errors=problems)
        claims = dict(request)
        claims.setdefault("roles", ["resident"])
        return claims

    def mint(self, claims: dict, *, lifetime: int = TOKEN_LIFETIME_SECONDS, now: float | None = None,
             audience: str | None = None) -> str:
        """A signed token; ``audience`` defaults to the API's (an ID token names the client instead)."""
        issued = int(time.time() if now is None else now)
        payload = {
            **claims,
            "iss": self.issuer,
            "aud": audience or self.audience,
            "iat": issued,
            "nbf": issued,
            "exp": issued + lifetime,
            "jti": secrets.token_hex(8),
        }
        key = self._keys[-1]
        return jwt.encode(payload, key["private"], algorithm="ES256", headers={"kid": key["kid"]})

    # ------------------------------------------------------------------ OpenID Connect

    def discovery(self) -> dict:
        """The OpenID Provider metadata (OIDC Discovery 1.0 §3), endpoints under the issuer."""
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/oauth/token",
            "jwks_uri": f"{self.issuer}/jwks.json",
            "response_types_supported": ["code"],
            "grant_types_supported": ["authorization_code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["ES256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["none"],
            "scopes_supported": ["openid"],
        }

    def authorization_request(self, params: Mapping[str, str]) -> AuthorizationRequest:
        """Check an authorization request (RFC 6749 §4.1.1, RFC 7636 §4.3); OAuthError if refused."""
        too_long = sorted(k for k, v in params.items() if isinstance(v, str) and len(v) > _MAX_PARAMETER)
        if too_long:
            raise OAuthError("invalid_request", "Слишком длинный параметр запроса входа: " + ", ".join(too_long) + ".")
        client_id = params.get("client_id") or ""
        redirect_uri = params.get("redirect_uri") or ""
        if client_id not in self.clients:
            raise OAuthError("invalid_request", "Неизвестное приложение (client_id): вход не может быть начат.")
        if redirect_uri not in self.clients[client_id]:
            raise OAuthError("invalid_request",
                             "Адрес возврата (redirect_uri) не зарегистрирован для этого приложения.")
        # From here on the client is known, so it may be told through its redirect URI.
        if params.get("response_type") != "code":
            raise OAuthError("unsupported_response_type", "Поддерживается только response_type=code.", redirect=True)
        method = params.get("code_challenge_method")
        if method != "S256":
            raise OAuthError("invalid_request",
                             f"Метод PKCE «{method or 'не указан'}» не поддерживается: только S256.", redirect=True)
        challenge = params.get("code_challenge") or ""
        if not _CHALLENGE.fullmatch(challenge):
            raise OAuthError("invalid_request", "code_challenge должен быть SHA-256 в base64url (43 символа).",
                             redirect=True)
        state = params.get("state") or ""
        if not state:
            # Optional in RFC 6749, required here: the admin site always sends it against CSRF.
            raise OAuthError("invalid_request", "Не передан параметр state.", redirect=True)
        return AuthorizationRequest(client_id, redirect_uri, challenge, state, params.get("nonce") or None)

    def issue_code(self, request: AuthorizationRequest, persona: str, *, now: float | None = None) -> str:
        """A single-use authorization code for ``persona``, bound to the request's client, redirect URI
        and PKCE challenge; it expires after AUTHORIZATION_CODE_SECONDS."""
        claims = self.claims_for({"persona": persona})
        moment = time.time() if now is None else now
        code = secrets.token_urlsafe(32)
        with self._lock:
            # Expired codes are dropped here, so abandoned sign-ins cannot accumulate.
            for stale in [c for c, g in self._grants.items() if g.expires_at <= moment]:
                del self._grants[stale]
            self._grants[code] = _Grant(request, claims, moment + AUTHORIZATION_CODE_SECONDS)
        return code

    def exchange_code(self, form: Mapping[str, str], *, now: float | None = None) -> dict:
        """The token response (RFC 6749 §5.1) for an authorization code; OAuthError if refused.

        The code is consumed before anything else is checked, so a wrong verifier or redirect URI
        burns it too: an intercepted code gives one guess, not many.
        """
        if form.get("grant_type") != "authorization_code":
            raise OAuthError("unsupported_grant_type", "Поддерживается только grant_type=authorization_code.")
        code = form.get("code") or ""
        if not code:
            raise OAuthError("invalid_request", "Не передан код авторизации (code).")
        moment = time.time() if now is None else now
        with self._lock:
            grant = self._grants.pop(code, None)
        if grant is None:
            raise OAuthError("invalid_grant", "Код авторизации неизвестен или уже использован. Начните вход заново.")
        if grant.expires_at <= moment:
            raise OAuthError("invalid_grant", "Срок действия кода авторизации истёк. Начните вход заново.")
        request = grant.request
        if form.get("client_id") != request.client_id:
            raise OAuthError("invalid_grant", "Код авторизации выдан другому приложению.")
        if form.get("redirect_uri") != request.redirect_uri:
            raise OAuthError("invalid_grant", "Адрес возврата не совпадает с указанным при начале входа.")
        verifier = form.get("code_verifier") or ""
        if not _VERIFIER.fullmatch(verifier):
            raise OAuthError("invalid_request", "code_verifier должен содержать от 43 до 128 допустимых символов.")
        if not hmac.compare_digest(s256(verifier), request.code_challenge):
            raise OAuthError("invalid_grant", "code_verifier не соответствует code_challenge.")
        identity = {k: v for k, v in grant.claims.items() if k in ("sub", "name")}
        if request.nonce:
            identity["nonce"] = request.nonce
        return {
            "access_token": self.mint(grant.claims, now=moment),
            "id_token": self.mint(identity, now=moment, audience=request.client_id),
            "token_type": "Bearer",
            "expires_in": TOKEN_LIFETIME_SECONDS,
        }
