"""In-memory fakes of the vote path's ports (aj74.polls.ports), for fast service tests.

Each fake keeps the semantics of the adapter it stands for, and
tests/integration/test_vote_ports_contract.py runs the same checks against both (the adapters on
moto), so a fake that drifts from its adapter fails a test. The fakes open no socket: the unit tier
refuses every connection (tests/unit/conftest.py).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta

from aj74.ballots.message import BallotMessage
from aj74.ballots.repository import LedgerBallot, Recorded
from aj74.errors import NotFound
from aj74.identity.principal import Principal
from aj74.ids import ulid
from aj74.polls import model
from aj74.polls.ports import RecordingPorts, VotePorts
from aj74.territories import TerritoryTree, packaged

# Secrets are at least 32 bytes (aj74.keystore.MIN_SECRET_BYTES, aj74.ballots.message).
BALLOT_KEY_SECRET = b"fake-ballot-key-secret-of-32-bytes-or-more"
MESSAGE_KEY = b"fake-ballot-message-key-of-32-bytes-or-more"


class FakePolls:
    """Polls by id: both the ballot path's poll cache (``get(poll_id, fresh)``) and the poll table
    as the vote uses it (``get(poll_id, consistent)``, ``mark_amendment_pending``)."""

    def __init__(self, *polls: model.Poll) -> None:
        self._items: dict[str, model.Poll] = {}
        for poll in polls:
            self.put(poll)

    def put(self, poll: model.Poll) -> model.Poll:
        """Store ``poll`` as it is (a test's way to create or change one)."""
        self._items[poll.poll_id] = poll
        return poll

    def get(self, poll_id: str, fresh: bool = False, consistent: bool = True) -> model.Poll:
        try:
            return self._items[poll_id]
        except KeyError:
            raise NotFound("Опрос не найден.", code="poll-not-found") from None

    def mark_amendment_pending(self, poll_id: str) -> None:
        poll = self._items.get(poll_id)
        if poll is not None:  # the adapter's update is conditional on the poll existing
            # The version goes up by one, so a save conditioned on the earlier version fails.
            self._items[poll_id] = replace(poll, amend_pending=True, version=poll.version + 1)


class FakeLedger:
    """The ballot ledger: one item per (poll, ballot key), replaced only by a later ballot."""

    def __init__(self) -> None:
        self._items: dict[tuple[str, str], LedgerBallot] = {}
        self.writes = 0  # accepted puts (a refused conditional put writes nothing)

    def record(self, msg: BallotMessage) -> Recorded:
        key = (msg.poll_id, msg.ballot_key)
        old = self._items.get(key)
        # The adapter's condition: attribute_not_exists(ballot_key) OR accepted_at < :t
        # OR (accepted_at = :t AND commitment < :c).
        if old is not None and not (old.accepted_at_ms < msg.accepted_at_ms or (
                old.accepted_at_ms == msg.accepted_at_ms and old.commitment < msg.commitment)):
            return Recorded("unchanged")
        self._items[key] = LedgerBallot(msg.ballot_key, tuple(msg.option_ids), msg.commitment, msg.accepted_at_ms,
                                        msg.territory_id, msg.age_band, msg.gender)
        self.writes += 1
        return Recorded("new") if old is None else Recorded("replaced", old.option_ids)

    def get(self, poll_id: str, key: str) -> LedgerBallot | None:
        return self._items.get((poll_id, key))

    def all_ballots(self, poll_id: str) -> list[LedgerBallot]:
        return [b for (p, _), b in self._items.items() if p == poll_id]


class FakeTallies:
    """Live tallies: ballots and a count per option per poll, added to by batches (negative counts
    take a replaced ballot's options out)."""

    def __init__(self) -> None:
        self._polls: dict[str, tuple[int, Counter]] = {}
        self.writes = 0  # one per add, as the adapter makes one UpdateItem per add

    def add(self, poll_id: str, ballots: int, counts: Counter) -> None:
        total, current = self._polls.get(poll_id, (0, Counter()))
        current = Counter(current)
        current.update(counts)  # keeps zero and negative counts, like the adapter's ADD
        self._polls[poll_id] = (total + ballots, current)
        self.writes += 1

    def read(self, poll_id: str) -> tuple[int, Counter]:
        total, counts = self._polls.get(poll_id, (0, Counter()))
        return total, Counter(counts)


class FakeBallotQueue:
    """The ballot queue: keeps what was sent, in order; ``bodies()`` are the messages as the
    consumer receives them (authenticated under ``MESSAGE_KEY``, as the adapter signs them)."""

    def __init__(self) -> None:
        self.sent: list[BallotMessage] = []

    def send(self, msg: BallotMessage) -> str:
        self.sent.append(msg)
        return f"fake-message-{len(self.sent)}"

    def bodies(self, key: bytes = MESSAGE_KEY) -> list[str]:
        return [m.encode(key) for m in self.sent]


@dataclass
class FakeClock:
    """A clock that stands still until a test moves it."""

    now: datetime = field(default_factory=lambda: datetime(2026, 5, 4, 9, 0, tzinfo=UTC))

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@dataclass
class FakeWorld:
    """One set of fakes shared by the cast path and the recorder, as the API and the consumer share
    the tables and the queue."""

    polls: FakePolls = field(default_factory=FakePolls)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    tallies: FakeTallies = field(default_factory=FakeTallies)
    queue: FakeBallotQueue = field(default_factory=FakeBallotQueue)
    clock: FakeClock = field(default_factory=FakeClock)
    tree: TerritoryTree = field(default_factory=lambda: packaged().tree)

    def vote_ports(self) -> VotePorts:
        return VotePorts(polls=self.polls, poll_store=self.polls, ledger=self.ledger, queue=self.queue,
                         territories=lambda: self.tree, key_secret=lambda: BALLOT_KEY_SECRET, clock=self.clock)

    def recording_ports(self) -> RecordingPorts:
        return RecordingPorts(polls=self.polls, poll_store=self.polls, ledger=self.ledger, tallies=self.tallies,
                              clock=self.clock)

    def open_poll(self) -> model.Poll:
        """Open since a minute ago, closing in an hour; for Саткинский район, from 16."""
        return self.polls.put(a_poll(self.clock.now - timedelta(minutes=1)))

    def cast(self, voter: Principal, poll_id: str, body: dict, key: str | None = None) -> dict:
        """The cast path (``voting.cast_ballot``) on these fakes."""
        from aj74.polls import voting

        return voting.cast_ballot(voter, poll_id, body, key, ports=self.vote_ports())


def a_poll(opens_at: datetime, closes_in: timedelta = timedelta(hours=1), state: str = "open",
           territory_ids: tuple[str, ...] = ("mr-satkinsky",), min_age: int = 16,
           author: Principal | None = None) -> model.Poll:
    """A poll of two questions (q1: one of three options; q2: one or two of three), in ``state``,
    with second-precision times (as the poll table stores them)."""
    opens_at = opens_at.replace(microsecond=0)
    content = {
        "title": "Благоустройство сквера у ДК металлургов", "description": "Выберите, что сделать в первую очередь.",
        "territory_ids": list(territory_ids), "opens_at": opens_at, "closes_at": opens_at + closes_in,
        "min_age": min_age, "results_visibility": "after_vote",
        "questions": [
            {"text": "Что важнее всего?", "kind": "single", "min_choices": 1, "max_choices": 1,
             "options": [{"text": "Освещение"}, {"text": "Скамейки"}, {"text": "Детская площадка"}]},
            {"text": "Что ещё добавить?", "kind": "multiple", "min_choices": 1, "max_choices": 2,
             "options": [{"text": "Фонтан"}, {"text": "Велопарковка"}, {"text": "Туалет"}]},
        ],
    }
    author = author or Principal("moderator-satka", frozenset({"moderator"}), "mr-satkinsky", None, None)
    poll = model.new_poll(ulid(int(opens_at.timestamp() * 1000)), content, author, opens_at - timedelta(days=1))
    return replace(poll, state=state)
