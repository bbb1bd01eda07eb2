"""One poll's failure is that poll's alone: a scheduler tick that cannot finalise one poll still
opens, closes and finalises the others and publishes the feed, and says which poll failed."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from aj74.ballots.keys import ledger_partition
from aj74.clock import utcnow
from aj74.polls import service, voting
from aj74.polls.scheduling import tick
from aj74.settings import get_settings
from aj74.storage import dynamodb_client

from tests.support.polls import answers, persona, poll_body, resident

# The full tier only (make test): the same behaviours run on the services' fakes in the fast
# tier (tests/unit/test_poll_scheduling.py), and the contract tests hold the fakes to the
# adapters on moto; here they run end to end through the real adapters (docs/decisions/021).
pytestmark = pytest.mark.slow

CONTEXT = SimpleNamespace(function_name="aj74-PollSchedulerFunction", memory_limit_in_mb=2048,
                          invoked_function_arn="arn:aws:lambda:eu-central-1:123456789012:function:scheduler",
                          aws_request_id="00000000-0000-0000-0000-000000000000")


def opened_poll() -> str:
    poll = service.create_poll(persona("moderator-satka"), poll_body(closes_in=timedelta(minutes=30)))
    service.moderate(persona("moderator-satka"), poll["id"], "submit")
    service.moderate(persona("approver"), poll["id"], "approve")
    assert poll["id"] in tick().opened
    return poll["id"]


PLANTED_KEY = "Insider0Insider0Insid0"


def plant_foreign_option(poll_id: str) -> None:
    """An insider with write access to the ledger adds a ballot whose option the poll does not have."""
    dynamodb_client().put_item(TableName=get_settings().ballots_table, Item={
        "pk": {"S": ledger_partition(poll_id, PLANTED_KEY)}, "ballot_key": {"S": PLANTED_KEY},
        "options": {"S": "q1-o1,q9-o9"}, "commitment": {"S": "a" * 64},
        "accepted_at": {"N": str(int(utcnow().timestamp() * 1000))},
        "territory": {"S": "gp-satka"}, "age_band": {"S": "35–44"}, "gender": {"S": "f"}})


@pytest.fixture
def planted():
    """Polls with a planted ballot; the plant is removed afterwards, so later ticks of the shared
    stack are not the ones failing."""
    polls: list[str] = []
    yield polls
    for poll_id in polls:
        dynamodb_client().delete_item(TableName=get_settings().ballots_table, Key={
            "pk": {"S": ledger_partition(poll_id, PLANTED_KEY)}, "ballot_key": {"S": PLANTED_KEY}})


def test_a_poll_that_cannot_be_finalised_does_not_stop_the_others(pipeline, monkeypatch, planted):
    # Given two polls with a ballot each, one of them with a planted ballot no recount can place
    broken, healthy = opened_poll(), opened_poll()
    for poll_id in (broken, healthy):
        voting.cast_ballot(resident(f"iso-{poll_id}"), poll_id, answers(1, (1,)), None)
    pipeline.drain()
    plant_foreign_option(broken)
    planted.append(broken)
    metrics = []
    monkeypatch.setattr("aj74.observability.metrics.add_metric", lambda **kw: metrics.append(kw["name"]))

    # When the scheduler runs past their close, through its Lambda handler
    from functions import poll_scheduler

    later = utcnow() + timedelta(hours=1)
    monkeypatch.setattr("aj74.polls.scheduling.utcnow", lambda: later)
    report = poll_scheduler.handler({"source": "aws.events", "detail-type": "Scheduled Event"}, CONTEXT)

    # Then the healthy poll is final, the broken one is named as failed and counted, and the feed ran
    assert healthy in report["finalised"] and broken not in report["finalised"]
    assert broken in report["failed"]
    assert "SchedulerStepFailed" in metrics
    assert isinstance(report["content"], dict) and report["content"].get("failed") is not True
    assert service.get_staff(persona("approver"), healthy)["state"] == "final"
    assert service.get_staff(persona("approver"), broken)["state"] == "closed"


def test_a_failing_feed_tick_does_not_stop_the_polls(pipeline, monkeypatch):
    poll_id = opened_poll()

    def broken_feed():
        raise RuntimeError("feed table unavailable")

    monkeypatch.setattr("aj74.content.publishing.tick", broken_feed)
    later = utcnow() + timedelta(hours=1)
    monkeypatch.setattr("aj74.polls.scheduling.utcnow", lambda: later)
    from functions import poll_scheduler

    report = poll_scheduler.handler({}, CONTEXT)

    assert poll_id in report["finalised"]
    assert report["content"] == {"failed": True}
    assert "feed" in report["failed"]
