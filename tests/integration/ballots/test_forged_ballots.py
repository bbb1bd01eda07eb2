"""Only ballots the API accepted are counted: an insider who can write to the ballot queue (but
holds no message key) changes no count, no Merkle root and no balance, during voting or after the
result; what the consumer refuses lands in the DLQ. Played over moto's real SQS API."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

import pytest
from aj74.ballots.message import BallotMessage
from aj74.ballots.queue import BallotQueue
from aj74.ballots.repository import BallotLedger, LiveTallies
from aj74.clock import utcnow
from aj74.keystore import message_key
from aj74.points.repository import PointsLedger
from aj74.points.settlement import forget_final_polls, settle
from aj74.polls import service, voting
from aj74.polls.scheduling import tick
from aj74.polls.verification import integrity_report

from tests.support.polls import answers, persona, resident


@pytest.fixture
def sent(monkeypatch) -> list[BallotMessage]:
    """Every message the cast route sends, as the insider reading the queue would see it."""
    messages: list[BallotMessage] = []
    original = BallotQueue.send

    def send(self, msg):
        messages.append(msg)
        return original(self, msg)

    monkeypatch.setattr(BallotQueue, "send", send)
    return messages


OTHER_POLL = "01M00000000000000000000000"


def tampered_copies(msg: BallotMessage) -> list[str]:
    """Altered copies of one real message body (the MAC left as it was) and messages from scratch."""
    real = json.loads(msg.encode(message_key()))
    altered = [
        {**real, "option_ids": ["q1-o3", "q2-o3"]},
        {**real, "ballot_key": "Zz" * 11},
        {**real, "accepted_at_ms": real["accepted_at_ms"] - 1},
        {**real, "poll_id": OTHER_POLL},
        {**real, "territory_id": "gp-bakal", "gender": "m"},
    ]
    scratch = [
        json.loads(BallotMessage(msg.poll_id, "Yy" * 11, ("q1-o1", "q2-o1"), "e" * 64, msg.accepted_at_ms,
                                 "gp-satka", "35–44", "f").encode(b"not-the-key-but-32-bytes-long!!!")),
        {k: v for k, v in real.items() if k != "mac"},
        # The old message format, with a voter id and no MAC.
        {"v": 1, **{k: v for k, v in real.items() if k not in ("v", "mac")}, "voter": "made-up-account"},
    ]
    return [json.dumps(m, ensure_ascii=False) for m in altered + scratch]


def publish(pipeline, forged: list[str]) -> None:
    for body in forged:
        pipeline.sqs.send_message(QueueUrl=pipeline.driver.source.queue_url, MessageBody=body)
    pipeline.drain()


def counts_of(poll_id: str) -> tuple:
    result = service.get_staff(persona("approver"), poll_id)["result"]
    return result["total_ballots"], result["counts"], result["merkle_root"]


def test_forged_and_altered_messages_change_nothing_during_voting_or_after_the_result(pipeline, open_poll, sent):
    # Given twelve genuine ballots
    pipeline.dlq_bodies()
    voters = [resident(f"forge-{open_poll}-{i}") for i in range(12)]
    for i, voter in enumerate(voters):
        voting.cast_ballot(voter, open_poll, answers(i % 3 + 1, (1,)), None)
    pipeline.drain()
    live_before = service.results(voters[0], open_poll)

    # When an insider writes altered copies of a real message and messages from scratch, while voting is on
    during = tampered_copies(sent[0])
    publish(pipeline, during)

    # Then nothing is counted, and every one of them is in the DLQ
    # (12 ballots; live tallies move in steps of the threshold, 10)
    assert service.results(voters[0], open_poll)["total_ballots"] == live_before["total_ballots"] == 10
    assert sorted(pipeline.dlq_bodies()) == sorted(during)

    # Given the final result and the voters' points
    report = tick(now=utcnow() + timedelta(hours=1), grace_seconds=0)
    assert open_poll in report.finalised
    forget_final_polls()
    for voter in voters:
        settle(voter)
    before = counts_of(open_poll)
    balances = {v.subject: PointsLedger().balance(v.subject) for v in voters}

    # When the insider tries again after the result, and replays a genuine message
    after = tampered_copies(sent[1])
    publish(pipeline, after)
    pipeline.sqs.send_message(QueueUrl=pipeline.driver.source.queue_url, MessageBody=sent[2].encode(message_key()))
    pipeline.drain()
    tick(now=utcnow() + timedelta(hours=1, minutes=1), grace_seconds=0)
    forget_final_polls()

    # Then the result, its root, the amendments and every balance are as they were
    assert counts_of(open_poll) == before
    assert service.get_staff(persona("approver"), open_poll)["amendments"] == []
    assert {v.subject: PointsLedger().balance(v.subject) for v in voters} == balances == {
        v.subject: 10 for v in voters}
    assert PointsLedger().balance("made-up-account") == 0
    assert integrity_report(persona("approver"), open_poll)["ok"] is True
    assert sorted(pipeline.dlq_bodies()) == sorted(after)


def test_a_signed_ballot_the_poll_could_not_have_accepted_is_refused(pipeline, open_poll, sent):
    # Given a genuine ballot, and copies signed with the real key (an API bug, or a key holder) that
    # break the poll's rules: an unknown option, two answers to a single-choice question, a missing
    # answer, and acceptance at or after close
    pipeline.dlq_bodies()
    voter = resident(f"signed-{open_poll}")
    voting.cast_ballot(voter, open_poll, answers(1, (1,)), None)
    genuine = sent[0]
    closes_at = service.get_staff(persona("approver"), open_poll)["closes_at"]
    closes_ms = int(datetime.fromisoformat(closes_at).timestamp() * 1000)

    def signed(**changes) -> str:
        fields = {**genuine.__dict__, **changes}
        return BallotMessage(**fields).encode(message_key())

    bad = [
        signed(ballot_key="Aa" * 11, option_ids=("q1-o1", "q2-o9")),
        signed(ballot_key="Bb" * 11, option_ids=("q1-o1", "q1-o2", "q2-o1")),
        signed(ballot_key="Cc" * 11, option_ids=("q1-o1",)),
        signed(ballot_key="Dd" * 11, accepted_at_ms=closes_ms),
        signed(ballot_key="Ee" * 11, accepted_at_ms=closes_ms + 86_400_000),
        signed(ballot_key="Ff" * 11, poll_id=OTHER_POLL),
    ]

    # When they reach the queue beside the genuine ballot
    publish(pipeline, bad)

    # Then only the genuine ballot is in the ledger and the live tally, and the refused are dead-lettered
    keys = {b.ballot_key for b in BallotLedger().all_ballots(open_poll)}
    assert keys == {genuine.ballot_key}
    assert LiveTallies().read(open_poll)[0] == 1
    assert sorted(pipeline.dlq_bodies()) == sorted(bad)
