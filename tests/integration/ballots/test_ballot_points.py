"""Points for a counted ballot are credited once, whatever the number of deliveries."""

from __future__ import annotations

from aj74.ballots.queue import BallotQueue
from aj74.points import service as points
from aj74.points.repository import PointsLedger
from aj74.polls import service

from tests.support.polls import answers, resident


def test_a_ballot_delivered_five_times_credits_points_once(pipeline, open_poll, monkeypatch):
    # Given a resident whose ballot SQS delivers five times
    original_send = BallotQueue.send
    monkeypatch.setattr(BallotQueue, "send", lambda self, msg: [original_send(self, msg) for _ in range(5)][0])
    voter = resident(f"five-{open_poll}")
    service.cast_ballot(voter, open_poll, answers(1, (2,)), None)
    # When the consumer works through all five copies
    pipeline.drain()
    # Then the ledger holds one credit for the poll and the balance is the points of one ballot
    entries = PointsLedger().entries(voter.subject)
    assert [e["entry"] for e in entries] == [f"credit#ballot#{open_poll}"]
    mine = points.my_points(voter, 20, None)
    assert (mine["balance"], mine["lifetime"], mine["level"]["name"]) == (10, 10, "Новичок")
