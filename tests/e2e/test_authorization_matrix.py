"""The authorisation matrix: every decision-cycle route × every persona → the status in
docs/authorization-matrix.md. One test reads the table and asserts every cell over HTTP against
the local stack, so the document and the server cannot drift apart.

``{draft}``, ``{open}`` and ``{final}`` in the table are Сатка polls in those states, made by the
moderator of Саткинский район. Mutating requests are chosen so that repeating them for every persona
changes nothing a later row depends on (a stale version, an action the state forbids).
"""

from __future__ import annotations

import os
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests

pytestmark = [pytest.mark.stack, pytest.mark.slow]

TABLE = Path(__file__).resolve().parents[2] / "docs" / "authorization-matrix.md"
PERSONAS = ("resident-satka", "moderator-satka", "moderator-magnitogorsk", "approver", "admin", "analyst",
            "no-token", "expired")
# Prefixes the matrix must cover completely: every route of the app under them has a row.
COVERED = ("/v1/polls", "/v1/admin/polls", "/v1/admin/audit", "/v1/admin/staff")


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def poll_body(opens: datetime, closes: datetime, title: str = "Освещение набережной") -> dict:
    return {"title": title, "territory_ids": ["mr-satkinsky"], "opens_at": iso(opens), "closes_at": iso(closes),
            "min_age": 14, "results_visibility": "after_close",
            "questions": [{"text": "Где поставить фонари?", "kind": "single",
                           "options": [{"text": "У пруда"}, {"text": "У школы"}]}]}


BODIES = {
    ("POST", "/v1/admin/polls"): lambda now: poll_body(now + timedelta(days=1), now + timedelta(days=2)),
    ("PATCH", "/v1/admin/polls/{draft}"): lambda now: {"version": 999, "title": "Новая редакция"},
    ("POST", "/v1/polls/{open}/ballots"): lambda now: {"answers": [{"question_id": "q1", "option_ids": ["q1-o1"]}]},
    ("POST", "/v1/admin/polls/{final}/reject"): lambda now: {"comment": "Нет"},
    ("PUT", "/v1/admin/polls/{final}/execution"): lambda now: {"decision": "Поставить фонари у пруда",
                                                              "status": "planned"},
    ("POST", "/v1/admin/polls/{final}/execution/updates"): lambda now: {"date": "2026-12-01",
                                                                       "text": "Заключён контракт", "links": []},
    ("PUT", "/v1/admin/staff/matrix-subject"): lambda now: {"roles": ["analyst"], "scope_territory_ids": []},
}


def read_table() -> list[tuple[str, str, dict[str, int]]]:
    rows = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if not line.startswith("| `") or len(cells) != len(PERSONAS) + 1:
            continue
        method, path = cells[0].strip("`").split(" ", 1)
        rows.append((method, path, dict(zip(PERSONAS, (int(c) for c in cells[1:]), strict=True))))
    return rows


class Api:
    def __init__(self, base: str) -> None:
        self.base, self.http = base, requests.Session()

    def token(self, **body) -> str:
        response = self.http.post(f"{self.base}/dev/token", json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def call(self, method: str, path: str, token: str | None, body=None) -> requests.Response:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        return self.http.request(method, self.base + path, json=body, headers=headers, timeout=30)


def wait_for_state(api: Api, token: str, poll_id: str, state: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if api.call("GET", f"/v1/admin/polls/{poll_id}", token).json()["state"] == state:
            return
        time.sleep(0.5)
    raise AssertionError(f"poll {poll_id} never reached {state}")


@pytest.fixture(scope="module")
def world(local_stack):
    api = Api(local_stack.api_url)
    tokens = {p: api.token(persona=p) for p in PERSONAS[:6]}
    tokens["no-token"] = None
    tokens["expired"] = api.token(persona="moderator-satka", lifetime_seconds=-3600)
    mod, approver = tokens["moderator-satka"], tokens["approver"]
    now = datetime.now(UTC)

    def approved(opens, closes, title):
        poll = api.call("POST", "/v1/admin/polls", mod, poll_body(opens, closes, title)).json()
        assert api.call("POST", f"/v1/admin/polls/{poll['id']}/submit", mod).status_code == 200
        assert api.call("POST", f"/v1/admin/polls/{poll['id']}/approve", approver).status_code == 200
        return poll["id"]

    ids = {"draft": api.call("POST", "/v1/admin/polls", mod,
                             poll_body(now + timedelta(days=1), now + timedelta(days=2), "Черновик")).json()["id"],
           "open": approved(now, now + timedelta(hours=2), "Идёт голосование"),
           "final": approved(now, now + timedelta(seconds=6), "Итоги подведены")}
    wait_for_state(api, approver, ids["open"], "open")
    wait_for_state(api, approver, ids["final"], "final")
    return api, tokens, ids


def test_every_route_and_persona_gets_the_status_in_the_table(world, local_stack):
    api, tokens, ids = world
    rows = read_table()
    assert rows, f"no matrix rows in {TABLE}"
    now = datetime.now(UTC)
    record = os.environ.get("AJ74_RECORD_MATRIX")
    mismatches, recorded = [], []
    for method, template, expected in rows:
        path = template.format(**ids)
        make_body = BODIES.get((method, template))
        actual = {}
        for persona in PERSONAS:
            response = api.call(method, path, tokens[persona], make_body(now) if make_body else None)
            actual[persona] = response.status_code
            if response.status_code >= 400:
                assert response.headers["content-type"].startswith("application/problem+json"), (method, path)
                assert re.search("[А-Яа-яЁё]", response.json()["detail"]), response.text
            if persona in expected and actual[persona] != expected[persona]:
                mismatches.append(f"{method} {template} as {persona}: expected {expected[persona]}, "
                                  f"got {actual[persona]} {response.text[:160]}")
        recorded.append(f"| `{method} {template}` | " + " | ".join(str(actual[p]) for p in PERSONAS) + " |")
    if record:
        Path(record).write_text("\n".join(recorded) + "\n", encoding="utf-8")
    assert mismatches == []


def test_the_table_covers_every_decision_cycle_route(world):
    from infra.local.provision import load_template

    declared = {(e["Properties"]["Method"].upper(), e["Properties"]["Path"])
                for r in load_template()["Resources"].values() if r["Type"] == "AWS::Serverless::Function"
                for e in r["Properties"].get("Events", {}).values() if e["Type"] == "Api"}
    in_table = {(m, re.sub(r"\{(draft|open|final)\}", "{poll_id}", p).replace("matrix-subject", "{subject}"))
                for m, p, _ in read_table()}
    missing = sorted(r for r in declared if r[1].startswith(COVERED) and r not in in_table)
    assert missing == []


def test_a_magnitogorsk_moderator_touching_a_satka_poll_is_told_why(world):
    api, tokens, ids = world

    response = api.call("GET", f"/v1/admin/polls/{ids['final']}/results", tokens["moderator-magnitogorsk"])

    assert response.status_code == 403
    detail = response.json()["detail"]
    assert "вне вашей зоны ответственности" in detail and "Саткинский" in detail
