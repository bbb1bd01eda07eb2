"""The development identity provider that stands in for Госуслуги 74 on the local stack.

It holds two signing keys (the JWKS always lists both, like an issuer in the middle of a key
rotation), signs with the newer one, and mints tokens for named personas or explicit claims.
It is wired into the API only when the stage is ``local``.
"""

from __future__ import annotations

import json
import secrets
import threading
import time

import jwt
from cryptography.hazmat.primitives.asymmetric import ec
from jwt.algorithms import ECAlgorithm

from aj74.errors import InvalidInput
from aj74.identity.principal import ROLE_TITLES, ROLES
from aj74.territories import territory_tree

TOKEN_LIFETIME_SECONDS = 8 * 3600

PERSONAS: dict[str, dict] = {
    "resident-satka": {
        "title": "Жительница Сатки", "sub": "res-satka-0001", "roles": ["resident"],
        "territory_id": "gp-satka", "birth_year": 1986, "gender": "f",
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
    "approver": {
        "title": "Согласующий, Управление по внутренней политике", "sub": "staff-approver", "roles": ["approver"],
        "territory_id": "vr-tsentralny", "birth_year": 1970, "gender": "f",
        "scope_territory_ids": ["chelyabinsk-oblast"], "name": "Елена Морозова (Управление по внутренней политике)",
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
        "name": "Анна Лебедева (касса Челябинского зоопарка)",
    },
}

_CLAIM_FIELDS = {"sub", "roles", "territory_id", "birth_year", "gender", "scope_territory_ids", "name"}


def _new_key(kid: str) -> dict:
    return {"kid": kid, "private": ec.generate_private_key(ec.SECP256R1())}


class DevIdentityProvider:
    """Signs tokens for the local stack; its JWKS is served by the API under ``/dev``."""

    def __init__(self, issuer: str, audience: str) -> None:
        self.issuer = issuer
        self.audience = audience
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
        if problems:
            raise InvalidInput("Атрибуты пользователя заданы неверно.", errors=problems)
        claims = dict(request)
        claims.setdefault("roles", ["resident"])
        return claims

    def mint(self, claims: dict, *, lifetime: int = TOKEN_LIFETIME_SECONDS, now: float | None = None) -> str:
        issued = int(time.time() if now is None else now)
        payload = {
            **claims,
            "iss": self.issuer,
            "aud": self.audience,
            "iat": issued,
            "nbf": issued,
            "exp": issued + lifetime,
            "jti": secrets.token_hex(8),
        }
        key = self._keys[-1]
        return jwt.encode(payload, key["private"], algorithm="ES256", headers={"kid": key["kid"]})
