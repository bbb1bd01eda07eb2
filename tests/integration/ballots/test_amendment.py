"""A ballot accepted before close that reaches the ledger only after the result was published
amends the result, and the amendment is recorded."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

import pytest
from aj74.audit.repository import AuditLog
from aj74.clock import utcnow
from aj74.polls import service, voting
from aj74.polls.scheduling import tick

from tests.support.polls import answers, persona, poll_body, resident

pytestmark = pytest.mark.slow


def short_poll(seconds: int) -> str:
    """A poll of Саткинский район that opens now and closes in ``seconds`` (real time: the
    consumer decides by its own clock whether a ballot lands after close)."""
    poll = service.create_poll(persona("moderator-satka"), poll_body(closes_in=timedelta(seconds=seconds)))
    service.moderate(persona("moderator-satka"), poll["id"], "submit")
    service.moderate(persona("approver"), poll["id"], "approve")
    assert poll["id"] in tick().opened
    return poll["id"]


def test_a_late_counted_ballot_amends_the_published_result(pipeline):
    open_poll = short_poll(6)
    # Given five ballots counted and two more accepted but still in the queue at finalisation
    for i in range(5):
        voting.cast_ballot(resident(f"amend-{open_poll}-{i}"), open_poll, answers(1, (1,)), None)
    pipeline.drain()
    for i in range(5, 7):
        voting.cast_ballot(resident(f"amend-{open_poll}-{i}"), open_poll, answers(2, (2,)), None)
    closes_at = datetime.fromisoformat(service.get_staff(persona("approver"), open_poll)["closes_at"])
    time.sleep(max(0.0, (closes_at - utcnow()).total_seconds()) + 0.5)
    after_close = utcnow()
    assert open_poll in tick(now=after_close, grace_seconds=0).finalised
    published = service.get_staff(persona("approver"), open_poll)["result"]
    assert published["total_ballots"] == 5

    # When the late ballots reach the ledger and the scheduler ticks again
    pipeline.drain()
    report = tick(now=after_close + timedelta(minutes=1), grace_seconds=0)

    # Then the result is amended to all seven ballots, the amendment says what changed, and a rerun does nothing
    assert report.amended == [open_poll]
    poll = service.get_staff(persona("approver"), open_poll)
    assert poll["result"]["total_ballots"] == 7
    assert poll["result"]["counts"]["q1-o2"] == 2
    [amendment] = poll["amendments"]
    assert (amendment["previous_total"], amendment["total"]) == (5, 7)
    assert amendment["previous_merkle_root"] != amendment["merkle_root"] == poll["result"]["merkle_root"]
    # The amendment publishes the audit head of its moment, as the amended result does
    assert amendment["audit_head"] == poll["result"]["audit_head"]
    assert amendment["audit_head"]["seq"] > 0 and len(amendment["audit_head"]["hash"]) == 64
    assert tick(now=after_close + timedelta(minutes=2), grace_seconds=0).amended == []
    resident_view = service.results(persona("resident-satka"), open_poll)
    assert resident_view["total_ballots"] == 7 and resident_view["amendments"] == [amendment]
    assert any(e["action"] == "poll.amend_result" and e["target_id"] == open_poll for e in AuditLog().entries())
