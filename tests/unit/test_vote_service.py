"""The vote path's services on fakes (tests/support/fakes/vote.py): the real casting and recording code,
with in-memory stand-ins only at the ports (aj74.polls.ports), so no moto and no socket."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from aj74.api.problems import status_for
from aj74.ballots import keys
from aj74.ballots.message import BallotMessage, PoisonMessage
from aj74.errors import DomainError
from aj74.polls import voting
from aj74.polls.recording import BallotRecorder

from tests.support.fakes.vote import BALLOT_KEY_SECRET, MESSAGE_KEY, FakeWorld, a_poll
from tests.support.polls import answers, persona, resident

RETENTION_SECONDS = 4 * 24 * 3600


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


@pytest.fixture
def poll(world):
    return world.open_poll()



def refused(call) -> tuple[int, str]:
    with pytest.raises(DomainError) as caught:
        call()
    return status_for(caught.value)[0], caught.value.code


def record_all(world, bodies: list[str]):
    recorder = BallotRecorder(MESSAGE_KEY, RETENTION_SECONDS, ports=world.recording_ports())
    outcomes = [recorder.record(body) for body in bodies]
    recorder.add_to_live_tallies(outcomes)
    return outcomes


# ------------------------------------------------------------------ refused by the cast path


@pytest.mark.parametrize("voter", [
    persona("resident-magnitogorsk"),  # lives outside the poll's territory
    resident("teen-satka", birth_year=2012),  # 14 in 2026, the poll is from 16
], ids=["outsider", "under-age"])
def test_an_ineligible_ballot_is_refused_403_and_nothing_is_queued(world, poll, voter):
    assert refused(lambda: world.cast(voter, poll.poll_id, answers(1, (1,)))) == (403, "not-eligible")
    assert world.queue.sent == []


def test_a_resident_of_the_territory_old_enough_is_accepted_and_queued(world, poll):
    voter = resident("adult-satka", birth_year=2010)  # 16 in the opening year
    body = world.cast(voter, poll.poll_id, answers(1, (1,)))

    assert body["state"] == "accepted"
    [msg] = world.queue.sent
    assert (msg.poll_id, msg.ballot_key, msg.option_ids) == (poll.poll_id, body["ballot_id"], ("q1-o1", "q2-o1"))
    assert msg.ballot_key == keys.ballot_key(BALLOT_KEY_SECRET, poll.poll_id, "adult-satka")
    assert msg.accepted_at_ms == int(world.clock.now.timestamp() * 1000)


@pytest.mark.parametrize("moment", ["not yet open", "approved", "at closes_at", "closed"])
def test_a_ballot_outside_the_voting_period_is_refused_409_and_nothing_is_queued(world, moment):
    now = world.clock.now
    if moment == "not yet open":
        p = a_poll(now + timedelta(seconds=1))
    elif moment == "approved":
        p = a_poll(now - timedelta(minutes=1), state="approved")
    elif moment == "at closes_at":
        p = a_poll(now - timedelta(hours=1))
    else:
        p = a_poll(now - timedelta(hours=2), state="closed")
    world.polls.put(p)

    status, code = refused(lambda: world.cast(persona("resident-satka"), p.poll_id, answers(1, (1,))))

    assert (status, code) == (409, "poll-not-open")
    assert world.queue.sent == []


def test_a_retry_with_the_same_idempotency_key_gets_the_same_receipt_and_counts_once(world, poll):
    voter = persona("resident-satka")
    first = world.cast(voter, poll.poll_id, answers(2, (1, 3)), key="phone-retry-1")
    world.clock.advance(seconds=3)
    again = world.cast(voter, poll.poll_id, answers(2, (1, 3)), key="phone-retry-1")

    assert again == first
    assert len(world.queue.sent) == 2  # always enqueued; the ledger keeps one
    record_all(world, world.queue.bodies())
    stored = world.ledger.get(poll.poll_id, first["ballot_id"])
    assert stored.commitment == first["receipt"]["commitment"]
    assert world.tallies.read(poll.poll_id) == (1, Counter({"q1-o2": 1, "q2-o1": 1, "q2-o3": 1}))
    state = voting.ballot_state(voter, poll.poll_id, None, ports=world.vote_ports())
    assert state == {"ballot_id": first["ballot_id"], "state": "counted", "commitment": first["receipt"]["commitment"]}


# ------------------------------------------------------------------ recording


def test_a_changed_ballot_replaces_the_earlier_one_and_a_stale_redelivery_does_not_undo_it(world, poll):
    voter = persona("resident-satka")
    earlier = world.cast(voter, poll.poll_id, answers(1, (1,)))
    world.clock.advance(seconds=30)
    later = world.cast(voter, poll.poll_id, answers(3, (2, 3)))
    first_body, second_body = world.queue.bodies()

    outcomes = record_all(world, [first_body, second_body])
    # The first ballot, redelivered after the change was recorded, is older: refused, nothing written.
    outcomes += record_all(world, [first_body])

    assert [o.status for o in outcomes] == ["counted", "replaced", "duplicate"]
    stored = world.ledger.get(poll.poll_id, later["ballot_id"])
    assert stored.commitment == later["receipt"]["commitment"] != earlier["receipt"]["commitment"]
    assert stored.option_ids == ("q1-o3", "q2-o2", "q2-o3")
    assert world.ledger.writes == 2
    assert world.tallies.read(poll.poll_id) == (1, Counter({"q1-o3": 1, "q2-o2": 1, "q2-o3": 1}))
    assert voting.has_voted(voter, poll.poll_id, ports=world.vote_ports())


def test_the_change_arriving_before_the_earlier_ballot_still_stands(world, poll):
    voter = persona("resident-satka")
    world.cast(voter, poll.poll_id, answers(1, (1,)))
    world.clock.advance(seconds=30)
    later = world.cast(voter, poll.poll_id, answers(2, (2,)))
    first_body, second_body = world.queue.bodies()

    outcomes = record_all(world, [second_body, first_body])  # the queue does not keep order

    assert [o.status for o in outcomes] == ["counted", "duplicate"]
    assert world.ledger.get(poll.poll_id, later["ballot_id"]).option_ids == ("q1-o2", "q2-o2")
    assert world.tallies.read(poll.poll_id) == (1, Counter({"q1-o2": 1, "q2-o2": 1}))


@pytest.mark.parametrize("after_close_ms", [0, 1, 60_000])
def test_a_ballot_accepted_at_or_after_closes_at_is_refused_by_recording_with_nothing_written(
        world, poll, after_close_ms):
    # Authentic (signed with the message key) but accepted when the poll no longer took ballots:
    # the recorder re-checks what the cast path should have refused.
    closes_ms = int(poll.closes_at.timestamp() * 1000)
    msg = BallotMessage(poll_id=poll.poll_id, ballot_key=keys.ballot_key(BALLOT_KEY_SECRET, poll.poll_id, "late"),
                        option_ids=("q1-o1", "q2-o1"), commitment="c" * 64, accepted_at_ms=closes_ms + after_close_ms,
                        territory_id="gp-satka", age_band="35-44", gender="f")
    world.clock.now = poll.closes_at + timedelta(minutes=5)

    with pytest.raises(PoisonMessage, match="outside the voting period"):
        record_all(world, [msg.encode(MESSAGE_KEY)])

    assert world.ledger.all_ballots(poll.poll_id) == []
    assert world.tallies.writes == 0
    assert world.polls.get(poll.poll_id) == poll  # no amendment flagged


def test_a_ballot_accepted_just_before_close_and_recorded_after_it_flags_an_amendment(world, poll):
    world.clock.now = poll.closes_at - timedelta(seconds=1)
    world.cast(persona("resident-satka"), poll.poll_id, answers(1, (1,)))
    world.clock.now = poll.closes_at + timedelta(minutes=1)

    [outcome] = record_all(world, world.queue.bodies())

    assert (outcome.status, outcome.after_close) == ("counted", True)
    assert world.polls.get(poll.poll_id).amend_pending


def test_a_batch_with_duplicates_moves_the_live_tally_once_per_ballot(world, poll):
    voters = [resident(f"batch-{i}") for i in range(6)]
    for i, voter in enumerate(voters):
        world.cast(voter, poll.poll_id, answers(i % 3 + 1, (1,)))
    bodies = world.queue.bodies()
    # At-least-once delivery: every ballot twice, some three times, interleaved, in one batch.
    batch = bodies + bodies[::-1] + bodies[:2]

    outcomes = record_all(world, batch)

    assert Counter(o.status for o in outcomes) == {"counted": 6, "duplicate": len(batch) - 6}
    assert world.tallies.writes == 1  # one update per poll and batch
    assert world.tallies.read(poll.poll_id) == (6, Counter({"q1-o1": 2, "q1-o2": 2, "q1-o3": 2, "q2-o1": 6}))
    assert len(world.ledger.all_ballots(poll.poll_id)) == 6


def test_a_cancelled_poll_records_nothing(world, poll):
    world.cast(persona("resident-satka"), poll.poll_id, answers(1, (1,)))
    world.polls.put(replace(poll, state="cancelled"))

    [outcome] = record_all(world, world.queue.bodies())

    assert outcome.status == "rejected_cancelled"
    assert world.ledger.all_ballots(poll.poll_id) == [] and world.tallies.writes == 0


def test_ballot_state_before_recording_is_accepted_and_unknown_without_the_ballot_id(world, poll):
    voter = persona("resident-satka")
    body = world.cast(voter, poll.poll_id, answers(1, (1,)))
    ports = world.vote_ports()

    assert voting.ballot_state(voter, poll.poll_id, body["ballot_id"], ports=ports) == {
        "ballot_id": body["ballot_id"], "state": "accepted"}
    assert refused(lambda: voting.ballot_state(voter, poll.poll_id, None, ports=ports)) == (404, "ballot-not-found")
    assert not voting.has_voted(voter, poll.poll_id, ports=ports)

