"""What the vote path needs from the outside world — see docs/decisions/021-ports-and-adapters.md.

Casting (``aj74.polls.voting``) and recording (``aj74.polls.recording``) reach storage, the queue,
the key secret, the territory tree and the clock only through a :class:`VotePorts` or a
:class:`RecordingPorts`. Each port is a ``typing.Protocol`` holding exactly the calls those two
modules make; the adapters that implement them today (``ballots/queue.py``,
``ballots/repository.py``, ``polls/repository.py``, the poll cache of ``polls/access.py``,
``aj74.keystore``) satisfy them structurally, and so do the in-memory fakes of
``tests/support/fakes/vote.py`` (held to the adapters by ``tests/integration/test_vote_ports_contract.py``).

The routes and the ballot consumer pass no ports: ``default_ports()`` of ``voting`` and of
``recording`` build the real adapters, which are cheap to build (their clients and models are built
lazily and cached per process). The defaults live there, not here: infra/permissions.py grants a
function what the modules its handler imports can call, so this module imports no adapter, and the
consumer's import of ``recording`` reaches neither the queue nor the ballot-key secret.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aj74.ballots.message import BallotMessage
    from aj74.ballots.repository import LedgerBallot, Recorded
    from aj74.polls.model import Poll
    from aj74.territories import TerritoryTree


class BallotPathPolls(Protocol):
    """The polls the ballot path reads, possibly a second stale (``aj74.polls.access.PollCache``)."""

    def get(self, poll_id: str, fresh: bool = False) -> Poll:
        """The poll (``fresh``: a consistent read); NotFound ``poll-not-found`` when there is none."""
        ...


class PollStore(Protocol):
    """The poll table, as the vote path uses it (``aj74.polls.repository.PollRepository``)."""

    def get(self, poll_id: str, consistent: bool = True) -> Poll:
        """The poll; NotFound ``poll-not-found`` when there is none."""
        ...

    def mark_amendment_pending(self, poll_id: str) -> None:
        """Set ``amend_pending`` whatever the state, bumping the version; nothing for an unknown poll."""
        ...


class BallotSender(Protocol):
    """The ballot queue (``aj74.ballots.queue.BallotQueue``)."""

    def send(self, msg: BallotMessage) -> str:
        """Enqueue the ballot (authenticated under the message key); the message id. Unavailable
        when the queue refuses."""
        ...


class Ledger(Protocol):
    """The ballot ledger (``aj74.ballots.repository.BallotLedger``): one item per ballot key."""

    def record(self, msg: BallotMessage) -> Recorded:
        """Conditional put: ``new`` for a first ballot of the key; ``replaced`` (with the earlier
        options) when ``msg`` was accepted later than the stored one (on a tie, the larger
        commitment wins); ``unchanged`` for a redelivery or a stale ballot, which writes nothing."""
        ...

    def get(self, poll_id: str, key: str) -> LedgerBallot | None:
        """The stored ballot of ``key`` in the poll (consistent read), or None."""
        ...


class Tallies(Protocol):
    """The live tallies (``aj74.ballots.repository.LiveTallies``)."""

    def add(self, poll_id: str, ballots: int, counts: Counter) -> None:
        """Add ``ballots`` and each option's count (negative for replaced ballots) in one write."""
        ...


@dataclass(frozen=True)
class VotePorts:
    """What casting a ballot and reading its state reach (``aj74.polls.voting``); the real adapters
    come from ``aj74.polls.voting.default_ports``."""

    polls: BallotPathPolls
    poll_store: PollStore
    ledger: Ledger
    queue: BallotSender
    territories: Callable[[], TerritoryTree]
    key_secret: Callable[[], bytes]  # the ballot-key secret (the API's alone)
    clock: Callable[[], datetime]  # aware UTC


@dataclass(frozen=True)
class RecordingPorts:
    """What recording queued ballots reaches (``aj74.polls.recording``): no queue, no key secret and
    no territory tree — the consumer never learns who voted. The real adapters come from
    ``aj74.polls.recording.default_ports``."""

    polls: BallotPathPolls
    poll_store: PollStore
    ledger: Ledger
    tallies: Tallies
    clock: Callable[[], datetime]  # aware UTC
