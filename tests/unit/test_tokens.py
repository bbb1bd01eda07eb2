"""Bearer-token verification: every way a forged, stale or foreign token is turned away, and the
ways a genuine one gets through (both algorithms, key rotation, clock skew).

Pure: keys are generated in-process, the issuer's JWKS endpoint is a counting fake and both clocks
are fakes, so no test touches the network or the wall clock.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

import jwt
import pytest
from aj74.errors import Unauthenticated
from aj74.identity.tokens import JwksCache, TokenVerifier
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from jwt.algorithms import ECAlgorithm, RSAAlgorithm

ISSUER = "https://esia.gosuslugi74.ru"
AUDIENCE = "aj74-mobile"
SKEW = 30
MIN_REFRESH = 10.0
# Far from the real time on purpose: a check that used the wall clock instead of ours would fail.
NOW = 1_900_000_000

CYRILLIC = re.compile("[а-яё]", re.IGNORECASE)


class FakeClock:
    def __init__(self, now: float) -> None:
        self.now = float(now)

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


class FakeIssuer:
    """The identity provider: signs tokens, publishes a JWKS and counts how often it is fetched."""

    def __init__(self) -> None:
        self._private: dict[str, tuple[str, object]] = {}
        self.published: list[str] = []
        self.fetches = 0
        self.down = False

    def add_key(self, kid: str, alg: str, *, publish: bool = True):
        if alg == "RS256":
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        else:
            key = ec.generate_private_key(ec.SECP256R1())
        self._private[kid] = (alg, key)
        if publish:
            self.publish(kid)
        return key

    def publish(self, kid: str) -> None:
        self.published.append(kid)

    def public_key(self, kid: str):
        return self._private[kid][1].public_key()

    def jwks(self) -> dict:
        self.fetches += 1
        if self.down:
            raise OSError("connection refused")
        keys = []
        for kid in self.published:
            alg, private = self._private[kid]
            algorithm = RSAAlgorithm if alg == "RS256" else ECAlgorithm
            jwk = json.loads(algorithm.to_jwk(private.public_key()))
            jwk.update({"kid": kid, "use": "sig", "alg": alg})
            keys.append(jwk)
        return {"keys": keys}

    def sign(self, claims: dict, kid: str) -> str:
        alg, private = self._private[kid]
        return jwt.encode(claims, private, algorithm=alg, headers={"kid": kid})


def resident_claims(**overrides) -> dict:
    claims = {
        "iss": ISSUER, "aud": AUDIENCE, "sub": "res-satka-0001", "iat": NOW - 60, "nbf": NOW - 60,
        "exp": NOW + 3600, "roles": ["resident"], "territory_id": "gp-satka", "birth_year": 1986,
        "gender": "f",
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def hand_made_token(header: dict, claims: dict, sign=lambda signing_input: b"") -> str:
    """A token assembled by hand, the way an attacker would, without any library's safety checks."""
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(json.dumps(claims).encode())}"
    return f"{signing_input}.{b64url(sign(signing_input.encode('ascii')))}"


@pytest.fixture()
def issuer() -> FakeIssuer:
    idp = FakeIssuer()
    idp.add_key("rsa-2026", "RS256")
    idp.add_key("ec-2026", "ES256")
    return idp


@pytest.fixture()
def wall_clock() -> FakeClock:
    return FakeClock(NOW)


@pytest.fixture()
def cache_clock() -> FakeClock:
    return FakeClock(1000.0)


@pytest.fixture()
def jwks(issuer, cache_clock) -> JwksCache:
    return JwksCache(issuer.jwks, ttl_seconds=3600, min_refresh_interval=MIN_REFRESH, clock=cache_clock)


@pytest.fixture()
def verifier(jwks, wall_clock) -> TokenVerifier:
    return TokenVerifier(ISSUER, AUDIENCE, jwks, clock_skew_seconds=SKEW, clock=wall_clock)


def rejection(verifier: TokenVerifier, token: str) -> Unauthenticated:
    with pytest.raises(Unauthenticated) as caught:
        verifier.verify(token)
    error = caught.value
    assert CYRILLIC.search(error.detail), "the reason a person sees must be in Russian"
    return error


# ------------------------------------------------------------------ algorithm attacks


def test_alg_none_token_is_rejected(verifier):
    # Given an unsigned token that names a key we trust
    token = hand_made_token({"alg": "none", "typ": "JWT", "kid": "rsa-2026"}, resident_claims())

    # When it is verified, Then it is refused for its algorithm
    assert rejection(verifier, token).code == "token-algorithm"


@pytest.mark.parametrize("alg", ["None", "NONE", "HS384", "HS512", "PS256", "ES512", "EdDSA"])
def test_algorithms_outside_the_allow_list_are_rejected(verifier, alg):
    token = hand_made_token({"alg": alg, "kid": "rsa-2026"}, resident_claims(), lambda s: b"sig")

    assert rejection(verifier, token).code == "token-algorithm"


def test_hs256_token_with_a_shared_secret_is_rejected(verifier):
    # Given a token HMAC-signed with a secret, naming a trusted key id
    token = jwt.encode(resident_claims(), "a-guessed-secret-of-32-bytes-len!", algorithm="HS256",
                       headers={"kid": "rsa-2026"})

    # When / Then
    assert rejection(verifier, token).code == "token-algorithm"


@pytest.mark.parametrize("kid", ["rsa-2026", "ec-2026"])
def test_hs256_signed_with_the_public_key_as_secret_is_rejected(issuer, verifier, kid):
    # Given the classic key-confusion attack: the attacker knows our public key (it is published)
    # and uses its PEM as an HMAC secret, hoping the verifier feeds the same bytes to HMAC
    public_pem = issuer.public_key(kid).public_bytes(serialization.Encoding.PEM,
                                                     serialization.PublicFormat.SubjectPublicKeyInfo)
    forged = resident_claims(roles=["admin"], sub="attacker")
    token = hand_made_token({"alg": "HS256", "typ": "JWT", "kid": kid}, forged,
                            lambda s: hmac.new(public_pem, s, hashlib.sha256).digest())

    # When it is verified, Then nobody becomes an admin
    assert rejection(verifier, token).code == "token-algorithm"


def test_token_whose_alg_does_not_match_its_key_is_rejected(issuer, verifier):
    # Given a token signed with the EC key but presenting the RSA key's id
    _, ec_key = issuer._private["ec-2026"]
    token = jwt.encode(resident_claims(), ec_key, algorithm="ES256", headers={"kid": "rsa-2026"})

    assert rejection(verifier, token).code == "token-algorithm"


# ------------------------------------------------------------------ keys and signatures


def test_token_signed_by_an_unknown_key_is_rejected(issuer, verifier):
    # Given a key the issuer never published
    issuer.add_key("stolen", "ES256", publish=False)

    assert rejection(verifier, issuer.sign(resident_claims(), "stolen")).code == "token-unknown-key"


def test_token_without_kid_is_rejected(issuer, verifier):
    _, key = issuer._private["ec-2026"]
    token = jwt.encode(resident_claims(), key, algorithm="ES256")

    assert rejection(verifier, token).code == "token-unknown-key"


def test_token_with_an_empty_kid_is_rejected(verifier):
    token = hand_made_token({"alg": "ES256", "kid": ""}, resident_claims(), lambda s: b"x" * 64)

    assert rejection(verifier, token).code == "token-unknown-key"


@pytest.mark.parametrize("kid", [123, None, ["ec-2026"]])
def test_token_with_a_non_string_kid_is_rejected_as_malformed(verifier, kid):
    token = hand_made_token({"alg": "ES256", "kid": kid}, resident_claims(), lambda s: b"x" * 64)

    assert rejection(verifier, token).code == "token-malformed"


@pytest.mark.parametrize("kid", ["rsa-2026", "ec-2026"])
def test_tampered_payload_is_rejected(issuer, verifier, kid):
    # Given a genuine resident token whose payload is swapped for one granting the admin role
    header, _, signature = issuer.sign(resident_claims(), kid).split(".")
    elevated = b64url(json.dumps(resident_claims(roles=["admin"])).encode())
    token = f"{header}.{elevated}.{signature}"

    # When / Then the signature no longer matches
    assert rejection(verifier, token).code == "token-signature"


@pytest.mark.parametrize("token", ["", "garbage", "a.b.c", "a.b", "....", "Bearer x.y.z",
                                   "eyJhbGciOiJSUzI1NiJ9", "eyJub3QiOiJjbG9zZWQ.e30.e30"])
def test_garbage_is_rejected_as_malformed(verifier, token):
    assert rejection(verifier, token).code == "token-malformed"


def test_signature_that_is_not_valid_base64_is_rejected(issuer, verifier):
    header, payload, _ = issuer.sign(resident_claims(), "ec-2026").split(".")

    assert rejection(verifier, f"{header}.{payload}.!!!").code in {"token-malformed", "token-invalid"}


# ------------------------------------------------------------------ time, audience, issuer


def test_expired_token_beyond_skew_is_rejected(issuer, verifier):
    token = issuer.sign(resident_claims(iat=NOW - 7200, nbf=NOW - 7200, exp=NOW - SKEW - 1), "ec-2026")

    assert rejection(verifier, token).code == "token-expired"


def test_token_expired_within_skew_is_accepted(issuer, verifier):
    # Given a token that expired a few seconds ago on an issuer whose clock runs a little ahead
    token = issuer.sign(resident_claims(exp=NOW - SKEW + 5), "ec-2026")

    # When / Then it is still honoured
    assert verifier.verify(token).subject == "res-satka-0001"


def test_token_expires_once_the_clock_passes_exp_plus_skew(issuer, verifier, wall_clock):
    token = issuer.sign(resident_claims(exp=NOW + 60), "rsa-2026")
    assert verifier.verify(token).subject == "res-satka-0001"

    wall_clock.advance(60 + SKEW + 1)

    assert rejection(verifier, token).code == "token-expired"


def test_token_not_yet_valid_beyond_skew_is_rejected(issuer, verifier):
    token = issuer.sign(resident_claims(iat=NOW, nbf=NOW + SKEW + 1), "ec-2026")

    assert rejection(verifier, token).code == "token-not-yet-valid"


def test_token_not_yet_valid_within_skew_is_accepted(issuer, verifier):
    # Given our clock runs a little behind the issuer's
    token = issuer.sign(resident_claims(iat=NOW + 10, nbf=NOW + SKEW - 5), "ec-2026")

    assert verifier.verify(token).subject == "res-satka-0001"


def test_token_for_another_audience_is_rejected(issuer, verifier):
    token = issuer.sign(resident_claims(aud="some-other-app"), "rsa-2026")

    assert rejection(verifier, token).code == "token-audience"


def test_token_from_another_issuer_is_rejected(issuer, verifier):
    token = issuer.sign(resident_claims(iss="https://evil.example.com"), "rsa-2026")

    assert rejection(verifier, token).code == "token-issuer"


@pytest.mark.parametrize("missing", ["exp", "iat", "iss", "aud", "sub"])
def test_token_missing_a_required_claim_is_rejected(issuer, verifier, missing):
    claims = resident_claims()
    del claims[missing]

    assert rejection(verifier, issuer.sign(claims, "ec-2026")).code == "token-invalid"


def test_token_with_a_non_string_subject_is_rejected(issuer, verifier):
    token = issuer.sign(resident_claims(sub=42), "ec-2026")

    assert rejection(verifier, token).code == "token-invalid"


@pytest.mark.parametrize("claim,value", [("sub", ""), ("roles", "admin"),
                                         ("roles", [1]), ("birth_year", "1986"), ("birth_year", True),
                                         ("territory_id", 7), ("gender", "x"),
                                         ("scope_territory_ids", "mr-satkinsky")])
def test_token_with_a_malformed_identity_claim_is_rejected(issuer, verifier, claim, value):
    token = issuer.sign(resident_claims(**{claim: value}), "ec-2026")

    error = rejection(verifier, token)

    assert error.code == "token-claims"
    assert claim in error.detail


# ------------------------------------------------------------------ acceptance and claims


@pytest.mark.parametrize("kid", ["rsa-2026", "ec-2026"])
def test_genuine_token_is_accepted_with_both_algorithms(issuer, verifier, kid):
    principal = verifier.verify(issuer.sign(resident_claims(), kid))

    assert principal.subject == "res-satka-0001"


def test_resident_claims_map_to_the_principal_without_a_name(issuer, verifier):
    # Given a resident token that (wrongly) carries the person's name
    token = issuer.sign(resident_claims(name="Мария Иванова"), "ec-2026")

    # When it is verified
    principal = verifier.verify(token)

    # Then the principal has the resident's attributes, but never their name
    assert principal.subject == "res-satka-0001"
    assert principal.roles == frozenset({"resident"})
    assert principal.territory_id == "gp-satka"
    assert principal.birth_year == 1986
    assert principal.gender == "f"
    assert principal.scope_territory_ids == ()
    assert principal.display_name is None
    assert not principal.is_staff


def test_moderator_claims_map_to_scope_and_display_name(issuer, verifier):
    token = issuer.sign(resident_claims(
        sub="staff-mod-satka", roles=["moderator", "not-a-role"], scope_territory_ids=["mr-satkinsky"],
        name="Ирина Соколова", birth_year=1980, gender="f"), "rsa-2026")

    principal = verifier.verify(token)

    assert principal.roles == frozenset({"moderator"}), "unknown roles are dropped, not trusted"
    assert principal.scope_territory_ids == ("mr-satkinsky",)
    assert principal.display_name == "Ирина Соколова"
    assert principal.is_staff


def test_token_without_roles_is_a_resident(issuer, verifier):
    claims = resident_claims()
    del claims["roles"]

    assert verifier.verify(issuer.sign(claims, "ec-2026")).roles == frozenset({"resident"})


# ------------------------------------------------------------------ key rotation and JWKS refresh


def test_jwks_with_two_keys_verifies_tokens_from_both_with_one_fetch(issuer, verifier):
    # Given an issuer in the middle of a rotation, publishing both keys
    tokens = [issuer.sign(resident_claims(sub=f"res-{kid}"), kid) for kid in ("rsa-2026", "ec-2026")]

    # When tokens signed by each key are verified
    subjects = [verifier.verify(t).subject for t in tokens]

    # Then both pass and the JWKS was fetched once
    assert subjects == ["res-rsa-2026", "res-ec-2026"]
    assert issuer.fetches == 1


def test_kid_not_in_cache_triggers_exactly_one_refresh_and_then_verifies(issuer, verifier, cache_clock):
    # Given a warm cache that knows only the keys published so far
    verifier.verify(issuer.sign(resident_claims(), "ec-2026"))
    assert issuer.fetches == 1
    # and the issuer rotates to a new key after our last fetch
    cache_clock.advance(MIN_REFRESH + 1)
    issuer.add_key("ec-2027", "ES256")

    # When a token signed by the new key arrives (twice)
    first = verifier.verify(issuer.sign(resident_claims(), "ec-2027"))
    second = verifier.verify(issuer.sign(resident_claims(), "ec-2027"))

    # Then one refresh was enough, and both verify
    assert first.subject == second.subject == "res-satka-0001"
    assert issuer.fetches == 2


def test_token_verifies_once_the_issuer_publishes_its_key(issuer, verifier, cache_clock):
    # Given the issuer signs with a key it has not published yet
    issuer.add_key("ec-next", "ES256", publish=False)
    token = issuer.sign(resident_claims(), "ec-next")
    assert rejection(verifier, token).code == "token-unknown-key"
    fetches_before = issuer.fetches

    # When it publishes the key and the refresh interval has passed
    issuer.publish("ec-next")
    cache_clock.advance(MIN_REFRESH)

    # Then the same token verifies after exactly one more fetch
    assert verifier.verify(token).subject == "res-satka-0001"
    assert issuer.fetches == fetches_before + 1


def test_unknown_kid_refresh_is_rate_limited(issuer, verifier, cache_clock):
    # Given a warm cache
    verifier.verify(issuer.sign(resident_claims(), "rsa-2026"))
    assert issuer.fetches == 1

    # When a flood of tokens with made-up key ids arrives within the refresh interval
    for n in range(50):
        header = {"alg": "ES256", "kid": f"made-up-{n}"}
        token = hand_made_token(header, resident_claims(), lambda s: b"x" * 64)
        assert rejection(verifier, token).code == "token-unknown-key"
        cache_clock.advance(0.1)

    # Then the issuer was not asked again
    assert issuer.fetches == 1

    # When the interval has passed, Then one more unknown kid causes exactly one more fetch
    cache_clock.advance(MIN_REFRESH)
    token = hand_made_token({"alg": "ES256", "kid": "made-up-late"}, resident_claims(), lambda s: b"x" * 64)
    rejection(verifier, token)
    rejection(verifier, token)
    assert issuer.fetches == 2


def test_keys_are_refetched_when_the_cache_goes_stale(issuer, verifier, cache_clock):
    verifier.verify(issuer.sign(resident_claims(), "rsa-2026"))

    cache_clock.advance(3600 + 1)
    verifier.verify(issuer.sign(resident_claims(), "rsa-2026"))

    assert issuer.fetches == 2


def test_a_key_the_issuer_retires_stops_verifying_once_the_cache_refreshes(issuer, verifier, cache_clock):
    # Given a token signed by a key the cache knows
    token = issuer.sign(resident_claims(), "rsa-2026")
    assert verifier.verify(token).subject == "res-satka-0001"

    # When the issuer completes its rotation and withdraws that key, and our cache goes stale
    issuer.published.remove("rsa-2026")
    cache_clock.advance(3600 + 1)

    # Then tokens signed by the retired key are refused (a leaked old key is not trusted forever)
    assert rejection(verifier, token).code == "token-unknown-key"
    assert verifier.verify(issuer.sign(resident_claims(), "ec-2026")).subject == "res-satka-0001"


def test_issuer_down_before_any_fetch_is_a_401_not_a_crash(wall_clock, cache_clock):
    def unreachable():
        raise OSError("connection refused")

    verifier = TokenVerifier(ISSUER, AUDIENCE, JwksCache(unreachable, clock=cache_clock),
                             clock_skew_seconds=SKEW, clock=wall_clock)
    token = hand_made_token({"alg": "ES256", "kid": "ec-2026"}, resident_claims(), lambda s: b"x" * 64)

    assert rejection(verifier, token).code == "issuer-unavailable"


def test_issuer_down_after_keys_are_cached_keeps_verifying(issuer, verifier, cache_clock):
    # Given keys cached from an earlier fetch, gone stale while the issuer is unreachable
    token = issuer.sign(resident_claims(), "ec-2026")
    verifier.verify(token)
    issuer.down = True
    cache_clock.advance(3600 + 1)

    # When / Then residents can still sign in with the keys we have
    assert verifier.verify(token).subject == "res-satka-0001"


def test_failed_refreshes_are_rate_limited_too(issuer, verifier, cache_clock):
    # Given cached keys that have gone stale while the issuer is unreachable
    token = issuer.sign(resident_claims(), "ec-2026")
    verifier.verify(token)
    issuer.down = True
    cache_clock.advance(3600 + 1)

    # When many requests arrive within one refresh interval
    for _ in range(20):
        verifier.verify(token)
        cache_clock.advance(0.1)

    # Then the unreachable issuer is tried once more, not once per request
    assert issuer.fetches == 2


def test_a_malformed_key_in_the_jwks_is_skipped(issuer, wall_clock, cache_clock):
    # Given a JWKS in which one key is broken and the other is fine
    def jwks_with_a_broken_key():
        document = issuer.jwks()
        document["keys"].insert(0, {"kty": "EC", "crv": "P-256", "kid": "broken", "x": "AA", "use": "sig"})
        return document

    verifier = TokenVerifier(ISSUER, AUDIENCE, JwksCache(jwks_with_a_broken_key, clock=cache_clock),
                             clock_skew_seconds=SKEW, clock=wall_clock)

    # Then tokens signed by the good key still verify
    assert verifier.verify(issuer.sign(resident_claims(), "ec-2026")).subject == "res-satka-0001"


@pytest.mark.parametrize("broken", [
    {"kid": "bad-n", "kty": "RSA", "use": "sig", "n": "!!", "e": "AQAB"},   # pyjwt: plain ValueError
    {"kid": "bad-ec", "kty": "EC", "use": "sig", "crv": "P-256", "x": "!!", "y": "!!"},
    {"kid": "no-n", "kty": "RSA", "use": "sig", "e": "AQAB"},
])
def test_one_malformed_key_in_the_jwks_does_not_take_the_good_ones_down(issuer, wall_clock, cache_clock, broken):
    # Given an issuer whose key set also holds one key pyjwt cannot load
    def with_a_broken_key() -> dict:
        document = issuer.jwks()
        return {"keys": [broken, *document["keys"]]}

    verifier = TokenVerifier(ISSUER, AUDIENCE, JwksCache(with_a_broken_key, clock=cache_clock),
                             clock_skew_seconds=SKEW, clock=wall_clock)

    # Then a token signed with a good key still verifies
    assert verifier.verify(issuer.sign(resident_claims(), "rsa-2026")).subject == "res-satka-0001"
