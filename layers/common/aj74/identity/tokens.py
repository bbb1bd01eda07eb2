"""Bearer-token verification: RS256/ES256 JWTs from the configured OIDC issuer.

Keys come from the issuer's JWKS, cached in the process; an unknown ``kid`` triggers one refresh
(rate-limited), so key rotation at the issuer needs no restart here.
"""

from __future__ import annotations

import json
import threading
import time
import urllib.request
from collections.abc import Callable

import jwt
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

from aj74.errors import Unauthenticated
from aj74.identity.principal import ClaimsError, Principal, principal_from_claims

ALLOWED_ALGORITHMS = ("RS256", "ES256")
_REQUIRED_CLAIMS = ["exp", "iat", "iss", "aud", "sub"]


def fetch_jwks_over_http(url: str, timeout: float = 3.0) -> dict:
    """Fetch a JWKS document (the production and local paths are the same)."""
    request = urllib.request.Request(url, headers={"Accept": "application/json"})
    with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 - configured issuer
        return json.loads(response.read().decode("utf-8"))


class JwksCache:
    """Public keys by ``kid``, refreshed when stale or when an unknown ``kid`` shows up."""

    def __init__(self, fetch: Callable[[], dict], ttl_seconds: float = 3600.0,
                 min_refresh_interval: float = 10.0, clock: Callable[[], float] = time.monotonic) -> None:
        self._fetch = fetch
        self._ttl = ttl_seconds
        self._min_interval = min_refresh_interval
        self._clock = clock
        self._keys: dict[str, tuple[str, object]] = {}
        self._fetched_at: float | None = None
        self._attempted_at: float | None = None
        self._lock = threading.Lock()
        self.fetch_count = 0

    def _refresh(self) -> None:
        document = self._fetch()
        self.fetch_count += 1
        keys: dict[str, tuple[str, object]] = {}
        for jwk in document.get("keys", []):
            kid, kty = jwk.get("kid"), jwk.get("kty")
            if not kid or jwk.get("use", "sig") != "sig":
                continue
            try:
                if kty == "RSA":
                    keys[kid] = ("RS256", RSAAlgorithm.from_jwk(jwk))
                elif kty == "EC" and jwk.get("crv") == "P-256":
                    keys[kid] = ("ES256", ECAlgorithm.from_jwk(jwk))
            except (jwt.PyJWTError, ValueError, TypeError):
                # One malformed key must not take the others down (pyjwt raises plain ValueError
                # for some, e.g. an RSA modulus that is not base64url).
                continue
        self._keys = keys
        self._fetched_at = self._clock()

    def key_for(self, kid: str) -> tuple[str, object] | None:
        with self._lock:
            now = self._clock()
            stale = self._fetched_at is None or now - self._fetched_at > self._ttl
            # Attempts, failed ones included, are spaced out: a down issuer is not asked on every request.
            may_refresh = self._attempted_at is None or now - self._attempted_at >= self._min_interval
            if may_refresh and (stale or kid not in self._keys):
                self._attempted_at = now
                try:
                    self._refresh()
                except (OSError, ValueError, jwt.PyJWTError) as exc:
                    if not self._keys:
                        raise Unauthenticated("Не удалось проверить токен: сервис входа недоступен.",
                                              code="issuer-unavailable") from exc
            return self._keys.get(kid)


class TokenVerifier:
    """Checks signature, issuer, audience, expiry and not-before (with a small clock skew)."""

    def __init__(self, issuer: str, audience: str, jwks: JwksCache, clock_skew_seconds: int = 30,
                 clock: Callable[[], float] = time.time) -> None:
        self.issuer = issuer
        self.audience = audience
        self.jwks = jwks
        self.skew = clock_skew_seconds
        self._clock = clock

    def verify(self, token: str) -> Principal:
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise Unauthenticated("Токен повреждён или имеет неверный формат.", code="token-malformed") from exc
        alg = header.get("alg")
        if alg not in ALLOWED_ALGORITHMS:
            raise Unauthenticated("Алгоритм подписи токена не допускается.", code="token-algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise Unauthenticated("В токене не указан ключ подписи.", code="token-unknown-key")
        found = self.jwks.key_for(kid)
        if found is None:
            raise Unauthenticated("Токен подписан неизвестным ключом.", code="token-unknown-key")
        key_alg, key = found
        if key_alg != alg:
            raise Unauthenticated("Алгоритм подписи не соответствует ключу.", code="token-algorithm")
        try:
            claims = self._decode(token, key, alg)
        except jwt.ExpiredSignatureError as exc:
            raise Unauthenticated("Срок действия токена истёк.", code="token-expired") from exc
        except jwt.ImmatureSignatureError as exc:
            raise Unauthenticated("Токен ещё не действителен.", code="token-not-yet-valid") from exc
        except jwt.InvalidAudienceError as exc:
            raise Unauthenticated("Токен выпущен для другого приложения.", code="token-audience") from exc
        except jwt.InvalidIssuerError as exc:
            raise Unauthenticated("Токен выпущен неизвестным издателем.", code="token-issuer") from exc
        except jwt.InvalidSignatureError as exc:
            raise Unauthenticated("Подпись токена неверна.", code="token-signature") from exc
        except jwt.PyJWTError as exc:
            raise Unauthenticated("Токен недействителен.", code="token-invalid") from exc
        try:
            return principal_from_claims(claims)
        except ClaimsError as exc:
            raise Unauthenticated(f"В токене неверное поле {exc.args[0]}.", code="token-claims") from exc

    def _decode(self, token: str, key, alg: str) -> dict:
        """Signature, issuer and audience by pyjwt; times against our clock so skew is testable."""
        claims = jwt.decode(token, key=key, algorithms=[alg], audience=self.audience, issuer=self.issuer,
                            options={"require": _REQUIRED_CLAIMS, "verify_exp": False, "verify_nbf": False,
                                     "verify_iat": False})
        now = self._clock()
        if claims["exp"] + self.skew < now:
            raise jwt.ExpiredSignatureError("expired")
        if "nbf" in claims and claims["nbf"] - self.skew > now:
            raise jwt.ImmatureSignatureError("nbf")
        return claims
