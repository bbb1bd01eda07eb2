"""The API contract in-process: the OpenAPI document agrees with the Chalice route table, describes
every operation from the models that validate it, and each limit answers a clear 4xx problem.

Routes are called through ``chalice.test.Client``; the checks under test run before any storage
call, so no AWS is needed (an id that reached DynamoDB here would fail with a connection error).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from chalice.test import Client

from infra.template import REPO_ROOT, load, stand_in_environment

_DOCUMENT = (
    "import json, app; from aj74.api import openapi; "
    "print(json.dumps({'routes': [[p, m] for p, ms in app.app.routes.items() for m in ms], "
    "'document': openapi.build(app.app.routes)}))"
)


def served_and_documented(stage: str) -> tuple[set, dict]:
    env = {**os.environ, **stand_in_environment(load(), "ApiFunction"), "STAGE": stage}
    done = subprocess.run([sys.executable, "-c", _DOCUMENT], cwd=REPO_ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    return {(p, m.lower()) for p, m in out["routes"]}, out["document"]


@pytest.fixture(scope="module")
def app():
    import app as module

    return module.app


@pytest.fixture(scope="module")
def document(app):
    from aj74.api import openapi

    return openapi.build(app.routes)


@pytest.fixture(scope="module")
def client(app):
    with Client(app) as c:
        yield c


# ------------------------------------------------------------------ the document


@pytest.mark.parametrize("stage", ["prod", "local"])
def test_every_served_route_is_documented_and_nothing_else(stage):
    served, document = served_and_documented(stage)
    documented = {(p, m) for p, ops in document["paths"].items() for m in ops}

    assert sorted(served - documented) == [], "routes missing from the OpenAPI document"
    assert sorted(documented - served) == [], "the document names routes that do not exist"


def test_the_document_is_valid_openapi_3_1(document):
    from openapi_spec_validator import validate

    validate(document)
    assert document["openapi"] == "3.1.0"


def test_every_operation_is_declared_with_a_summary_and_problem_responses(document):
    bare = []
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            if not op["summary"]:
                bare.append((method, path))
            for status, response in op["responses"].items():
                if status.startswith(("4", "5")):
                    assert response["$ref"].startswith("#/components/responses/Problem"), (method, path, status)
    assert bare == []


def test_request_bodies_are_the_validating_models_json_schema(document):
    from aj74.polls.schemas import BallotIn

    op = document["paths"]["/v1/polls/{poll_id}/ballots"]["post"]
    ref = op["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = document["components"]["schemas"][ref.rsplit("/", 1)[-1]]

    assert schema["additionalProperties"] is False
    assert schema["properties"]["answers"]["maxItems"] == BallotIn.model_fields["answers"].metadata[1].max_length
    assert op["x-rate-limit"] == "ballots" and "429" in op["responses"]


def test_problem_responses_carry_rfc_9457_fields_and_retry_after(document):
    problem = document["components"]["schemas"]["Problem"]
    assert {"type", "title", "status", "detail", "code"} <= set(problem["required"])
    assert "errors" in problem["properties"]
    assert "Retry-After" in document["components"]["responses"]["Problem429"]["headers"]
    assert document["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


def test_path_ids_carry_their_formats(document):
    params = {p["name"]: p["schema"] for ops in document["paths"].values() for op in ops.values()
              for p in op["parameters"] if p["in"] == "path"}
    assert params["poll_id"]["pattern"] == "^[0-9A-HJKMNP-TV-Z]{26}$"
    assert set(params) == {"poll_id", "content_id", "item_id", "order_id", "subject", "territory_id", "media_id"}


def test_every_string_and_list_a_client_may_send_is_capped(document):
    uncapped = []

    def walk(node, where):
        if isinstance(node, dict):
            kinds = node.get("type")
            kinds = kinds if isinstance(kinds, list) else [kinds]
            if "string" in kinds and not ({"maxLength", "pattern", "enum", "const", "format"} & set(node)):
                uncapped.append(where)
            if "array" in kinds and "maxItems" not in node:
                uncapped.append(where)
            for key, value in node.items():
                walk(value, f"{where}.{key}")
        elif isinstance(node, list):
            for i, value in enumerate(node):
                walk(value, f"{where}[{i}]")

    for name, schema in document["components"]["schemas"].items():
        if name != "Problem":
            walk(schema, name)
    for path, ops in document["paths"].items():
        for method, op in ops.items():
            walk(op["parameters"], f"{method} {path}")
    # Dates and datetimes are bounded by their format; everything else has a length or a pattern.
    assert uncapped == []


def test_the_document_is_served_without_a_token_and_builds_no_pydantic_at_import():
    done = subprocess.run([sys.executable, "-c", "import sys, app; print('pydantic' in sys.modules)"],
                          cwd=REPO_ROOT, capture_output=True, text=True, timeout=60)
    assert done.stdout.strip() == "False", done.stderr


def test_openapi_route_answers_json(client):
    response = client.http.get("/v1/openapi.json")
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/json"
    assert json.loads(response.body)["info"]["title"].startswith("Активный житель 74")


# ------------------------------------------------------------------ limits, before any storage call


def problem(response, status: int) -> dict:
    assert response.status_code == status, response.body
    assert response.headers["Content-Type"] == "application/problem+json"
    return json.loads(response.body)


@pytest.fixture
def resident_headers(monkeypatch):
    from aj74.api import http
    from aj74.identity.principal import Principal

    class Verifier:
        def verify(self, token):
            return Principal(subject="res-limits-1", roles=frozenset({"resident"}), territory_id="gp-satka",
                             birth_year=1990, gender="f")

    monkeypatch.setattr(http, "_verifier", lambda: Verifier())
    return {"Authorization": "Bearer x", "Content-Type": "application/json"}


@pytest.mark.parametrize("path", [
    "/v1/polls/not-a-ulid", "/v1/polls/01ARZ3NDEKTSV4RRFFQ69G5FAU/results".lower(),
    "/v1/feed/..%2F..%2Fetc", "/v1/polls/' OR 1=1 --",
])
def test_a_malformed_id_is_a_404_problem(client, resident_headers, path):
    body = problem(client.http.get(path, headers=resident_headers), 404)
    assert body["code"] == "not-found" and "идентификатора" in body["detail"]


def test_a_malformed_id_in_a_write_is_refused_before_the_body_is_read(client, resident_headers):
    response = client.http.post("/v1/polls/x/ballots", headers=resident_headers, body=b"{}")
    assert problem(response, 404)["parameter"] == "poll_id"


def test_an_unknown_query_parameter_is_a_422_naming_it(client, resident_headers):
    body = problem(client.http.get("/v1/polls?limt=5", headers=resident_headers), 422)
    assert body["errors"] == [{"field": "limt", "detail": "неизвестный параметр запроса"}]


@pytest.mark.parametrize("query, field", [
    ("limit=51", "limit"), ("limit=0", "limit"), ("limit=-1", "limit"), ("limit=1e3", "limit"),
    ("state=closed", "state"), ("cursor=" + "a" * 513, "cursor"),
])
def test_pagination_and_enums_are_capped(client, resident_headers, query, field):
    body = problem(client.http.get(f"/v1/polls?{query}", headers=resident_headers), 422)
    assert body["errors"][0]["field"] == field


def test_a_body_over_64_kib_is_a_413(client, resident_headers):
    body = json.dumps({"answers": [{"question_id": "q1", "option_ids": ["q1-o1"]}], "x": "я" * 40_000})
    response = client.http.post("/v1/polls/01ARZ3NDEKTSV4RRFFQ69G5FAV/ballots", headers=resident_headers,
                                body=body.encode())
    assert "64 КиБ" in problem(response, 413)["detail"]


def test_unknown_body_fields_are_refused_by_every_model():
    from aj74.api import contract
    from aj74.api.openapi import _model
    from aj74.errors import InvalidInput
    from aj74.validation import parse_model

    refs = {r for op in contract.OPERATIONS.values() for r in ((op.body,) if isinstance(op.body, str) else
                                                                op.body if isinstance(op.body, tuple) else ())}
    assert refs
    for ref in sorted(refs):
        model = _model(ref)
        if model.model_config.get("extra") == "allow":
            continue  # VersionIn: a PATCH carries its type's fields, which the type's model then checks
        with pytest.raises(InvalidInput) as caught:
            parse_model(model, {"shoe_size": 42})
        assert {"field": "shoe_size", "detail": "неизвестное поле"} in caught.value.errors, ref


def test_rate_limited_routes_are_the_write_routes_of_residents_and_the_dev_token():
    from aj74.api import contract

    limited = {(op.method, op.path): op.rate_limit for op in contract.OPERATIONS.values() if op.rate_limit}
    assert {("POST", "/v1/polls/{poll_id}/ballots"): "ballots", ("POST", "/v1/shop/orders"): "orders",
            ("POST", "/dev/token"): "dev-token"}.items() <= limited.items()
    assert all(path.startswith("/dev/") for (_, path), name in limited.items() if name == "dev-token")
