"""The HTTP app as configured per stage, and its basic routes exercised in-process.

The per-stage route tables are read in fresh interpreters (``tests.support.app_routes``). The rest
runs in-process through ``chalice.test.Client``; the full HTTP path (real server, JWKS over HTTP)
is the e2e suite's job.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from chalice.test import Client

from tests.support.app_routes import routes_under

REPO_ROOT = Path(__file__).resolve().parents[2]
CYRILLIC = re.compile("[А-ЯЁа-яё]")

@pytest.fixture(scope="module")
def client():
    from app import app

    with Client(app) as test_client:
        yield test_client


def problem(response) -> dict:
    assert response.headers["Content-Type"].startswith("application/problem+json"), response.headers
    body = json.loads(response.body)
    assert body["status"] == response.status_code
    assert CYRILLIC.search(body["detail"]), body
    return body


# ------------------------------------------------------------------ routes per stage


@pytest.mark.parametrize("stage", ["prod", "dev", "test"])
def test_no_dev_route_exists_outside_the_local_stage(stage):
    routes = routes_under(stage)

    assert "/v1/health" in routes
    assert [path for path in routes if path.startswith("/dev")] == []


def test_the_development_identity_provider_exists_on_the_local_stage():
    routes = routes_under("local")

    assert routes["/dev/token"] == ["POST"]
    assert routes["/dev/jwks.json"] == ["GET"]
    assert routes["/dev/personas"] == ["GET"]


def test_without_the_dev_package_the_local_stage_has_no_dev_route_either(tmp_path):
    # Given app.py alone, as its Lambda package holds it, with the layer's aj74 but no checkout
    shutil.copy2(REPO_ROOT / "app.py", tmp_path / "app.py")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    env.update({"STAGE": "local", "OIDC_ISSUER": "http://127.0.0.1:8000/dev", "OIDC_AUDIENCE": "aj74-mobile",
                "ADMIN_ORIGIN": "http://127.0.0.1:8080"})

    # When the local stage builds its route table
    done = subprocess.run([sys.executable, "-c", "import json, sys, app; "
                           "print(json.dumps([sorted(app.app.routes), 'infra' in sys.modules]))"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)

    # Then the development identity provider is nowhere: it is not importable there
    assert done.returncode == 0, done.stderr
    routes, infra_imported = json.loads(done.stdout.strip().splitlines()[-1])
    assert "/v1/health" in routes and [p for p in routes if p.startswith("/dev")] == []
    assert infra_imported is False


def test_the_app_refuses_to_start_without_its_configuration():
    env = {k: v for k, v in os.environ.items() if k not in {"OIDC_ISSUER", "STAGE"}}
    done = subprocess.run([sys.executable, "-c", "import app"], cwd=REPO_ROOT, env=env,
                          capture_output=True, text=True, timeout=120)

    assert done.returncode != 0
    assert "is required" in done.stderr


# ------------------------------------------------------------------ in-process


def test_health_is_ok(client):
    response = client.http.get("/v1/health")

    assert response.status_code == 200
    assert response.json_body == {"status": "ok"}


def test_territories_list_the_whole_region(client):
    response = client.http.get("/v1/territories")

    assert response.status_code == 200
    body = response.json_body
    kinds = [t["kind"] for t in body["territories"]]
    assert body["root_id"] == "chelyabinsk-oblast"
    assert kinds.count("region") == 1
    assert kinds.count("urban_district") == 16
    assert kinds.count("municipal_district") == 27
    assert kinds.count("intracity_district") == 7


def test_me_without_a_token_is_a_401_problem_with_a_bearer_challenge(client):
    response = client.http.get("/v1/me")

    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert problem(response)["code"] == "token-missing"


def test_me_with_a_garbage_token_is_a_401_problem(client):
    response = client.http.get("/v1/me", headers={"Authorization": "Bearer not-a-token"})

    assert response.status_code == 401
    assert problem(response)["code"] == "token-malformed"


@pytest.mark.parametrize("body,content_type", [
    (b"persona=resident-satka", "application/x-www-form-urlencoded"),
    (b"{not json", "application/json"),
    (b"", "application/json"),
    (b"[1, 2]", "application/json"),
    (b"\xff\xfe", "application/json"),
    (b"<persona/>", "text/xml"),
])
def test_dev_token_with_a_body_that_is_not_a_json_object_is_a_4xx_problem(client, body, content_type):
    response = client.http.post("/dev/token", headers={"Content-Type": content_type}, body=body)

    assert 400 <= response.status_code < 500
    problem(response)


def test_dev_token_with_unknown_fields_is_a_422_naming_them(client):
    response = client.http.post("/dev/token", headers={"Content-Type": "application/json"},
                                body=json.dumps({"sub": "res-x", "snils": "123"}).encode())

    assert response.status_code == 422
    body = problem(response)
    assert body["errors"] == [{"field": "snils", "detail": "неизвестное поле"}]


# ------------------------------------------------------------------ signed in


@pytest.fixture()
def verifier_trusting_the_dev_provider(monkeypatch):
    """The API's verifier, with the JWKS handed over in-process instead of fetched over HTTP.

    The verifier is built lazily by an lru_cache'd factory that captures the fetch function, so the
    cache is cleared before (to pick up the stand-in) and after (so no other test inherits it).
    """
    from aj74.api import http
    from aj74.identity import tokens

    from infra.local.dev_identity import routes as dev

    provider = dev.provider()
    monkeypatch.setattr(tokens, "fetch_jwks_over_http", lambda url, timeout=3.0: provider.jwks())
    http._verifier.cache_clear()
    yield provider
    http._verifier.cache_clear()


def test_me_with_a_dev_token_describes_the_caller(client, verifier_trusting_the_dev_provider):
    # Given a token for the Satka resident, minted by the dev provider at POST /dev/token
    minted = client.http.post("/dev/token", headers={"Content-Type": "application/json"},
                              body=json.dumps({"persona": "resident-satka"}).encode())
    assert minted.status_code == 200
    token = minted.json_body["access_token"]

    # When she asks who she is
    response = client.http.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    # Then she sees her territory chain, and no name is stored for a resident
    assert response.status_code == 200
    me = response.json_body
    assert me["id"] == "res-satka-0001"
    assert me["roles"] == ["resident"]
    assert me["display_name"] is None
    assert [t["name"] for t in me["territory_chain"]] == [
        "Сатка", "Саткинский муниципальный район", "Челябинская область"]


def test_me_for_a_moderator_shows_the_scope(client, verifier_trusting_the_dev_provider):
    provider = verifier_trusting_the_dev_provider
    token = provider.mint(provider.claims_for({"persona": "moderator-magnitogorsk"}))

    response = client.http.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 200
    assert [t["id"] for t in response.json_body["scope_territories"]] == ["go-magnitogorsk"]
    assert response.json_body["display_name"]


def test_me_with_a_token_from_another_issuer_is_a_401(client, verifier_trusting_the_dev_provider):
    from infra.local.dev_identity.provider import DevIdentityProvider

    stranger = DevIdentityProvider("https://evil.example.com", "aj74-mobile")
    token = stranger.mint({"sub": "res-x"})

    response = client.http.get("/v1/me", headers={"Authorization": f"Bearer {token}"})

    assert response.status_code == 401
    assert problem(response)["code"] in {"token-signature", "token-issuer"}
