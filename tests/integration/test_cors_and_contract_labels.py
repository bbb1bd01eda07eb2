"""CORS for two web origins (the admin site and the resident web app), answered by the middleware,
preflight included, and what the OpenAPI document declares for the resident app: the
Idempotency-Key header where it is required, the labels next to codes, the order route."""

from __future__ import annotations

import os

import pytest
from chalice.test import Client

from infra.local.api_server import PreflightToAppGateway
from tests.support.env import clear_cached_clients

ADMIN, RESIDENT, OTHER = "http://127.0.0.1:8080", "http://127.0.0.1:8090", "https://evil.example"


@pytest.fixture(scope="module")
def app():
    """The app with the two web origins of the local stack; tests that ran before in this process
    may have pointed the environment at a stack of their own, so it is set here and restored after."""
    from aj74.settings import get_settings

    saved = dict(os.environ)
    os.environ.update({"ADMIN_ORIGIN": ADMIN, "RESIDENT_ORIGIN": RESIDENT})
    clear_cached_clients()
    assert get_settings().resident_origin == RESIDENT and get_settings().admin_origin == ADMIN
    import app as module

    try:
        yield module.app
    finally:
        os.environ.clear()
        os.environ.update(saved)
        clear_cached_clients()


@pytest.fixture(scope="module")
def client(app):
    with Client(app) as c:
        # OPTIONS reaches the app, as template.yaml routes it to the function.
        c.http._local_gateway = PreflightToAppGateway(app, c.http._config)
        yield c


def _preflight(client, origin: str, path: str = "/v1/shop/orders"):
    return client.http.options(path, headers={"Origin": origin, "Access-Control-Request-Method": "POST",
                                              "Access-Control-Request-Headers": "authorization,idempotency-key"})


@pytest.mark.parametrize("origin", [ADMIN, RESIDENT])
def test_a_preflight_from_either_web_origin_is_granted_to_that_origin(client, origin):
    response = _preflight(client, origin)

    assert 200 <= response.status_code < 300
    assert response.headers["Access-Control-Allow-Origin"] == origin
    assert "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Idempotency-Key" in response.headers["Access-Control-Allow-Headers"]
    assert response.headers["Vary"] == "Origin"


def test_a_preflight_from_a_third_origin_is_not_granted(client):
    response = _preflight(client, OTHER)

    assert "Access-Control-Allow-Origin" not in response.headers
    assert "Access-Control-Allow-Methods" not in response.headers
    assert response.headers["Vary"] == "Origin"


@pytest.mark.parametrize("origin", [ADMIN, RESIDENT])
def test_answers_and_problems_carry_the_callers_origin(client, origin):
    ok = client.http.get("/v1/health", headers={"Origin": origin})
    problem = client.http.get("/v1/polls", headers={"Origin": origin})  # no token: 401

    for response in (ok, problem):
        assert response.headers["Access-Control-Allow-Origin"] == origin
        assert "Location" in response.headers["Access-Control-Expose-Headers"]
        assert response.headers["Vary"] == "Origin"
    assert problem.status_code == 401


def test_an_answer_to_a_third_origin_has_no_grant(client):
    response = client.http.get("/v1/health", headers={"Origin": OTHER})

    assert response.status_code == 200
    assert "Access-Control-Allow-Origin" not in response.headers


def test_a_preflight_of_an_unknown_path_is_not_answered_by_the_app(client):
    assert _preflight(client, RESIDENT, "/v1/nowhere").status_code in (403, 404)


# ------------------------------------------------------------------ the document
@pytest.fixture(scope="module")
def document(app):
    from aj74.api import openapi

    return openapi.build(app.routes)


def _header(document, path: str, method: str, name: str) -> dict | None:
    params = document["paths"][path][method]["parameters"]
    return next((p for p in params if p["in"] == "header" and p["name"] == name), None)


def test_the_idempotency_key_is_declared_where_it_is_required(document):
    order = _header(document, "/v1/shop/orders", "post", "Idempotency-Key")
    ballot = _header(document, "/v1/polls/{poll_id}/ballots", "post", "Idempotency-Key")

    assert order["required"] is True and order["schema"]["minLength"] == 8
    assert ballot["required"] is False


def test_the_order_location_names_a_documented_route(document):
    assert document["paths"]["/v1/me/orders/{order_id}"]["get"]["x-roles"] == ["resident"]


def test_the_resident_poll_schema_names_can_vote_participants_images_and_labels(document):
    poll = document["paths"]["/v1/polls/{poll_id}"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]

    for name in ("can_vote", "cannot_vote_reason", "participants", "image", "state_title"):
        assert name in poll["required"]
    feed = document["paths"]["/v1/feed"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert {"severity_title", "category_title", "status_title", "type_title"} <= set(
        feed["properties"]["items"]["items"]["properties"])
