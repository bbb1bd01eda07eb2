"""Ballot secrecy against an insider, played on the running local stack.

Thirty-six residents of varied gender and age vote (some change their mind); the insider holds
read access to every table, every message on the ballot queue and its DLQ (read while the ballots
were queued), every component log and every function's configuration — everything but the
ballot-key secret. They join every record about a resident with every ballot record on every value
they share: nothing links (the poll id aside). The test harness, which may read the secret, checks
that the join would have found a link had one existed.
"""

from __future__ import annotations

import json
import os
import signal
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.e2e.test_poll_cycle import Client, iso, queue_depth, wait_for

pytestmark = [pytest.mark.stack, pytest.mark.slow]

VOTERS = 36
CHANGERS = 6
WINDOW_SECONDS = 30
RESIDENT_TABLES = ("Points", "ShopOrders", "RateLimits")


def claims(i: int) -> dict:
    body = {"sub": f"insider-case-{i:03d}-{os.getpid()}", "roles": ["resident"],
            "territory_id": ("gp-satka", "gp-bakal", "mr-satkinsky")[i % 3],
            "birth_year": 1946 + (i * 7) % 60}
    if i % 4:
        body["gender"] = "f" if i % 2 else "m"
    return body


def answers(i: int) -> list[dict]:
    return [{"question_id": "q1", "option_ids": [f"q1-o{1 + i % 3}"]},
            {"question_id": "q2", "option_ids": sorted({f"q2-o{1 + i % 3}", f"q2-o{1 + (i // 3) % 3}"})}]


def values(item) -> set[str]:
    """Every scalar in a DynamoDB item, a message or a JSON document, as text."""
    out: set[str] = set()
    if isinstance(item, dict):
        for key, value in item.items():
            if key in ("S", "N", "B") and not isinstance(value, dict | list):
                out.add(str(value))
            else:
                out |= values(value)
    elif isinstance(item, list):
        for value in item:
            out |= values(value)
    elif item is not None:
        out.add(str(item))
    return out


def constants(records: list[dict]) -> set[str]:
    """Values every record holds (a format version, a flag): they pair everyone with everyone."""
    sets = [values(r) for r in records]
    return set.intersection(*sets) if len(sets) > 1 else set()


def shared(a: list[dict], b: list[dict], allowed: set[str]) -> list[tuple[str, str]]:
    """Values that some record of ``a`` and some record of ``b`` both hold: each one a join key
    that pairs a resident record with a ballot record (``allowed`` and constants aside)."""
    ignored = allowed | constants(a) | constants(b)
    left: dict[str, str] = {}
    for record in a:
        for value in values(record) - ignored:
            left.setdefault(value, json.dumps(record, ensure_ascii=False)[:120])
    return sorted({(value, left[value]) for record in b for value in values(record) - ignored if value in left})


def client(stack, service: str):
    """A client of the local AWS with the operator's (administrator's) credentials."""
    return stack.aws_client(service)


def peek(sqs, queue_url: str) -> list[dict]:
    """Every message on a queue as a reader sees it: each received once (hidden while reading),
    then made visible again at once, so the reader leaves the queue as it found it."""
    seen: dict[str, dict] = {}
    while True:
        got = sqs.receive_message(QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=120,
                                  AttributeNames=["All"], WaitTimeSeconds=0).get("Messages", [])
        if not got:
            break
        seen.update((m["MessageId"], m) for m in got)
    handles = [m["ReceiptHandle"] for m in seen.values()]
    for i in range(0, len(handles), 10):
        sqs.change_message_visibility_batch(QueueUrl=queue_url, Entries=[
            {"Id": str(n), "ReceiptHandle": h, "VisibilityTimeout": 0} for n, h in enumerate(handles[i:i + 10])])
    return list(seen.values())


def test_an_insider_with_every_read_but_the_secret_links_no_resident_to_a_ballot(local_stack):
    stack = local_stack
    api = Client(stack.api_url)
    moderator, approver = api.token(persona="moderator-satka"), api.token(persona="approver")
    residents = [(c, api.token(**c)) for c in map(claims, range(VOTERS))]
    now = datetime.now(UTC)
    draft = api.request("POST", "/v1/admin/polls", moderator, {
        "title": "Какой маршрут автобуса продлить?", "description": "Опрос о транспорте Саткинского района.",
        "territory_ids": ["mr-satkinsky"], "opens_at": iso(now + timedelta(seconds=3)),
        "closes_at": iso(now + timedelta(seconds=WINDOW_SECONDS)), "min_age": 16, "results_visibility": "after_vote",
        "questions": [
            {"text": "Маршрут", "kind": "single", "options": [{"text": "№ 1"}, {"text": "№ 5"}, {"text": "№ 7"}]},
            {"text": "Что ещё?", "kind": "multiple", "max_choices": 2,
             "options": [{"text": "Остановки"}, {"text": "Расписание"}, {"text": "Ночные рейсы"}]}]})
    assert draft.status_code == 201, draft.text
    poll_id = draft.json()["id"]
    api.request("POST", f"/v1/admin/polls/{poll_id}/submit", moderator, {})
    api.request("POST", f"/v1/admin/polls/{poll_id}/approve", approver, {})
    wait_for(lambda: api.request("GET", f"/v1/polls/{poll_id}", residents[0][1]).json().get("state") == "open",
             30, "the poll to open")

    # Given every ballot queued while the consumer is held, so the insider reads each message
    sqs = client(stack, "sqs")
    queue_url, dlq_url = stack.resources.ref("BallotQueue"), stack.resources.ref("BallotDeadLetterQueue")
    consumer = stack.components["BallotConsumerFunction"].process.pid
    os.killpg(consumer, signal.SIGSTOP)
    try:
        receipts = {}
        for i, (c, bearer) in enumerate(residents):
            cast = api.request("POST", f"/v1/polls/{poll_id}/ballots", bearer, {"answers": answers(i)})
            assert cast.status_code == 202, cast.text
            receipts[c["sub"]] = cast.json()["receipt"]
        for i, (c, bearer) in enumerate(residents[:CHANGERS]):
            cast = api.request("POST", f"/v1/polls/{poll_id}/ballots", bearer, {"answers": answers(i + 1)})
            assert cast.status_code == 202, cast.text
            receipts[c["sub"]] = cast.json()["receipt"]
        messages = peek(sqs, queue_url)
    finally:
        os.killpg(consumer, signal.SIGCONT)
    # (a receive the held consumer had already sent may have taken the first message or two in flight)
    assert VOTERS <= len(messages) <= VOTERS + CHANGERS

    wait_for(lambda: queue_depth(stack) == 0, 60, "the consumer to record the ballots")

    # When the poll is final and every resident has opened their points and the results
    wait_for(lambda: api.request("GET", f"/v1/polls/{poll_id}/results", residents[0][1]).json().get("state")
             == "final", WINDOW_SECONDS + 60, "the final result", every=1)
    for _, bearer in residents:
        assert api.request("GET", "/v1/me/points", bearer).status_code == 200
        assert api.request("GET", "/v1/polls?state=final", bearer).status_code == 200
    result = api.request("GET", f"/v1/polls/{poll_id}/results", residents[0][1]).json()
    assert result["total_ballots"] == VOTERS

    # And the insider dumps every table, both queues, every log and every function's configuration
    dynamodb = client(stack, "dynamodb")
    tables = {t: [i for page in dynamodb.get_paginator("scan").paginate(TableName=t) for i in page["Items"]]
              for t in dynamodb.list_tables()["TableNames"]}
    dead = peek(sqs, dlq_url)
    logs = [line for path in Path(stack.log_dir).glob("*.log")
            for line in path.read_text("utf-8", errors="replace").splitlines()]
    configuration = {f: stack.resources.env_for(f) for f in stack.resources.functions}
    subjects = {c["sub"] for c, _ in residents}

    ballots = [i for t, items in tables.items() if "Ballots" in t for i in items
               if i["pk"]["S"].startswith(poll_id)]
    about_residents = [i for t, items in tables.items() for i in items
                       if any(name in t for name in RESIDENT_TABLES) or values(i) & subjects]
    # A message as the insider reads it: its body, its id and SQS's timestamps (a delivery counter
    # says how often it was read, nothing about it)
    bodies = [json.loads(m["Body"]) | {"id": m["MessageId"], "attributes": {
        k: v for k, v in m.get("Attributes", {}).items() if k != "ApproximateReceiveCount"}}
              for m in messages + dead if m["Body"].startswith("{")]
    allowed = {poll_id}

    # Then the ledger holds one ballot per resident, the last of each
    assert len(ballots) == VOTERS
    assert {b["commitment"]["S"] for b in ballots} == {r["commitment"] for r in receipts.values()}
    # and no record about a resident shares a value with a ballot record or a queued ballot
    assert about_residents, "points credits, rate-limit counters and orders are records about residents"
    assert shared(about_residents, ballots, allowed) == []
    assert shared(about_residents, bodies, allowed) == []
    # and no message carries a resident id
    assert not [m for m in messages + dead if any(s in json.dumps(m) for s in subjects)]
    # and no log line holds both something about a resident and something of a ballot
    resident_marks = subjects | {v for r in about_residents for v in values(r) if len(v) >= 8} - allowed
    ballot_marks = {v for b in ballots + bodies for v in values(b) if len(v) >= 8} - allowed
    both = [line[:160] for line in logs if any(m in line for m in resident_marks)
            and any(m in line for m in ballot_marks)]
    assert both == []
    # and no function's configuration holds a secret value, only the secrets' ARNs
    secrets = client(stack, "secretsmanager")
    keys = [secrets.get_secret_value(SecretId=stack.resources.ref(n))["SecretString"]
            for n in ("BallotKeySecret", "BallotMessageKey")]
    exposed = json.dumps(configuration) + "\n".join(logs) + json.dumps(tables, default=repr) + json.dumps(bodies)
    assert not [k for k in keys if k in exposed]
    # and every participation credit is dated after the close, never at its ballot's moment
    closes_ms = int(datetime.fromisoformat(draft.json()["closes_at"]).timestamp() * 1000)
    credits = [i for i in about_residents if i.get("entry", {}).get("S") == f"credit#ballot#{poll_id}"]
    assert len(credits) == VOTERS and all(int(c["at"]["N"]) >= closes_ms for c in credits)

    # The join is not blind: the harness, holding the secret, plants the leak the old design had
    # (a credit stamped with its ballot's acceptance time) and the same join finds it
    from aj74.ballots.keys import ballot_key

    sub = residents[0][0]["sub"]
    mine = ballot_key(keys[0].encode(), poll_id, sub)
    [ballot] = [b for b in ballots if b["ballot_key"]["S"] == mine]
    leaky = {"account": {"S": sub}, "entry": {"S": f"credit#ballot#{poll_id}"}, "at": ballot["accepted_at"]}
    assert shared([leaky], ballots, allowed) == [(ballot["accepted_at"]["N"], json.dumps(leaky)[:120])]
