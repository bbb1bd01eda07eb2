"""The fakes of the vote path's ports (tests/support/fakes/vote.py) hold to the adapters they stand for.

The same checks run against each fake and against the real adapter on moto (a stack provisioned
from template.yaml), so a fake that drifts from its adapter fails here, not in a unit test that
trusts it (docs/decisions/021-ports-and-adapters.md).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta

import pytest
from aj74.ballots import keys
from aj74.ballots.message import BallotMessage
from aj74.errors import NotFound

from infra.local.provision import aws_client
from tests.support.env import provisioned, use_stack
from tests.support.fakes.vote import (
    BALLOT_KEY_SECRET,
    FakeBallotQueue,
    FakeLedger,
    FakePolls,
    FakeTallies,
    a_poll,
)


@dataclass
class Subject:
    """One implementation of every port, and the test's own access to what it stored or sent."""

    polls: object  # BallotPathPolls
    store: object  # PollStore
    ledger: object
    tallies: object
    queue: object
    seed: object  # poll -> the poll as stored, saved twice (version 2)
    received: object  # () -> the BallotMessages the queue holds


@pytest.fixture(scope="module")
def ports_stack(moto_endpoint):
    with provisioned(moto_endpoint, "aj74-ports", "ApiFunction", "BallotConsumerFunction") as env:
        yield env


def _fake() -> Subject:
    polls, queue = FakePolls(), FakeBallotQueue()
    return Subject(polls=polls, store=polls, ledger=FakeLedger(), tallies=FakeTallies(), queue=queue,
                   seed=lambda poll: polls.put(replace(poll, version=2)), received=lambda: list(queue.sent))


def _real(env: dict, endpoint: str) -> Subject:
    use_stack(env, endpoint)
    from aj74.ballots.queue import BallotQueue
    from aj74.ballots.repository import BallotLedger, LiveTallies
    from aj74.keystore import message_key
    from aj74.polls.access import ballot_path_polls
    from aj74.polls.repository import PollRepository

    sqs, url = aws_client("sqs", endpoint), env["BALLOT_QUEUE_URL"]

    def received() -> list[BallotMessage]:
        messages = []
        while got := sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=0).get("Messages"):
            messages += [BallotMessage.decode(m["Body"], message_key()) for m in got]
            for m in got:
                sqs.delete_message(QueueUrl=url, ReceiptHandle=m["ReceiptHandle"])
        return messages

    def seed(poll):
        PollRepository().create(poll)
        return PollRepository().set_fields(poll.poll_id, poll.state, amend_pending=None)  # version 2

    received()  # start from an empty queue
    return Subject(polls=ballot_path_polls, store=PollRepository(), ledger=BallotLedger(), tallies=LiveTallies(),
                   queue=BallotQueue(), seed=seed, received=received)


@pytest.fixture(params=["fake", "adapter"])
def subject(request) -> Subject:
    if request.param == "fake":
        return _fake()
    return _real(request.getfixturevalue("ports_stack"), request.getfixturevalue("moto_endpoint"))


def open_poll() -> object:
    return a_poll(datetime.now(UTC) - timedelta(minutes=1))


def message(poll_id: str, subject_id: str, options=("q1-o1", "q2-o1"), accepted_at_ms=1_780_000_000_000,
            commitment: str = "a" * 64) -> BallotMessage:
    return BallotMessage(poll_id=poll_id, ballot_key=keys.ballot_key(BALLOT_KEY_SECRET, poll_id, subject_id),
                         option_ids=tuple(options), commitment=commitment, accepted_at_ms=accepted_at_ms,
                         territory_id="gp-satka", age_band="35-44", gender="f")


# ------------------------------------------------------------------ ledger


def test_the_ledger_keeps_the_latest_accepted_ballot_and_refuses_a_stale_one(subject):
    poll_id = open_poll().poll_id
    first = message(poll_id, "voter", ("q1-o1", "q2-o1"), accepted_at_ms=1_000)
    later = message(poll_id, "voter", ("q1-o2", "q2-o2", "q2-o3"), accepted_at_ms=2_000, commitment="b" * 64)

    assert subject.ledger.get(poll_id, first.ballot_key) is None
    assert subject.ledger.record(first).status == "new"
    assert subject.ledger.record(first).status == "unchanged"  # a redelivery
    replaced = subject.ledger.record(later)
    assert (replaced.status, replaced.previous) == ("replaced", ("q1-o1", "q2-o1"))
    assert subject.ledger.record(first).status == "unchanged"  # older than what is stored

    stored = subject.ledger.get(poll_id, later.ballot_key)
    assert (stored.ballot_key, stored.option_ids, stored.commitment, stored.accepted_at_ms) == (
        later.ballot_key, ("q1-o2", "q2-o2", "q2-o3"), "b" * 64, 2_000)
    assert (stored.territory_id, stored.age_band, stored.gender) == ("gp-satka", "35-44", "f")


def test_on_equal_acceptance_times_the_larger_commitment_wins(subject):
    poll_id = open_poll().poll_id
    small = message(poll_id, "tie", ("q1-o1", "q2-o1"), accepted_at_ms=5_000, commitment="1" * 64)
    large = message(poll_id, "tie", ("q1-o3", "q2-o1"), accepted_at_ms=5_000, commitment="f" * 64)

    assert subject.ledger.record(large).status == "new"
    assert subject.ledger.record(small).status == "unchanged"
    assert subject.ledger.get(poll_id, large.ballot_key).commitment == "f" * 64
    other = message(poll_id, "tie-2", accepted_at_ms=5_000, commitment="1" * 64)
    assert subject.ledger.record(other).status == "new"
    assert subject.ledger.record(replace(other, commitment="2" * 64)).status == "replaced"


def test_the_same_ballot_key_in_another_poll_is_another_ballot(subject):
    a, b = open_poll().poll_id, open_poll().poll_id
    msg = message(a, "voter")

    assert subject.ledger.record(msg).status == "new"
    assert subject.ledger.get(b, msg.ballot_key) is None
    assert subject.ledger.record(replace(msg, poll_id=b)).status == "new"


# ------------------------------------------------------------------ live tallies


def test_live_tallies_add_up_including_the_options_a_replaced_ballot_takes_out(subject):
    poll_id, other = open_poll().poll_id, open_poll().poll_id

    subject.tallies.add(poll_id, 2, Counter({"q1-o1": 2, "q2-o1": 1, "q2-o3": 1}))
    subject.tallies.add(poll_id, 0, Counter({"q1-o1": -1, "q1-o2": 1}))
    subject.tallies.add(poll_id, 1, Counter({"q1-o3": 1, "q2-o1": 1}))

    assert subject.tallies.read(poll_id) == (3, Counter({"q1-o1": 1, "q1-o2": 1, "q1-o3": 1, "q2-o1": 2, "q2-o3": 1}))
    assert subject.tallies.read(other) == (0, Counter())


# ------------------------------------------------------------------ queue


def test_what_is_sent_to_the_queue_is_what_the_consumer_receives(subject):
    poll_id = open_poll().poll_id
    sent = [message(poll_id, f"queued-{i}", accepted_at_ms=1_000 + i) for i in range(3)]

    ids = [subject.queue.send(m) for m in sent]

    assert all(isinstance(i, str) and i for i in ids) and len(set(ids)) == 3
    assert sorted(subject.received(), key=lambda m: m.accepted_at_ms) == sent


# ------------------------------------------------------------------ polls


def test_a_stored_poll_is_read_back_and_an_unknown_one_is_not_found(subject):
    poll = subject.seed(open_poll())

    assert poll.version == 2
    assert subject.store.get(poll.poll_id) == poll
    assert subject.store.get(poll.poll_id, consistent=False) == poll
    assert subject.polls.get(poll.poll_id, fresh=True) == poll
    unknown = open_poll().poll_id
    for read in (lambda: subject.store.get(unknown), lambda: subject.polls.get(unknown, fresh=True)):
        with pytest.raises(NotFound) as caught:
            read()
        assert caught.value.code == "poll-not-found"


def test_an_amendment_is_flagged_on_a_stored_poll_only(subject):
    poll = subject.seed(open_poll())
    unknown = open_poll().poll_id

    subject.store.mark_amendment_pending(poll.poll_id)
    subject.store.mark_amendment_pending(unknown)  # no error, and no poll appears

    # The version goes up by one, so whoever holds the earlier version (a finalisation under way,
    # a stale editor) fails their conditional save.
    assert subject.store.get(poll.poll_id) == replace(poll, amend_pending=True, version=poll.version + 1)
    with pytest.raises(NotFound):
        subject.store.get(unknown)
