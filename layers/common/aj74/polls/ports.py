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
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aj74.audit.ports import AuditTrail
    from aj74.ballots.message import BallotMessage
    from aj74.ballots.repository import LedgerBallot, Recorded
    from aj74.content.ports import ContentPorts
    from aj74.identity.principal import Principal
    from aj74.integrity.published import PublishedBallot
    from aj74.polls.model import Poll
    from aj74.territories import TerritoryTree
    from aj74.workflow import Transition


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


# ====================================================================== the poll cycle
# Staff use cases (``aj74.polls.service``), informing (``aj74.polls.informing``) and the scheduler's
# tick (``aj74.polls.scheduling``); their real adapters come from each module's ``default_ports``.


class PollTable(PollStore, Protocol):
    """The poll table as the poll cycle uses it (``aj74.polls.repository.PollRepository``); every
    write is conditioned on the version read and on the state, and raises the version by one."""

    def create(self, poll: Poll) -> Poll:
        """Store a new poll at version 1; Conflict when its id exists."""
        ...

    def save_content(self, poll: Poll, expected_version: int, edit: dict | None = None) -> Poll:
        """Replace an editable poll's content; Conflict ``version-conflict`` (with
        ``current_version``) when saved since, ``not-editable`` outside draft and rejected."""
        ...

    def apply(self, poll_id: str, transition: Transition, expected_version: int | None = None,
              **fields) -> Poll:
        """Store a workflow transition (and ``fields``); Conflict ``state-changed`` when the poll
        is no longer in ``transition.from_state`` (or at ``expected_version``)."""
        ...

    def set_fields(self, poll_id: str, expected_state: str, **fields) -> Poll:
        """Change fields of a poll still in ``expected_state``; Conflict ``state-changed`` else."""
        ...

    def by_state(self, state: str, *, opens_before: datetime | None = None, limit: int | None = None,
                 cursor: dict | None = None) -> tuple[list[Poll], dict | None]:
        """Polls in ``state`` (opening at or before ``opens_before``), latest opening first; with
        ``limit`` a page and the cursor to go on from (None after the last)."""
        ...


class AuditChain(Protocol):
    """The audit log as the scheduler uses it: append, and the chain's head published with a result
    (``aj74.audit.repository.AuditLog``)."""

    def append(self, *, actor: str, actor_role: str, action: str, target_type: str, target_id: str,
               before=None, after=None, comment: str | None = None, at: str | None = None) -> dict:
        ...

    def head(self) -> dict:
        """The newest entry's seq, hash and time (seq 0 and the genesis hash when empty)."""
        ...


class BallotReads(Protocol):
    """The ledger as a recount reads it (``aj74.ballots.repository.BallotLedger``)."""

    def all_ballots(self, poll_id: str) -> Iterable[LedgerBallot]:
        """Every ballot stored for the poll, late ones included."""
        ...


class TallyReads(Protocol):
    """The live tallies as finalisation compares them (``aj74.ballots.repository.LiveTallies``)."""

    def read(self, poll_id: str) -> tuple[int, Counter]:
        ...


class PublishedList(Protocol):
    """The published ballot lists (``aj74.integrity.repository.PublishedBallots``)."""

    def write(self, poll_id: str, merkle_root: str, ballots: Sequence[PublishedBallot],
              option_ids: Sequence[str]) -> None:
        """Store the list under its Merkle root, before the result that names it."""
        ...


@dataclass(frozen=True)
class PollStaffPorts:
    """What the staff use cases of ``aj74.polls.service`` reach: the poll table, the audit log, the
    territory tree, the clock and the media check (every image a body names was accepted; 422
    ``unknown-image`` else). The real adapters come from ``aj74.polls.service.default_ports``."""

    polls: PollTable
    audit: AuditTrail
    territories: Callable[[], TerritoryTree]
    clock: Callable[[], datetime]  # aware UTC
    check_images: Callable[[Iterable[tuple[str, dict | None]]], None]
    # The push outbox for the execution report (``aj74.polls.reporting``): its followers hear of each
    # change, ``notify(kind, poll_id, title, status_title=...)``, best effort (False when not queued).
    notify: Callable[..., object]


@dataclass(frozen=True)
class ResidentPollPorts:
    """What the resident use cases of ``aj74.polls.service`` reach (the list, a poll's page, its
    results): the poll table (by state, and one poll), the ledger and the ballot-key secret (whether
    the resident's ballot is in), the live tallies, the territory tree, the clock, and settlement
    (``settle(actor)``: participation points credited before a resident sees final results). The
    real adapters come from ``aj74.polls.service.default_resident_ports``."""

    polls: PollTable
    ledger: Ledger
    tallies: TallyReads
    territories: Callable[[], TerritoryTree]
    key_secret: Callable[[], bytes]  # the ballot-key secret (the API's alone)
    clock: Callable[[], datetime]  # aware UTC
    settle: Callable[[Principal], object]


@dataclass(frozen=True)
class InformingPorts:
    """What informing residents of a result reaches (``aj74.polls.informing``): the poll table, the
    audit log, the territory tree, the clock, and the content service's own ports for the news item
    it drafts. The real adapters come from ``aj74.polls.informing.default_ports``."""

    polls: PollTable
    audit: AuditTrail
    territories: Callable[[], TerritoryTree]
    clock: Callable[[], datetime]  # aware UTC
    content: ContentPorts


@dataclass(frozen=True)
class SchedulerPorts:
    """What a scheduler tick reaches (``aj74.polls.scheduling``): the poll table, the ledger's
    ballots, the published lists, the live tallies, the audit log, the push outbox
    (``notify(kind, poll_id, title, territory_ids)``, best effort) and the clock. The real adapters
    come from ``aj74.polls.scheduling.default_ports``."""

    polls: PollTable
    ledger: BallotReads
    published: PublishedList
    tallies: TallyReads
    audit: AuditChain
    notify: Callable[[str, str, str, Sequence[str]], object]
    clock: Callable[[], datetime]  # aware UTC
