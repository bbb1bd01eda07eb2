"""The scheduler's tick (aj74.polls.scheduling) on fakes (tests/support/fakes/polls.py): a poll from
draft to its exact final result, late ballots amending it, one poll's failure kept from the others,
and informing residents of the result (aj74.polls.informing) — the real tick, casting, recording and
informing code with in-memory stand-ins only at the ports."""

from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from aj74.ballots.message import BallotMessage
from aj74.errors import Conflict
from aj74.polls import informing, service
from aj74.polls.ports import InformingPorts
from aj74.polls.recording import BallotRecorder
from aj74.polls.scheduling import tick

from tests.support.fakes.content import FakeContentWorld
from tests.support.fakes.polls import FakePollWorld
from tests.support.fakes.vote import MESSAGE_KEY
from tests.support.polls import answers, persona, poll_body, resident

RETENTION_SECONDS = 4 * 24 * 3600
MODERATOR, APPROVER = persona("moderator-satka"), persona("approver")
GRACE = 60


@pytest.fixture
def world() -> FakePollWorld:
    return FakePollWorld()


def approved_poll(world: FakePollWorld, opens_in=timedelta(minutes=10), closes_in=timedelta(hours=1)) -> str:
    """A moderator's poll an approver approved, opening ``opens_in`` from now."""
    ports = world.staff_ports()
    body = poll_body(opens_at=world.clock.now + opens_in, closes_in=closes_in)
    poll_id = service.create_poll(MODERATOR, body, ports=ports)["id"]
    service.moderate(MODERATOR, poll_id, "submit", ports=ports)
    service.moderate(APPROVER, poll_id, "approve", ports=ports)
    return poll_id


def run(world: FakePollWorld):
    return tick(grace_seconds=GRACE, ports=world.scheduler_ports())


def record(world: FakePollWorld, messages: list[BallotMessage]) -> None:
    recorder = BallotRecorder(MESSAGE_KEY, RETENTION_SECONDS, ports=world.recording_ports())
    recorder.add_to_live_tallies([recorder.record(m.encode(MESSAGE_KEY)) for m in messages])


def state(world: FakePollWorld, poll_id: str) -> dict:
    return service.get_staff(APPROVER, poll_id, ports=world.staff_ports())


def test_a_poll_opens_closes_and_is_final_with_the_exact_counts_of_the_ledger(world):
    # Given an approved poll, waiting for its opening time
    poll_id = approved_poll(world)
    assert run(world).opened == []
    assert state(world, poll_id)["state_title"] == "согласован"

    # When it opens, three residents vote (one changes her mind), it closes and the grace passes
    world.clock.advance(minutes=10)
    assert run(world).opened == [poll_id]
    opened = state(world, poll_id)
    assert (opened["state"], opened["state_title"]) == ("open", "идёт голосование")
    assert opened["fingerprint"]
    world.cast(resident("anna"), poll_id, answers(1, (1,)))
    world.cast(resident("boris", gender="m"), poll_id, answers(2, (1, 3)))
    world.cast(resident("vera"), poll_id, answers(1, (2,)))
    world.clock.advance(minutes=1)
    world.cast(resident("vera"), poll_id, answers(3, (2, 3)))
    record(world, world.queue.sent)
    world.clock.advance(minutes=59)  # closes_at
    assert (run(world).closed, run(world).finalised) == ([poll_id], [])
    assert state(world, poll_id)["state_title"] == "голосование завершено"
    world.clock.advance(seconds=GRACE)
    report = run(world)

    # Then the result counts every resident's last ballot once, published with its ballot list
    assert report.finalised == [poll_id]
    final = state(world, poll_id)
    assert (final["state"], final["state_title"]) == ("final", "итоги подведены")
    result = final["result"]
    assert result["total_ballots"] == 3
    assert result["counts"] == {"q1-o1": 1, "q1-o2": 1, "q1-o3": 1, "q2-o1": 2, "q2-o2": 1, "q2-o3": 2}
    assert result["live_tally_matched"] is True
    assert len(world.published.all(poll_id, result["merkle_root"])) == 3
    assert result["audit_head"]["seq"] == len(world.audit.entries()) - 1  # the head before "finalise"
    assert world.audit.actions()[-3:] == ["poll.open", "poll.close", "poll.finalise"]
    assert world.push.events() == [("poll_opened", poll_id), ("poll_final", poll_id)]
    assert [h["action"] for h in final["history"]][-3:] == ["open", "close", "finalise"]


def test_a_repeated_tick_changes_nothing(world):
    poll_id = approved_poll(world, opens_in=timedelta(0), closes_in=timedelta(minutes=5))
    run(world)
    world.clock.advance(minutes=10)
    run(world)
    before = state(world, poll_id)

    again = run(world)

    assert again.as_dict() == {"opened": [], "closed": [], "finalised": [], "amended": [], "failed": []}
    assert state(world, poll_id) == before


def test_a_ballot_cast_before_close_and_recorded_after_the_result_amends_it_on_the_next_tick(world):
    # Given a final poll with one ballot counted, and another cast before close but still queued
    poll_id = approved_poll(world, opens_in=timedelta(0), closes_in=timedelta(minutes=30))
    run(world)
    world.cast(resident("anna"), poll_id, answers(1, (1,)))
    world.cast(resident("gleb", gender="m"), poll_id, answers(2, (3,)))
    early, late = world.queue.sent
    record(world, [early])
    world.clock.advance(minutes=30, seconds=GRACE)
    run(world)
    run(world)
    first = state(world, poll_id)["result"]
    assert first["total_ballots"] == 1

    # When the late ballot is recorded, and the scheduler ticks
    record(world, [late])
    assert world.polls.get(poll_id).amend_pending
    report = run(world)

    # Then the result is amended to count it, and the amendment says what changed
    assert report.amended == [poll_id]
    amended = state(world, poll_id)
    assert amended["result"]["total_ballots"] == 2
    assert amended["result"]["counts"] == {"q1-o1": 1, "q1-o2": 1, "q2-o1": 1, "q2-o3": 1}
    assert amended["result"]["finalised_at"] == first["finalised_at"]
    [amendment] = amended["amendments"]
    assert (amendment["previous_total"], amendment["total"]) == (1, 2)
    assert amendment["previous_merkle_root"] == first["merkle_root"] != amendment["merkle_root"]
    assert world.audit.actions()[-1] == "poll.amend_result"
    assert not world.polls.get(poll_id).amend_pending
    assert run(world).amended == []


def test_a_poll_that_cannot_be_finalised_does_not_stop_the_others(world, monkeypatch):
    # Given two polls with a ballot each, one with a planted ballot whose option it does not have
    broken = approved_poll(world, opens_in=timedelta(0), closes_in=timedelta(minutes=30))
    healthy = approved_poll(world, opens_in=timedelta(0), closes_in=timedelta(minutes=30))
    later = approved_poll(world, opens_in=timedelta(hours=2))
    run(world)
    for poll_id in (broken, healthy):
        world.cast(resident(f"iso-{poll_id}"), poll_id, answers(1, (1,)))
    record(world, world.queue.sent)
    planted = world.ledger.all_ballots(broken)[0]
    world.ledger._items[(broken, "Insider0Insider0Insid0")] = planted.__class__(
        "Insider0Insider0Insid0", ("q1-o1", "q9-o9"), "a" * 64, planted.accepted_at_ms, "gp-satka", "35-44", "f")
    metrics = []
    monkeypatch.setattr("aj74.observability.metrics.add_metric", lambda **kw: metrics.append(kw["name"]))

    # When the scheduler runs past their close, and past the third poll's opening
    world.clock.advance(hours=2, seconds=GRACE)
    report = run(world)

    # Then the healthy poll is final, the broken one is named as failed and stays closed, the third opens
    assert report.finalised == [healthy] and report.failed == [broken]
    assert report.opened == [later]
    assert "SchedulerStepFailed" in metrics
    assert state(world, healthy)["state"] == "final"
    assert (state(world, broken)["state"], state(world, broken)["result"]) == ("closed", None)
    assert ("poll_final", broken) not in world.push.events()


def test_a_live_tally_that_differs_from_the_recount_is_noted_and_the_recount_stands(world):
    poll_id = approved_poll(world, opens_in=timedelta(0), closes_in=timedelta(minutes=5))
    run(world)
    world.cast(resident("anna"), poll_id, answers(1, (1,)))
    record(world, world.queue.sent)
    world.tallies.add(poll_id, 1, Counter({"q1-o2": 1}))  # a tally write that should not have happened
    world.clock.advance(minutes=5, seconds=GRACE)
    run(world)
    run(world)

    result = state(world, poll_id)["result"]

    assert (result["total_ballots"], result["live_tally_matched"]) == (1, False)
    assert result["counts"] == {"q1-o1": 1, "q2-o1": 1}


def test_a_cancelled_poll_is_never_opened(world):
    poll_id = approved_poll(world, opens_in=timedelta(minutes=1))
    service.moderate(MODERATOR, poll_id, "cancel", ports=world.staff_ports())
    world.clock.advance(minutes=5)

    assert run(world).opened == []
    assert state(world, poll_id)["state_title"] == "отменён"


def test_informing_residents_drafts_one_news_item_with_the_result_for_approval(world):
    # Given a final poll with two ballots
    poll_id = approved_poll(world, opens_in=timedelta(0), closes_in=timedelta(minutes=5))
    run(world)
    world.cast(resident("anna"), poll_id, answers(1, (1,)))
    world.cast(resident("boris", gender="m"), poll_id, answers(1, (2,)))
    record(world, world.queue.sent)
    world.clock.advance(minutes=5, seconds=GRACE)
    run(world)
    run(world)
    content = FakeContentWorld(clock=world.clock, tree=world.tree)
    ports = InformingPorts(polls=world.polls, audit=world.audit, territories=lambda: world.tree, clock=world.clock,
                           content=content.ports())

    # When the moderator informs residents, twice
    item, created = informing.inform(MODERATOR, poll_id, ports=ports)
    again, created_again = informing.inform(MODERATOR, poll_id, ports=ports)

    # Then one news item awaits approval, with the result, for the poll's territories
    assert (created, created_again, again["id"]) == (True, False, item["id"])
    assert (item["type"], item["state"], item["territory_ids"]) == ("news", "in_review", ["mr-satkinsky"])
    assert item["title"] == "Итоги опроса «Благоустройство сквера у ДК металлургов»"
    assert item["body"].startswith("Голосование «Благоустройство сквера у ДК металлургов» завершено. "
                                   "Приняли участие: 2.")
    assert "— Освещение: 2 (100 %)" in item["body"]
    assert state(world, poll_id)["informed_content_id"] == item["id"]
    assert world.audit.actions()[-1] == "poll.inform"


def test_a_poll_not_yet_final_cannot_be_announced(world):
    poll_id = approved_poll(world)
    ports = InformingPorts(polls=world.polls, audit=world.audit, territories=lambda: world.tree, clock=world.clock,
                           content=FakeContentWorld(clock=world.clock, tree=world.tree).ports())

    with pytest.raises(Conflict) as caught:
        informing.inform(MODERATOR, poll_id, ports=ports)

    assert (caught.value.code, caught.value.detail) == (
        "not-final", "Сообщить об итогах можно после подведения итогов.")
