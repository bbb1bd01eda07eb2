"""Exactly-once counting under the faults SQS and DynamoDB really produce.

Every test ends the same way: the scheduler closes and finalises the poll, and the final result
must equal the count of the valid first ballots, each voter's points must be exact, and only a
poison message may reach the DLQ.
"""

from __future__ import annotations

import json
import threading
from collections import Counter
from datetime import timedelta

import pytest
from aj74.ballots.queue import BallotQueue
from aj74.clock import utcnow
from aj74.errors import Conflict
from aj74.points.repository import PointsLedger
from aj74.points.settlement import forget_final_polls, settle
from aj74.polls import service, voting
from aj74.polls.recording import BallotRecorder
from aj74.polls.scheduling import tick

from infra.local.invocation import InvocationError
from tests.integration.ballots.faults import throttled_writes
from tests.support.polls import answers, persona, resident

pytestmark = pytest.mark.slow

POINTS = 10


def finalise(poll_id: str) -> dict:
    report = tick(now=utcnow() + timedelta(hours=2), grace_seconds=0)
    assert poll_id in report.finalised
    return service.results(persona("resident-satka"), poll_id)


def option_counts(result: dict) -> Counter:
    return Counter({o["id"]: o["count"] for q in result["questions"] for o in q["options"] if o["count"]})


def expected_counts(choices: list[tuple[int, tuple[int, ...]]]) -> Counter:
    counts = Counter()
    for q1, q2 in choices:
        counts[f"q1-o{q1}"] += 1
        counts.update(f"q2-o{i}" for i in q2)
    return counts


def choice_for(i: int) -> tuple[int, tuple[int, ...]]:
    return (i % 3 + 1, tuple(sorted({i % 3 + 1, (i // 3) % 3 + 1})))


def assert_points(subs, expected: int) -> None:
    """Each resident (of Сатка, as they voted) settles their participation, then holds ``expected``."""
    forget_final_polls()
    for sub in subs:
        settle(resident(sub))
        settle(resident(sub))  # a second settlement credits nothing more
    ledger = PointsLedger()
    assert {s: ledger.balance(s) for s in subs} == {s: expected for s in subs}


def test_each_ballot_delivered_two_to_five_times_counts_once(pipeline, open_poll, monkeypatch):
    # Given 30 residents whose ballots SQS delivers 2, 3, 4 or 5 times each
    original_send = BallotQueue.send
    copies = iter([2, 3, 4, 5] * 10)

    def send_duplicated(self, msg):
        ids = [original_send(self, msg) for _ in range(next(copies))]
        return ids[0]

    monkeypatch.setattr(BallotQueue, "send", send_duplicated)
    voters = [resident(f"dup-{open_poll}-{i}") for i in range(30)]
    choices = [choice_for(i) for i in range(30)]
    for voter, (q1, q2) in zip(voters, choices, strict=True):
        voting.cast_ballot(voter, open_poll, answers(q1, q2), None)
    # When the consumer works through every copy
    pipeline.drain()
    # Then each ballot is counted once, live and final, and points are credited once
    result = finalise(open_poll)
    assert result["total_ballots"] == 30
    assert option_counts(result) == expected_counts(choices)
    assert service.get_staff(persona("approver"), open_poll)["result"]["live_tally_matched"] is True
    assert_points([v.subject for v in voters], POINTS)


class Crash(BaseException):
    """The Lambda execution environment dying mid-batch (not an exception the handler catches)."""


@pytest.mark.parametrize("crash_after", [0, 7, 19])
def test_consumer_crash_after_k_of_n_records_loses_and_doubles_nothing(pipeline, open_poll, monkeypatch,
                                                                        crash_after):
    # Given 20 queued ballots and a consumer that dies after recording k of them, once
    voters = [resident(f"crash-{crash_after}-{open_poll}-{i}") for i in range(20)]
    choices = [choice_for(i) for i in range(20)]
    for voter, (q1, q2) in zip(voters, choices, strict=True):
        voting.cast_ballot(voter, open_poll, answers(q1, q2), None)
    calls = {"n": 0, "crashed": False}
    original_record = BallotRecorder.record

    def record_then_crash(self, body):
        if not calls["crashed"] and calls["n"] == crash_after:
            calls["crashed"] = True
            raise Crash()
        calls["n"] += 1
        return original_record(self, body)

    monkeypatch.setattr(BallotRecorder, "record", record_then_crash)
    original_invoke = pipeline.driver.invoke

    def invoke(event):
        try:
            return original_invoke(event)
        except Crash as exc:
            raise InvocationError("execution environment crashed") from exc

    monkeypatch.setattr(pipeline.driver, "invoke", invoke)
    # When the queue is drained (the crashed batch comes back whole)
    pipeline.drain()
    # Then every ballot is counted exactly once and every voter has exactly their points
    assert calls["crashed"]
    result = finalise(open_poll)
    assert result["total_ballots"] == 20
    assert option_counts(result) == expected_counts(choices)
    assert_points([v.subject for v in voters], POINTS)


def test_throttled_writes_are_retried_until_every_ballot_counts(pipeline, open_poll):
    # Given 40 ballots and DynamoDB refusing 30 % of the consumer's write requests
    voters = [resident(f"throttle-{open_poll}-{i}") for i in range(40)]
    choices = [choice_for(i) for i in range(40)]
    for voter, (q1, q2) in zip(voters, choices, strict=True):
        voting.cast_ballot(voter, open_poll, answers(q1, q2), None)
    with throttled_writes(0.3) as injected:
        pipeline.drain()
    # Then the throttling happened, and still each ballot and each credit landed exactly once
    assert injected["count"] > 5
    result = finalise(open_poll)
    assert result["total_ballots"] == 40
    assert option_counts(result) == expected_counts(choices)
    assert_points([v.subject for v in voters], POINTS)


def test_concurrent_double_submits_count_one_ballot_per_resident(pipeline, open_poll):
    # Given 8 residents who each fire 5 different ballots at once
    voters = [resident(f"double-{open_poll}-{i}") for i in range(8)]
    receipts: dict[str, list[str]] = {v.subject: [] for v in voters}
    lock = threading.Lock()

    def submit(voter, k):
        try:
            body = voting.cast_ballot(voter, open_poll, answers(k % 3 + 1, (k % 3 + 1,)), None)
        except Conflict:
            return
        with lock:
            receipts[voter.subject].append(body["receipt"]["commitment"])

    threads = [threading.Thread(target=submit, args=(v, k)) for v in voters for k in range(5)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pipeline.drain()
    # Then exactly one ballot per resident is counted, and it is one the resident was given a receipt for
    counted = {v.subject: voting.ballot_state(v, open_poll, None) for v in voters}
    assert all(state["state"] == "counted" for state in counted.values())
    assert all(counted[s]["commitment"] in receipts[s] for s in receipts)
    result = finalise(open_poll)
    assert result["total_ballots"] == 8
    assert sum(option_counts(result)[f"q1-o{i}"] for i in (1, 2, 3)) == 8
    assert_points(list(receipts), POINTS)


def test_client_retries_with_one_idempotency_key_get_one_answer_and_one_count(pipeline, open_poll):
    # Given a resident whose app retries the same ballot with the same Idempotency-Key
    voter = resident(f"retry-{open_poll}")
    body = answers(2, (1, 3))
    first = voting.cast_ballot(voter, open_poll, body, "phone-retry-1")
    second = voting.cast_ballot(voter, open_poll, body, "phone-retry-1")
    pipeline.drain()
    third = voting.cast_ballot(voter, open_poll, body, "phone-retry-1")
    # Then every retry gets the same 202, before and after the ballot is counted
    assert first == second == third
    # And a different ballot is accepted as a change of mind, and only the change counts
    changed = voting.cast_ballot(voter, open_poll, answers(1, (2,)), "another-key")
    assert changed["receipt"]["commitment"] != first["receipt"]["commitment"]
    pipeline.drain()
    result = finalise(open_poll)
    assert result["total_ballots"] == 1
    assert option_counts(result) == expected_counts([(1, (2,))])
    assert_points([voter.subject], POINTS)


def test_only_a_poison_message_reaches_the_dead_letter_queue(pipeline, open_poll):
    # Given ten good ballots and one message no consumer can ever read
    pipeline.dlq_bodies()  # start from an empty DLQ
    voters = [resident(f"poison-{open_poll}-{i}") for i in range(10)]
    for i, voter in enumerate(voters):
        voting.cast_ballot(voter, open_poll, answers(*choice_for(i)), None)
    poison = json.dumps({"v": 1, "poll_id": open_poll, "ballot_key": "x"})
    pipeline.sqs.send_message(QueueUrl=pipeline.driver.source.queue_url, MessageBody=poison)
    # When the queue is drained
    pipeline.drain()
    # Then the poison message, and only it, is in the DLQ, and the good ballots all count
    assert pipeline.dlq_bodies() == [poison]
    result = finalise(open_poll)
    assert result["total_ballots"] == 10
    assert_points([v.subject for v in voters], POINTS)
