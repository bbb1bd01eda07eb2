"""Casting and recording ballots on the fakes (tests/support/fakes/vote.py), pinned where mutation
testing found them loose (`make mutants`, group ``recording``; docs/testing.md): every refusal as the
client reads it (its problem body: ``code``, Russian ``detail``, the poll's state, the field it blames),
the 202 body and its receipt, what the queued message keeps for the breakdowns, the ballot's state,
what the recorder refuses (the reason and the detail the consumer logs) and what it returns, the edges
of the voting period and of the amendment window, and the live tally of a batch."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from datetime import timedelta

import pytest
from aj74.api.problems import problem_for
from aj74.ballots import keys, receipts
from aj74.ballots.message import BallotMessage, PoisonMessage
from aj74.ballots.queue import BallotQueue
from aj74.ballots.repository import BallotLedger, LiveTallies
from aj74.clock import utcnow
from aj74.errors import DomainError
from aj74.keystore import ballot_key_secret
from aj74.polls import recording, voting
from aj74.polls.access import ballot_path_polls
from aj74.polls.ports import RecordingPorts
from aj74.polls.recording import BallotRecorder, Outcome
from aj74.polls.repository import PollRepository
from aj74.territories import Territory, TerritoryTree, packaged, territory_tree

from tests.support.fakes.vote import BALLOT_KEY_SECRET, MESSAGE_KEY, FakeClock, FakeLedger, FakeWorld, a_poll
from tests.support.polls import answers, persona, resident

RETENTION_SECONDS = 4 * 24 * 3600


@pytest.fixture
def world() -> FakeWorld:
    return FakeWorld()


@pytest.fixture
def poll(world):
    return world.open_poll()



def problem(call) -> dict:
    """The problem body the API's client receives for the refusal ``call`` raises."""
    with pytest.raises(DomainError) as caught:
        call()
    return problem_for(caught.value)[2]


def recorder(world, polls=None) -> BallotRecorder:
    ports = world.recording_ports()
    return BallotRecorder(MESSAGE_KEY, RETENTION_SECONDS, ports=replace(ports, polls=polls) if polls else ports)


def ms(moment) -> int:
    return int(moment.timestamp() * 1000)


def signed(poll, accepted_at_ms: int, subject: str = "late", option_ids=("q1-o1", "q2-o1")) -> str:
    """An authentic queue message (signed with the message key) that the cast path did not write."""
    return BallotMessage(poll_id=poll.poll_id, ballot_key=keys.ballot_key(BALLOT_KEY_SECRET, poll.poll_id, subject),
                         option_ids=option_ids, commitment="c" * 64, accepted_at_ms=accepted_at_ms,
                         territory_id="gp-satka", age_band="35–44", gender="f").encode(MESSAGE_KEY)


def refused_by_recorder(rec: BallotRecorder, body: str, **kw) -> tuple[str, str]:
    """(reason, detail) as the consumer logs a refused message before it goes to the DLQ."""
    with pytest.raises(PoisonMessage) as caught:
        rec.record(body, **kw)
    return caught.value.reason, str(caught.value)


class StaleCache:
    """The ballot path's poll cache holding a copy of ``cached`` read a moment ago; a ``fresh`` read
    goes to the table (as aj74.polls.access.PollCache does)."""

    def __init__(self, table, cached) -> None:
        self.table, self.cached = table, cached

    def get(self, poll_id: str, fresh: bool = False):
        if not fresh and poll_id == self.cached.poll_id:
            return self.cached
        return self.table.get(poll_id)


# ------------------------------------------------------------------ the real adapters


def test_the_default_wiring_of_the_cast_path_is_the_real_adapters_and_takes_overrides():
    # Given nothing but the process (adapters build their clients lazily: no socket is opened)
    clock = FakeClock()

    # When the cast path builds its ports, once as they are and once with the clock replaced
    ports, overridden = voting.default_ports(), voting.default_ports(clock=clock)

    # Then every port is the production adapter, and an override takes its place
    assert ports.polls is ballot_path_polls
    assert isinstance(ports.poll_store, PollRepository)
    assert isinstance(ports.ledger, BallotLedger)
    assert isinstance(ports.queue, BallotQueue)
    assert (ports.territories, ports.key_secret, ports.clock) == (territory_tree, ballot_key_secret, utcnow)
    assert overridden.clock is clock and overridden.polls is ballot_path_polls


def test_the_default_wiring_of_the_recorder_is_the_real_adapters_and_takes_overrides():
    # Given nothing but the process
    clock = FakeClock()

    # When the recorder builds its ports
    ports, overridden = recording.default_ports(), recording.default_ports(clock=clock)

    # Then they are the poll cache, the poll table, the ledger and the live tallies in DynamoDB, the wall clock
    assert isinstance(ports, RecordingPorts)
    assert ports.polls is ballot_path_polls
    assert isinstance(ports.poll_store, PollRepository)
    assert isinstance(ports.ledger, BallotLedger)
    assert isinstance(ports.tallies, LiveTallies)
    assert ports.clock is utcnow
    assert overridden.clock is clock and isinstance(overridden.tallies, LiveTallies)


# ------------------------------------------------------------------ the cast path's refusals


@pytest.mark.parametrize(("when", "state", "detail"), [
    # The poll opens at 08:59 UTC and closes at 09:59 UTC.
    (timedelta(minutes=-1), "open", "Голосование ещё не началось."),  # the scheduler opened it early
    (timedelta(minutes=30), "approved", "Голосование ещё не началось."),  # not opened by the scheduler yet
    (timedelta(hours=1), "open", "Голосование уже завершено."),  # exactly at closes_at, not closed yet
    (timedelta(hours=2), "open", "Голосование уже завершено."),
    (timedelta(minutes=30), "closed", "Голосование уже завершено."),  # closed early
    (timedelta(hours=3), "final", "Голосование уже завершено."),
    (timedelta(minutes=30), "cancelled", "Опрос отменён."),
    (timedelta(hours=3), "cancelled", "Опрос отменён."),  # after its closing time, still "cancelled"
], ids=["open-early", "approved", "at-closes-at", "open-late", "closed", "final", "cancelled",
        "cancelled-late"])
def test_a_ballot_for_a_poll_not_taking_ballots_is_refused_with_the_reason_and_the_state(world, when, state, detail):
    # Given a poll in ``state``, and a clock ``when`` after its opening time
    p = world.polls.put(a_poll(world.clock.now, state=state))
    world.clock.now = p.opens_at + when

    # When a resident of its territory votes
    body = problem(lambda: world.cast(persona("resident-satka"), p.poll_id, answers(1, (1,))))

    # Then the client gets 409 poll-not-open with the Russian reason and the poll's state, and nothing is queued
    assert body == {"type": "/problems/poll-not-open", "title": "Конфликт", "status": 409, "detail": detail,
                    "code": "poll-not-open", "state": state}
    assert world.queue.sent == []


@pytest.mark.parametrize("state", ["draft", "in_review", "rejected"])
def test_a_ballot_for_an_unpublished_poll_is_refused_as_if_the_poll_did_not_exist(world, state):
    # Given a poll that was never published, inside its would-be voting period
    p = world.polls.put(a_poll(world.clock.now - timedelta(minutes=1), state=state))

    # When a resident votes in it
    body = problem(lambda: world.cast(persona("resident-satka"), p.poll_id, answers(1, (1,))))

    # Then 404 poll-not-found, the same as for an id that names nothing
    assert body == {"type": "/problems/poll-not-found", "title": "Не найдено", "status": 404,
                    "detail": "Опрос не найден.", "code": "poll-not-found"}


def test_an_outsider_is_told_which_territories_the_poll_is_for(world, poll):
    body = problem(lambda: world.cast(persona("resident-magnitogorsk"), poll.poll_id, answers(1, (1,))))

    assert body == {"type": "/problems/not-eligible", "title": "Доступ запрещён", "status": 403,
                    "detail": "Опрос проводится только для жителей: Саткинский муниципальный район.",
                    "code": "not-eligible"}


@pytest.mark.parametrize("key", ["", "k" * 129, "retry\n1", "retry\x001"], ids=["empty", "129", "newline", "nul"])
def test_a_malformed_idempotency_key_is_refused_naming_the_header(world, poll, key):
    # When a client sends an empty, too long or unprintable Idempotency-Key
    body = problem(lambda: world.cast(persona("resident-satka"), poll.poll_id, answers(1, (1,)), key=key))

    # Then 422 with the header named as the field at fault, and nothing is queued
    assert body == {"type": "/problems/invalid-input", "title": "Ошибка в данных запроса", "status": 422,
                    "detail": "Idempotency-Key: от 1 до 128 печатных символов.", "code": "invalid-input",
                    "errors": [{"field": "Idempotency-Key", "detail": "от 1 до 128 печатных символов"}]}
    assert world.queue.sent == []


@pytest.mark.parametrize("key", ["k", "k" * 128, "телефон-1 повтор"], ids=["1", "128", "cyrillic-and-space"])
def test_an_idempotency_key_of_1_to_128_printable_characters_is_accepted(world, poll, key):
    body = world.cast(persona("resident-satka"), poll.poll_id, answers(1, (1,)), key=key)

    assert body["state"] == "accepted" and len(world.queue.sent) == 1


# ------------------------------------------------------------------ the 202 body and the queued message


def test_the_202_body_carries_a_receipt_the_resident_can_verify(world, poll):
    # Given a resident of Сатка, born 1986 (40 in the poll's year)
    voter = persona("resident-satka")

    # When she votes with an Idempotency-Key (the server makes the salt)
    body = world.cast(voter, poll.poll_id, answers(2, (1, 3)), key="phone-1")

    # Then the body says accepted, until when the ballot may be changed, and a receipt with its salt
    ballot_id = keys.ballot_key(BALLOT_KEY_SECRET, poll.poll_id, voter.subject)
    salt = body["receipt"]["salt"]
    options = ("q1-o2", "q2-o1", "q2-o3")
    assert body == {
        "ballot_id": ballot_id, "state": "accepted", "poll_id": poll.poll_id,
        "can_change_until": "2026-05-04T09:59:00Z",
        "receipt": {"poll_id": poll.poll_id, "ballot_id": ballot_id,
                    "commitment": receipts.commitment(poll.poll_id, ballot_id, options, salt),
                    "option_ids": list(options), "salt": salt, "fingerprint": poll.fingerprint},
    }
    # And the queued message keeps only the coarse attributes the breakdowns use, not who voted
    [msg] = world.queue.sent
    assert (msg.commitment, msg.territory_id, msg.age_band, msg.gender) == (
        body["receipt"]["commitment"], "gp-satka", "35–44", "f")


def test_a_commitment_made_on_the_device_is_kept_and_no_salt_is_sent_back(world, poll):
    # Given a commitment computed on the resident's device
    voter = persona("resident-satka")
    commitment = "ab" * 32

    # When she votes with it
    body = world.cast(voter, poll.poll_id, {**answers(1, (2,)), "commitment": commitment})

    # Then the receipt carries her commitment and no salt (the device holds it), and so does the ledger
    assert body["receipt"] == {"poll_id": poll.poll_id, "ballot_id": body["ballot_id"], "commitment": commitment,
                               "option_ids": ["q1-o1", "q2-o2"], "fingerprint": poll.fingerprint}
    assert world.queue.sent[0].commitment == commitment
    recorder(world).record(world.queue.bodies()[0])
    assert world.ledger.get(poll.poll_id, body["ballot_id"]).commitment == commitment


def test_a_resident_without_a_stated_gender_is_kept_as_a_dash(world, poll):
    world.cast(resident("no-gender-satka", birth_year=2000, gender=None), poll.poll_id, answers(1, (1,)))

    [msg] = world.queue.sent
    assert (msg.territory_id, msg.age_band, msg.gender) == ("gp-satka", "25–34", "-")
    [outcome] = [recorder(world).record(b) for b in world.queue.bodies()]
    assert outcome.status == "counted"


# ------------------------------------------------------------------ the ballot's state


def test_a_ballot_not_yet_recorded_when_the_poll_closes_is_still_accepted(world, poll):
    # Given a ballot cast before close, still in the queue when the poll is closed
    voter = persona("resident-satka")
    body = world.cast(voter, poll.poll_id, answers(1, (1,)))
    world.polls.put(replace(poll, state="closed"))

    # When the resident asks for her ballot's state
    state = voting.ballot_state(voter, poll.poll_id, body["ballot_id"], ports=world.vote_ports())

    # Then it is accepted (it may still reach the count before the result)
    assert state == {"ballot_id": body["ballot_id"], "state": "accepted"}


def test_a_ballot_not_recorded_before_the_result_is_rejected_with_the_reason(world, poll):
    # Given a ballot cast, never recorded, and the result out
    voter = persona("resident-satka")
    body = world.cast(voter, poll.poll_id, answers(1, (1,)))
    world.polls.put(replace(poll, state="final"))

    # When the resident asks with her ballot id
    state = voting.ballot_state(voter, poll.poll_id, body["ballot_id"], ports=world.vote_ports())

    # Then she reads that it did not reach the count
    assert state == {"ballot_id": body["ballot_id"], "state": "rejected",
                     "reason": "Голос не поступил в подсчёт до подведения итогов."}


@pytest.mark.parametrize(("state", "with_ballot_id"), [("final", False), ("cancelled", True), ("open", False)])
def test_without_a_recorded_ballot_the_state_is_not_found(world, poll, state, with_ballot_id):
    # Given a resident who cast a ballot that was not recorded, and a poll now in ``state``
    voter = persona("resident-satka")
    ballot_id = world.cast(voter, poll.poll_id, answers(1, (1,)))["ballot_id"] if with_ballot_id else None
    world.polls.put(replace(poll, state=state))

    # When she asks for her ballot's state (without its id, or in a cancelled poll)
    body = problem(lambda: voting.ballot_state(voter, poll.poll_id, ballot_id, ports=world.vote_ports()))

    # Then 404 ballot-not-found
    assert body == {"type": "/problems/ballot-not-found", "title": "Не найдено", "status": 404,
                    "detail": "Вы не голосовали в этом опросе.", "code": "ballot-not-found"}


def test_the_ballot_state_uses_the_territory_tree_of_the_vote(world):
    # Given a settlement added to the registry after the packaged seed, and a poll of its district
    settlement = Territory("np-novy", "Новый", "rural_settlement", "mr-satkinsky")
    world.tree = TerritoryTree([*packaged().tree.all(), settlement])
    p = world.polls.put(a_poll(world.clock.now - timedelta(minutes=1)))
    voter = resident("novy-1", territory_id="np-novy")
    body = world.cast(voter, p.poll_id, answers(1, (1,)))

    # When its resident asks for her ballot's state
    state = voting.ballot_state(voter, p.poll_id, body["ballot_id"], ports=world.vote_ports())

    # Then the poll is hers (the same tree decided her eligibility) and the ballot is accepted
    assert state == {"ballot_id": body["ballot_id"], "state": "accepted"}


def test_has_voted_reads_the_ledger_it_is_given(world, poll):
    # Given a ballot recorded in a ledger read once for a whole page of polls, not the ports' ledger
    voter = persona("resident-satka")
    world.cast(voter, poll.poll_id, answers(1, (1,)))
    page_ledger = FakeLedger()
    page_ledger.record(world.queue.sent[0])

    # Then that ledger answers, and the ports' (empty) ledger is not asked
    assert voting.has_voted(voter, poll.poll_id, page_ledger, ports=world.vote_ports())
    assert not voting.has_voted(voter, poll.poll_id, ports=world.vote_ports())


# ------------------------------------------------------------------ the recorder: which poll it reads


@pytest.mark.parametrize("cached_state", ["approved", "in_review"])
def test_a_ballot_is_recorded_even_if_the_cache_still_holds_the_poll_before_its_opening(world, poll, cached_state):
    # Given a ballot cast in the open poll, and a recorder whose poll cache read it a moment before it opened
    voter = persona("resident-satka")
    body = world.cast(voter, poll.poll_id, answers(1, (1,)))
    rec = recorder(world, polls=StaleCache(world.polls, replace(poll, state=cached_state)))

    # When the recorder takes the message
    outcome = rec.record(world.queue.bodies()[0])

    # Then it rereads the poll, finds it open and counts the ballot
    assert outcome == Outcome(poll.poll_id, "counted", ("q1-o1", "q2-o1"))
    assert world.ledger.get(poll.poll_id, body["ballot_id"]) is not None


def test_a_ballot_for_an_unknown_poll_goes_to_the_dlq_naming_the_poll(world):
    # Given an authentic message for a poll that does not exist
    ghost = a_poll(world.clock.now - timedelta(minutes=1))  # never stored

    # Then the recorder refuses it as invalid, naming the poll in the log
    assert refused_by_recorder(recorder(world), signed(ghost, ms(world.clock.now))) == (
        "invalid", f"ballot for unknown poll {ghost.poll_id}")


@pytest.mark.parametrize("state", ["approved", "draft"])
def test_a_ballot_for_a_poll_that_never_opened_goes_to_the_dlq(world, state):
    # Given a poll still ``state`` (the scheduler has not opened it) and a message accepted inside its period
    p = world.polls.put(a_poll(world.clock.now - timedelta(minutes=1), state=state))

    # Then the recorder refuses it with the state in the log, and writes nothing
    assert refused_by_recorder(recorder(world), signed(p, ms(world.clock.now))) == (
        "invalid", f"ballot for poll {p.poll_id} refused: the poll is {state}, it never accepted ballots")
    assert world.ledger.all_ballots(p.poll_id) == []


# ------------------------------------------------------------------ the recorder: the period, the amendment window


def test_a_ballot_accepted_at_the_very_opening_is_counted(world, poll):
    # Given a ballot cast at the poll's opening millisecond
    world.clock.now = poll.opens_at
    world.cast(persona("resident-satka"), poll.poll_id, answers(1, (1,)))

    # Then it is counted
    assert recorder(world).record(world.queue.bodies()[0]).status == "counted"


def test_a_ballot_accepted_a_millisecond_before_the_opening_is_refused(world, poll):
    assert refused_by_recorder(recorder(world), signed(poll, ms(poll.opens_at) - 1)) == (
        "invalid", f"ballot for poll {poll.poll_id} refused: accepted outside the voting period")


def test_a_ballot_arriving_at_the_end_of_the_amendment_window_is_counted_and_flags_an_amendment(world, poll):
    # Given a ballot accepted a second before close
    body = signed(poll, ms(poll.closes_at) - 1000)

    # When it arrives exactly the queue's retention after close
    world.clock.now = poll.closes_at + timedelta(seconds=RETENTION_SECONDS)
    outcome = recorder(world).record(body)

    # Then it is counted and the published result will be amended
    assert outcome == Outcome(poll.poll_id, "counted", ("q1-o1", "q2-o1"), after_close=True)
    assert world.polls.get(poll.poll_id).amend_pending


def test_a_ballot_arriving_a_millisecond_after_the_amendment_window_is_refused(world, poll):
    body = signed(poll, ms(poll.closes_at) - 1000)
    world.clock.now = poll.closes_at + timedelta(seconds=RETENTION_SECONDS, milliseconds=1)

    assert refused_by_recorder(recorder(world), body) == (
        "invalid", f"ballot for poll {poll.poll_id} refused: "
                   "arrived after the amendment window (the queue's retention) had passed")
    assert world.ledger.all_ballots(poll.poll_id) == [] and not world.polls.get(poll.poll_id).amend_pending


def test_the_recording_time_given_by_the_caller_wins_over_the_clock(world, poll):
    # Given a clock still before close, and a caller recording at a time past the amendment window
    body = signed(poll, ms(poll.closes_at) - 1000)
    late = ms(poll.closes_at) + RETENTION_SECONDS * 1000 + 1

    # Then the caller's time decides
    assert refused_by_recorder(recorder(world), body, now_ms=late)[0] == "invalid"


def test_a_ballot_recorded_before_close_flags_no_amendment(world, poll):
    world.cast(persona("resident-satka"), poll.poll_id, answers(1, (1,)))

    outcome = recorder(world).record(world.queue.bodies()[0])

    assert outcome == Outcome(poll.poll_id, "counted", ("q1-o1", "q2-o1"), after_close=False)
    assert not world.polls.get(poll.poll_id).amend_pending


def test_a_ballot_recorded_at_the_closing_millisecond_flags_an_amendment(world, poll):
    body = signed(poll, ms(poll.closes_at) - 1)
    world.clock.now = poll.closes_at

    outcome = recorder(world).record(body)

    assert outcome.after_close is True and world.polls.get(poll.poll_id).amend_pending


def test_a_redelivery_after_close_of_a_ballot_already_counted_flags_no_amendment(world, poll):
    # Given a ballot recorded before close
    world.cast(persona("resident-satka"), poll.poll_id, answers(1, (1,)))
    [body] = world.queue.bodies()
    recorder(world).record(body)

    # When SQS delivers it again after close
    world.clock.now = poll.closes_at + timedelta(minutes=5)
    outcome = recorder(world).record(body)

    # Then it is a duplicate: nothing changed, so the result needs no amendment
    assert outcome == Outcome(poll.poll_id, "duplicate")
    assert not world.polls.get(poll.poll_id).amend_pending


def test_a_change_recorded_after_close_replaces_the_ballot_and_flags_an_amendment(world, poll):
    # Given a ballot counted, and its change accepted a second before close
    voter = persona("resident-satka")
    world.cast(voter, poll.poll_id, answers(1, (1,)))
    recorder(world).record(world.queue.bodies()[0])
    world.clock.now = poll.closes_at - timedelta(seconds=1)
    world.cast(voter, poll.poll_id, answers(2, (3,)))

    # When the change is recorded after close
    world.clock.now = poll.closes_at + timedelta(minutes=1)
    outcome = recorder(world).record(world.queue.bodies()[1])

    # Then the earlier choice is taken out, the new one in, and an amendment is flagged
    assert outcome == Outcome(poll.poll_id, "replaced", ("q1-o2", "q2-o3"), ("q1-o1", "q2-o1"), after_close=True)
    assert world.polls.get(poll.poll_id).amend_pending


def test_a_ballot_for_a_cancelled_poll_is_set_aside_naming_the_poll(world, poll):
    world.cast(persona("resident-satka"), poll.poll_id, answers(1, (1,)))
    world.polls.put(replace(poll, state="cancelled"))

    assert recorder(world).record(world.queue.bodies()[0]) == Outcome(poll.poll_id, "rejected_cancelled")


# ------------------------------------------------------------------ the live tally of a batch


def test_a_new_ballot_after_a_duplicate_in_the_same_batch_still_reaches_the_live_tally(world, poll):
    # Given a first ballot recorded, and a batch holding its redelivery before a second resident's ballot
    world.cast(resident("first-satka"), poll.poll_id, answers(1, (1,)))
    rec = recorder(world)
    rec.add_to_live_tallies([rec.record(world.queue.bodies()[0])])
    world.cast(resident("second-satka"), poll.poll_id, answers(2, (2,)))
    batch = world.queue.bodies()

    # When the batch is recorded and tallied
    rec.add_to_live_tallies([rec.record(body) for body in batch])

    # Then the live tally holds both ballots
    assert world.tallies.read(poll.poll_id) == (2, Counter({"q1-o1": 1, "q1-o2": 1, "q2-o1": 1, "q2-o2": 1}))


def test_a_batch_of_only_a_changed_ballot_moves_the_live_tally(world, poll):
    # Given a ballot counted in an earlier batch
    voter = persona("resident-satka")
    world.cast(voter, poll.poll_id, answers(1, (1,)))
    rec = recorder(world)
    rec.add_to_live_tallies([rec.record(world.queue.bodies()[0])])

    # When a batch holds nothing but its change
    world.clock.advance(seconds=30)
    world.cast(voter, poll.poll_id, answers(3, (1,)))
    rec.add_to_live_tallies([rec.record(world.queue.bodies()[1])])

    # Then one ballot still, with the earlier choice moved to the new one
    assert world.tallies.read(poll.poll_id) == (1, Counter({"q1-o1": 0, "q1-o3": 1, "q2-o1": 1}))
