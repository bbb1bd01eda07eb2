"""The development provider's OpenID Connect routes over Chalice's HTTP layer, in-process: what a
browser and the admin site see (HTML chooser, redirects, form-encoded token requests, CORS, OAuth
errors). The protocol rules themselves are unit-tested in tests/unit/test_dev_provider.py; the
whole flow in a real browser is tests/e2e/test_oidc_signin.py.
"""

from __future__ import annotations

import json
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from chalice.test import Client

from infra.local.dev_identity.provider import ADMIN_CLIENT_ID, PERSONAS, s256

ISSUER = "http://127.0.0.1:8000/dev"
ADMIN_ORIGIN = "http://127.0.0.1:8080"
REDIRECT = f"{ADMIN_ORIGIN}/"
VERIFIER = "v" * 20 + "-._~" + "0123456789" + "abcdefghijk"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def client():
    """The app with this module's issuer and admin origin. Other suites point the process-wide
    settings elsewhere, so the settings and the provider built from them are rebuilt here and again
    afterwards. (CORS is fixed when the routes are imported: the browser test covers it.)"""
    from aj74.settings import get_settings

    from app import app
    from infra.local.dev_identity import routes as dev

    with pytest.MonkeyPatch.context() as env:
        env.setenv("OIDC_ISSUER", ISSUER)
        env.setenv("ADMIN_ORIGIN", ADMIN_ORIGIN)
        get_settings.cache_clear()
        dev._provider.cache_clear()
        with Client(app) as test_client:
            yield test_client
    get_settings.cache_clear()
    dev._provider.cache_clear()


def authorize_query(**overrides) -> str:
    params = {"response_type": "code", "client_id": ADMIN_CLIENT_ID, "redirect_uri": REDIRECT, "scope": "openid",
              "state": "state-1", "nonce": "nonce-1", "code_challenge": s256(VERIFIER),
              "code_challenge_method": "S256", **overrides}
    return urlencode({k: v for k, v in params.items() if v is not None})


def code_for(client, persona: str) -> str:
    response = client.http.get(f"/dev/authorize?{authorize_query(persona=persona)}")
    assert response.status_code == 302
    return parse_qs(urlsplit(response.headers["Location"]).query)["code"][0]


def exchange(client, **form):
    body = {"grant_type": "authorization_code", "redirect_uri": REDIRECT, "client_id": ADMIN_CLIENT_ID,
            "code_verifier": VERIFIER, **form}
    return client.http.post("/dev/oauth/token", headers=FORM, body=urlencode(body).encode())


def test_discovery_points_at_the_local_endpoints(client):
    response = client.http.get("/dev/.well-known/openid-configuration")

    assert response.status_code == 200
    assert response.json_body["issuer"] == ISSUER
    assert response.json_body["token_endpoint"] == f"{ISSUER}/oauth/token"


def test_authorize_without_a_persona_shows_the_russian_chooser_page(client):
    response = client.http.get(f"/dev/authorize?{authorize_query()}")

    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/html")
    assert "default-src 'none'" in response.headers["Content-Security-Policy"]
    page = response.body.decode()
    assert '<html lang="ru">' in page and "Госуслуг" in page
    assert PERSONAS["moderator-satka"]["title"] in page
    assert "persona=moderator-satka" in page and "state=state-1" in page


def test_choosing_a_persona_redirects_back_with_code_and_state(client):
    response = client.http.get(f"/dev/authorize?{authorize_query(persona='moderator-satka')}")

    assert response.status_code == 302
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}{target.path}" == REDIRECT
    query = parse_qs(target.query)
    assert query["state"] == ["state-1"] and query["code"][0]


def test_a_plain_challenge_is_refused_through_the_redirect_uri(client):
    response = client.http.get(f"/dev/authorize?{authorize_query(code_challenge_method='plain')}")

    assert response.status_code == 302
    assert parse_qs(urlsplit(response.headers["Location"]).query) == {"error": ["invalid_request"],
                                                                      "state": ["state-1"]}


def test_an_unregistered_redirect_uri_is_a_400_shown_here_not_redirected(client):
    response = client.http.get(f"/dev/authorize?{authorize_query(redirect_uri='https://evil.example.com/')}")

    assert response.status_code == 400
    assert "Location" not in response.headers
    assert json.loads(response.body)["error"] == "invalid_request"


def test_the_form_encoded_exchange_returns_tokens_not_to_be_cached(client):
    response = exchange(client, code=code_for(client, "moderator-satka"))

    assert response.status_code == 200
    assert set(response.json_body) == {"access_token", "id_token", "token_type", "expires_in"}
    assert response.json_body["token_type"] == "Bearer"
    assert response.headers["Cache-Control"] == "no-store"


def test_a_reused_code_is_an_oauth_invalid_grant_with_a_russian_detail(client):
    code = code_for(client, "moderator-satka")
    assert exchange(client, code=code).status_code == 200

    response = exchange(client, code=code)

    assert response.status_code == 400
    body = json.loads(response.body)
    assert body["error"] == "invalid_grant"
    assert "уже использован" in body["detail"]


def test_a_json_token_request_is_refused(client):
    response = client.http.post("/dev/oauth/token", headers={"Content-Type": "application/json"},
                                body=json.dumps({"grant_type": "authorization_code", "code": "x"}).encode())

    assert response.status_code == 400
    assert json.loads(response.body)["error"] == "invalid_request"
