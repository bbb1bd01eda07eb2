"""Participation points: credited once per resident and poll, after the result, by the API that
alone can tell whose ballot key is whose — never at the moment of voting, never by the consumer."""

from __future__ import annotations

from datetime import timedelta

from aj74.ballots.keys import ballot_key
from aj74.ballots.queue import BallotQueue
from aj74.ballots.repository import BallotLedger
from aj74.clock import utcnow
from aj74.keystore import ballot_key_secret
from aj74.points import service as points
from aj74.points.repository import PointsLedger
from aj74.points.settlement import forget_final_polls, settle
from aj74.polls import voting
from aj74.polls.scheduling import tick

from tests.support.polls import answers, resident


def finalise_now(poll_id: str) -> None:
    """Close and finalise the poll at once by ticking at a time past its close."""
    later = utcnow() + timedelta(hours=1)
    report = tick(now=later, grace_seconds=0)
    assert poll_id in report.closed and poll_id in report.finalised
    forget_final_polls()


def test_a_ballot_delivered_five_times_earns_points_once_after_the_result(pipeline, open_poll, monkeypatch):
    # Given a resident whose ballot SQS delivers five times
    original_send = BallotQueue.send
    monkeypatch.setattr(BallotQueue, "send", lambda self, msg: [original_send(self, msg) for _ in range(5)][0])
    voter = resident(f"five-{open_poll}")
    voting.cast_ballot(voter, open_poll, answers(1, (2,)), None)
    pipeline.drain()
    # While the poll is open nothing is credited: a credit now would date the ballot
    assert points.my_points(voter, 20, None)["balance"] == 0
    assert PointsLedger().entries(voter.subject) == []

    # When the result is published and the resident opens their points twice
    finalise_now(open_poll)
    first = points.my_points(voter, 20, None)
    second = points.my_points(voter, 20, None)

    # Then one credit stands, for the points of one ballot
    entries = PointsLedger().entries(voter.subject)
    assert [e["entry"] for e in entries] == [f"credit#ballot#{open_poll}"]
    assert (first["balance"], first["lifetime"], first["level"]["name"]) == (10, 10, "Новичок")
    assert second["balance"] == 10
    # and the credit shares no value with the ballot but the poll id
    ballot = BallotLedger().get(open_poll, ballot_key(ballot_key_secret(), open_poll, voter.subject))
    assert entries[0]["at"] != ballot.accepted_at_ms


def test_a_repeated_credit_is_refused_and_leaves_the_entry_untouched(pipeline, open_poll):
    # Given a credit for a poll
    ledger = PointsLedger()
    account = f"again-{open_poll}"
    assert ledger.credit_ballot(account, open_poll, 10, 1_000) is True

    # When it is written again with other points and another time
    again = ledger.credit_ballot(account, open_poll, 99, 2_000)

    # Then the second write answers "already credited" and the entry is the first one
    assert again is False
    [entry] = ledger.entries(account)
    assert (entry["points"], entry["at"]) == (10, 1_000)


def test_residents_who_did_not_vote_or_live_elsewhere_get_nothing(pipeline, open_poll):
    # Given one voter and a neighbour who did not vote
    voter, neighbour = resident(f"voter-{open_poll}"), resident(f"neighbour-{open_poll}")
    voting.cast_ballot(voter, open_poll, answers(2, (1,)), None)
    pipeline.drain()
    finalise_now(open_poll)

    # When both settle
    assert settle(voter) == [open_poll]
    assert settle(neighbour) == []

    # Then only the voter holds a credit, and a second settlement credits nothing
    assert settle(voter) == []
    assert PointsLedger().entries(neighbour.subject) == []
