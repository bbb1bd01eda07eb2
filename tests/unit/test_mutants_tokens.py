"""Bearer-token verification, pinned where mutation testing found it loose (`make mutants`,
docs/testing.md): times are judged by our clock alone (never pyjwt's wall clock), the edges of expiry
and not-before, how often the issuer is asked, and the JWKS fetched over HTTP from a server on the
loopback."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
import pytest
from aj74.errors import Unauthenticated
from aj74.identity.tokens import JwksCache, TokenVerifier, fetch_jwks_over_http
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

ISSUER = "https://esia.gosuslugi74.ru"
AUDIENCE = "aj74-mobile"
SKEW = 30
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def jwks_document(*kids: str) -> dict:
    keys = []
    for kid in kids:
        jwk = json.loads(RSAAlgorithm.to_jwk(KEY.public_key()))
        jwk.update({"kid": kid, "use": "sig", "alg": "RS256"})
        keys.append(jwk)
    return {"keys": keys}


class Clock:
    def __init__(self, now: float) -> None:
        self.now = now

    def __call__(self) -> float:
        return self.now


def token(now: int, kid: str = "k1", **claims) -> str:
    body = {"iss": ISSUER, "aud": AUDIENCE, "sub": "res-1", "iat": now, "exp": now + 600, "roles": ["resident"],
            **claims}
    return jwt.encode(body, KEY, algorithm="RS256", headers={"kid": kid})


def verifier_at(now: float) -> TokenVerifier:
    jwks = JwksCache(lambda: jwks_document("k1"), clock=Clock(0.0))
    return TokenVerifier(ISSUER, AUDIENCE, jwks, clock_skew_seconds=SKEW, clock=Clock(now))


# Long before the real time: a token valid by our clock has expired by the wall clock's.
PAST = 1_000_000_000
# Long after it: a token valid by our clock is not yet valid by the wall clock's.
FUTURE = 4_000_000_000


def test_a_token_valid_by_our_clock_is_accepted_though_the_wall_clock_says_it_expired():
    assert verifier_at(PAST + 60).verify(token(PAST)).subject == "res-1"


def test_a_token_valid_by_our_clock_is_accepted_though_the_wall_clock_says_not_yet():
    assert verifier_at(FUTURE).verify(token(FUTURE - 60, nbf=FUTURE - 60)).subject == "res-1"


def test_a_token_is_still_accepted_at_exactly_exp_plus_skew():
    assert verifier_at(PAST + 600 + SKEW).verify(token(PAST)).subject == "res-1"
    with pytest.raises(Unauthenticated) as exc:
        verifier_at(PAST + 600 + SKEW + 1).verify(token(PAST))
    assert exc.value.code == "token-expired"


def test_a_token_is_already_accepted_at_exactly_nbf_minus_skew():
    assert verifier_at(PAST).verify(token(PAST, nbf=PAST + SKEW)).subject == "res-1"
    with pytest.raises(Unauthenticated) as exc:
        verifier_at(PAST).verify(token(PAST, nbf=PAST + SKEW + 1))
    assert exc.value.code == "token-not-yet-valid"


def test_each_refresh_is_one_fetch_of_the_jwks():
    clock = Clock(0.0)
    served = {"kids": ["k1"]}
    jwks = JwksCache(lambda: jwks_document(*served["kids"]), min_refresh_interval=10.0, clock=clock)

    assert jwks.key_for("k1") is not None
    assert jwks.fetch_count == 1
    clock.now = 11.0
    served["kids"] = ["k1", "k2"]
    assert jwks.key_for("k2") is not None
    assert jwks.fetch_count == 2


# ------------------------------------------------------------------ the JWKS over HTTP
class _JwksHandler(BaseHTTPRequestHandler):
    accepts: list[str | None] = []

    def do_GET(self):  # noqa: N802 - the http.server interface
        type(self).accepts.append(self.headers.get("Accept"))
        body = json.dumps({"keys": [{"kid": "k1", "kty": "RSA", "note": "ключ"}]}).encode("utf-8")
        self.send_response(200 if self.path == "/jwks" else 404)
        self.send_header("Content-Type", "application/json")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture()
def jwks_server():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _JwksHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    _JwksHandler.accepts = []
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


@pytest.mark.loopback  # the JWKS is served by the jwks_server fixture on 127.0.0.1
def test_the_jwks_is_fetched_as_json_over_http(jwks_server):
    document = fetch_jwks_over_http(jwks_server + "/jwks")

    assert document == {"keys": [{"kid": "k1", "kty": "RSA", "note": "ключ"}]}
    assert _JwksHandler.accepts == ["application/json"]


@pytest.mark.loopback  # the jwks_server fixture on 127.0.0.1 answers 404
def test_a_jwks_endpoint_that_fails_raises_an_os_error(jwks_server):
    # JwksCache turns an OSError into "issuer unavailable" (or keeps the keys it has).
    with pytest.raises(OSError):
        fetch_jwks_over_http(jwks_server + "/missing")


@pytest.mark.loopback  # a listener on 127.0.0.1 that never answers
def test_a_jwks_endpoint_that_never_answers_is_given_up_after_the_timeout():
    # A hung issuer must not hold a request (and a Lambda) until the platform kills it.
    import socket

    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(1)
    outcome: list[BaseException | None] = []

    def fetch():
        try:
            fetch_jwks_over_http(f"http://127.0.0.1:{listener.getsockname()[1]}/jwks", timeout=0.5)
            outcome.append(None)
        except BaseException as exc:  # noqa: BLE001 - the outcome is asserted below
            outcome.append(exc)

    thread = threading.Thread(target=fetch, daemon=True)
    thread.start()
    thread.join(timeout=15)
    listener.close()
    assert not thread.is_alive(), "the fetch did not give up"
    assert isinstance(outcome[0], OSError)


# ------------------------------------------------------------------ which keys the JWKS gives
def test_a_key_without_use_is_a_signing_key_and_a_key_for_encryption_is_not():
    enc, plain = jwks_document("enc")["keys"][0], jwks_document("plain")["keys"][0]
    enc["use"] = "enc"
    del plain["use"]
    jwks = JwksCache(lambda: {"keys": [enc, plain]}, clock=Clock(0.0))

    assert jwks.key_for("plain") is not None
    assert jwks.key_for("enc") is None


def test_a_key_after_a_skipped_or_malformed_one_is_still_read():
    enc = jwks_document("enc")["keys"][0]
    enc["use"] = "enc"
    broken = {"kid": "broken", "kty": "RSA", "use": "sig"}  # no modulus: pyjwt refuses it
    jwks = JwksCache(lambda: {"keys": [enc, broken, *jwks_document("k1")["keys"]]}, clock=Clock(0.0))

    assert jwks.key_for("k1") is not None


def test_a_jwks_document_without_keys_gives_no_key_and_no_crash():
    jwks = JwksCache(lambda: {}, clock=Clock(0.0))

    assert jwks.key_for("k1") is None
    assert jwks.fetch_count == 1


def test_only_p256_ec_keys_are_taken():
    from cryptography.hazmat.primitives.asymmetric import ec
    from jwt.algorithms import ECAlgorithm

    p384 = json.loads(ECAlgorithm.to_jwk(ec.generate_private_key(ec.SECP384R1()).public_key()))
    p384.update({"kid": "p384", "use": "sig"})
    jwks = JwksCache(lambda: {"keys": [p384, *jwks_document("k1")["keys"]]}, clock=Clock(0.0))

    assert jwks.key_for("k1") is not None
    assert jwks.key_for("p384") is None


def test_keys_are_fresh_until_exactly_the_ttl_and_fetched_again_after():
    clock = Clock(10_000.0)
    jwks = JwksCache(lambda: jwks_document("k1"), ttl_seconds=3600.0, min_refresh_interval=10.0, clock=clock)
    jwks.key_for("k1")

    clock.now = 10_011.0
    jwks.key_for("k1")
    assert jwks.fetch_count == 1
    clock.now = 13_600.0
    jwks.key_for("k1")
    assert jwks.fetch_count == 1
    clock.now = 13_600.5
    jwks.key_for("k1")
    assert jwks.fetch_count == 2


def test_by_default_an_unknown_kid_may_refresh_the_keys_every_ten_seconds():
    clock = Clock(0.0)
    jwks = JwksCache(lambda: jwks_document("k1"), clock=clock)
    jwks.key_for("k1")

    clock.now = 9.5
    jwks.key_for("k9")
    assert jwks.fetch_count == 1
    clock.now = 10.0
    jwks.key_for("k9")
    assert jwks.fetch_count == 2
    clock.now = 3000.0
    jwks.key_for("k1")
    assert jwks.fetch_count == 2  # within the default hour
    clock.now = 10.0 + 3600.5
    jwks.key_for("k1")
    assert jwks.fetch_count == 3  # an hour after the last fetch


# ------------------------------------------------------------------ what a refusal says
def b64url(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def hand_made(header: dict, claims: dict | None = None) -> str:
    return ".".join([b64url(json.dumps(header).encode()), b64url(json.dumps(claims or {"sub": "x"}).encode()),
                     b64url(b"sig")])


OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.mark.parametrize(("make", "code", "detail"), [
    (lambda: "garbage", "token-malformed", "Токен повреждён или имеет неверный формат."),
    (lambda: hand_made({"alg": "HS256", "kid": "k1"}), "token-algorithm", "Алгоритм подписи токена не допускается."),
    (lambda: hand_made({"alg": "RS256"}), "token-unknown-key", "В токене не указан ключ подписи."),
    (lambda: hand_made({"alg": "RS256", "kid": ""}), "token-unknown-key", "В токене не указан ключ подписи."),
    (lambda: hand_made({"alg": "RS256", "kid": "k9"}), "token-unknown-key", "Токен подписан неизвестным ключом."),
    (lambda: hand_made({"alg": "ES256", "kid": "k1"}), "token-algorithm", "Алгоритм подписи не соответствует ключу."),
    (lambda: token(PAST - 10_000), "token-expired", "Срок действия токена истёк."),
    (lambda: token(PAST, nbf=PAST + 10_000), "token-not-yet-valid", "Токен ещё не действителен."),
    (lambda: token(PAST, aud="other-app"), "token-audience", "Токен выпущен для другого приложения."),
    (lambda: token(PAST, iss="https://evil.example"), "token-issuer", "Токен выпущен неизвестным издателем."),
    (lambda: jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "res-1", "iat": PAST, "exp": PAST + 600}, OTHER_KEY,
                        algorithm="RS256", headers={"kid": "k1"}), "token-signature", "Подпись токена неверна."),
    (lambda: jwt.encode({"iss": ISSUER, "aud": AUDIENCE, "sub": "res-1", "exp": PAST + 600}, KEY,
                        algorithm="RS256", headers={"kid": "k1"}), "token-invalid", "Токен недействителен."),
    (lambda: token(PAST, gender="x"), "token-claims", "В токене неверное поле gender."),
])
def test_each_refusal_says_what_is_wrong(make, code, detail):
    with pytest.raises(Unauthenticated) as exc:
        verifier_at(PAST).verify(make())

    assert (exc.value.code, exc.value.detail) == (code, detail)


def test_an_issuer_down_before_any_key_is_known_is_said_so():
    def down():
        raise OSError("connection refused")

    verifier = TokenVerifier(ISSUER, AUDIENCE, JwksCache(down, clock=Clock(0.0)), clock=Clock(PAST))

    with pytest.raises(Unauthenticated) as exc:
        verifier.verify(token(PAST))

    assert (exc.value.code, exc.value.detail) == (
        "issuer-unavailable", "Не удалось проверить токен: сервис входа недоступен.")


def test_the_verifier_keeps_what_it_was_given():
    jwks = JwksCache(lambda: jwks_document("k1"))
    verifier = TokenVerifier(ISSUER, AUDIENCE, jwks)

    assert (verifier.issuer, verifier.audience, verifier.jwks, verifier.skew) == (ISSUER, AUDIENCE, jwks, 30)
