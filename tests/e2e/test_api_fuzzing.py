"""The API against its own OpenAPI document, over HTTP on a local stack of its own: schemathesis
fuzzes every operation with a resident's and a staff token; the per-resident ballot limit answers
429 with Retry-After; and afterwards no component log holds a token or a resident's personal data.

The stack is this module's own (not the session's ``local_stack``): fuzzing creates drafts, items
and adjustments with random content that other suites' expectations should not meet.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from infra.local.stack import LocalStack
from tests.e2e.conftest import stack_on_free_ports

pytestmark = [pytest.mark.stack, pytest.mark.slow]

# Bounded so that both runs take about a minute each on two cores (every operation, every phase).
MAX_EXAMPLES = 3
SEED = "20261128"
CHECKS = ",".join([
    "not_a_server_error", "status_code_conformance", "content_type_conformance", "response_schema_conformance",
    "response_headers_conformance", "negative_data_rejection",
])

# A resident minted with explicit claims, so that the log scan looks for values nothing else has.
PRIVATE_RESIDENT = {"sub": "e2e-privacy-4f7c2a", "roles": ["resident"], "territory_id": "gp-satka",
                    "birth_year": 1937, "gender": "f"}
JWT = re.compile(r"eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}")


@pytest.fixture(scope="module")
def stack(tmp_path_factory) -> Iterator[LocalStack]:
    with stack_on_free_ports(tmp_path_factory.mktemp("contract-stack")) as started:
        yield started


def token(api_url: str, **body) -> str:
    response = requests.post(f"{api_url}/dev/token", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def open_poll_for(api_url: str, bearer: str) -> dict:
    polls = requests.get(f"{api_url}/v1/polls", headers={"Authorization": f"Bearer {bearer}"}, timeout=10).json()
    ids = [p["id"] for p in polls["items"]]
    assert ids, "the demo seed opens polls in Сатка"
    return requests.get(f"{api_url}/v1/polls/{ids[0]}", headers={"Authorization": f"Bearer {bearer}"},
                        timeout=10).json()


def test_the_document_names_every_served_route_and_nothing_else(stack):
    # Given the document the stack serves, When compared with the app's route table
    document = requests.get(f"{stack.api_url}/v1/openapi.json", timeout=10).json()
    done = subprocess.run([sys.executable, "-c", "import json, app; print(json.dumps("
                           "[[p, m] for p, ms in app.app.routes.items() for m in ms]))"],
                          capture_output=True, text=True, timeout=60, check=True)
    served = {(p, m.lower()) for p, m in json.loads(done.stdout.strip().splitlines()[-1])}
    documented = {(p, m) for p, ops in document["paths"].items() for m in ops}

    # Then they are the same set: the local stage serves the /dev routes, and documents them
    assert documented == served


def test_a_resident_casting_too_fast_gets_429_with_retry_after(stack):
    # Given a resident and an open poll of their territory
    bearer = token(stack.api_url, sub="e2e-ratelimit-1", roles=["resident"], territory_id="gp-satka",
                   birth_year=1990, gender="m")
    poll = open_poll_for(stack.api_url, bearer)
    answers = [{"question_id": q["id"], "option_ids": [q["options"][0]["id"]]} for q in poll["questions"]]
    headers = {"Authorization": f"Bearer {bearer}", "Idempotency-Key": "same-ballot"}

    # When the app retries the same ballot eleven times within a minute (the limit is ten)
    statuses = []
    for _ in range(11):
        response = requests.post(f"{stack.api_url}/v1/polls/{poll['id']}/ballots", json={"answers": answers},
                                 headers=headers, timeout=10)
        statuses.append(response.status_code)

    # Then the first ten are accepted and the eleventh is a 429 problem that says when to retry
    assert statuses[:10] == [202] * 10, statuses
    assert response.status_code == 429
    assert response.headers["Content-Type"].startswith("application/problem+json")
    assert 1 <= int(response.headers["Retry-After"]) <= 60
    body = response.json()
    assert body["code"] == "rate-limited" and "Повторите через" in body["detail"]


def test_a_resident_with_unique_attributes_reads_and_votes(stack):
    # Given a resident whose attributes appear nowhere else (the log scan below looks for them)
    bearer = token(stack.api_url, **PRIVATE_RESIDENT)
    auth = {"Authorization": f"Bearer {bearer}"}
    poll = open_poll_for(stack.api_url, bearer)
    answers = [{"question_id": q["id"], "option_ids": [q["options"][0]["id"]]} for q in poll["questions"]]

    # When they vote, read their profile, feed, points and ballot, and send a stray query parameter
    cast = requests.post(f"{stack.api_url}/v1/polls/{poll['id']}/ballots", json={"answers": answers},
                         headers=auth, timeout=10)
    reads = [requests.get(f"{stack.api_url}{path}", headers=auth, timeout=10) for path in (
        "/v1/me", "/v1/feed", "/v1/me/points", f"/v1/polls/{poll['id']}/ballot",
        f"/v1/polls?state=final&birth_year={PRIVATE_RESIDENT['birth_year']}")]

    # Then everything is answered, the stray parameter with a 422 that names it
    assert cast.status_code == 202
    assert [r.status_code for r in reads[:3]] == [200, 200, 200]
    assert reads[4].status_code == 422 and reads[4].json()["errors"][0]["field"] == "birth_year"


def scan_all_tables(stack: LocalStack) -> dict[str, list[dict]]:
    from infra.local.provision import aws_client

    dynamodb = aws_client("dynamodb", stack.aws_endpoint)
    items = {}
    for table in dynamodb.list_tables()["TableNames"]:
        pages = dynamodb.get_paginator("scan").paginate(TableName=table)
        items[table] = [item for page in pages for item in page["Items"]]
    return items


def test_storage_holds_only_a_pseudonymous_id_territory_and_coarse_attributes(stack):
    # Given the resident above, whose ballot the consumer has counted
    bearer = token(stack.api_url, **PRIVATE_RESIDENT)
    poll = open_poll_for(stack.api_url, bearer)
    deadline = time.monotonic() + 60
    while requests.get(f"{stack.api_url}/v1/polls/{poll['id']}/ballot", timeout=10,
                       headers={"Authorization": f"Bearer {bearer}"}).json().get("state") != "counted":
        assert time.monotonic() < deadline, "the ballot was not counted"
        time.sleep(1)
    tables = scan_all_tables(stack)
    holding = {t for t, items in tables.items() for i in items
               if PRIVATE_RESIDENT["sub"] in json.dumps(i, default=repr)}

    # When every item of every table is read
    everything = json.dumps(tables, ensure_ascii=False, default=repr)  # (published lists hold bytes)

    # Then the pseudonymous subject is kept at most as the account of points (credited after a
    # result, decision 012) and orders, never with a ballot; the birth year is nowhere (ballots keep
    # an age band); no name, phone or e-mail claim
    assert all("Points" in t or "ShopOrders" in t for t in holding), holding
    # (compared as whole values: a millisecond timestamp or a hash may contain "1937" by chance)
    values = [v for items in tables.values() for i in items for attr in i.values() for v in attr.values()]
    assert "birth_year" not in everything and not [v for v in values if str(v) == "1937"]
    ballots = [i for t, items in tables.items() if "Ballots" in t for i in items]
    assert ballots and all(set(i) <= {"pk", "ballot_key", "options", "commitment", "accepted_at", "territory",
                                      "age_band", "gender"} for i in ballots), ballots[0]


@pytest.mark.parametrize("persona", ["resident-satka", "approver"])
def test_schemathesis_finds_no_failure_over_every_operation(stack, persona, tmp_path):
    # (Runs after the tests above: with a staff token its stateful phase cancels the demo polls.)
    # Given a token of a resident or of the Directorate's approver
    bearer = token(stack.api_url, persona=persona)

    # When schemathesis runs every phase over every operation of the served document
    cli = Path(sys.executable).with_name("schemathesis")
    done = subprocess.run(
        [str(cli), "run", f"{stack.api_url}/v1/openapi.json", "--url", stack.api_url,
         "-H", f"Authorization: Bearer {bearer}", "--checks", CHECKS, "--max-examples", str(MAX_EXAMPLES),
         "--seed", SEED, "--workers", "2", "--no-color", "--generation-database", "none"],
        capture_output=True, text=True, timeout=600, cwd=tmp_path)  # its caches stay out of the repository

    # Then it reports no failure: no 5xx, statuses, media types, headers and bodies as documented
    # (every error documented as application/problem+json), schema-invalid input refused
    report = done.stdout + done.stderr
    assert done.returncode == 0, report[-8000:]
    assert re.search(r"\d+ generated, \d+ passed", report), report[-3000:]


def test_component_logs_hold_no_token_and_no_personal_data(stack):
    # Given the resident above, the rate-limited resident and schemathesis's thousands of requests,
    # every one of them with a bearer token, all served by this module's stack
    # When every component's log is read
    logs = {path.name: path.read_text("utf-8", errors="replace") for path in Path(stack.log_dir).glob("*.log")}
    assert logs, "the stack writes component logs"

    # Then none holds a bearer token, the resident's subject, or their birth year or gender as data
    subjects = [PRIVATE_RESIDENT["sub"], "res-satka-0001", "e2e-ratelimit-1"]
    leaks = []
    for name, text in logs.items():
        leaks += [(name, "JWT", m.group()[:20]) for m in JWT.finditer(text)]
        leaks += [(name, "subject", s) for s in subjects if s in text]
        leaks += [(name, "birth_year", m.group()) for m in re.finditer(r"birth_year\W{1,4}\d{4}|\b1937\b", text)]
        leaks += [(name, "gender", m.group()) for m in re.finditer(r"gender\W{1,4}[fm]\b", text)]
    assert leaks == []
