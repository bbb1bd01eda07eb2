"""What reading a result reaches — see docs/decisions/021-ports-and-adapters.md.

Three services read what the vote left behind: ``aj74.polls.reporting`` (staff results, breakdowns,
turnout, the CSV), ``aj74.polls.verification`` (the published ballot list, proofs, the integrity
report, the audit export) and ``aj74.polls.resident_view`` (participants on a resident's poll
page). Each receives its ports as an optional last parameter ``ports=None``; the real adapters come
from ``default_ports()`` of each of those modules. This module imports no adapter
(infra/permissions.py grants a function what the modules its handler imports can call).

The fakes are ``tests/support/fakes/vote.py`` (polls, ledger, live tallies, clock) and
``tests/support/fakes/integrity.py`` (the published lists, in the adapter's stored items), held to
the adapters by ``tests/integration/test_vote_ports_contract.py`` and
``tests/integration/test_integrity_ports_contract.py``.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aj74.ballots.repository import LedgerBallot
    from aj74.integrity.published import ChunkIndex, PublishedBallot
    from aj74.polls.model import Poll
    from aj74.territories import TerritoryTree


class PollReads(Protocol):
    """The poll table, read only (``aj74.polls.repository.PollRepository``)."""

    def get(self, poll_id: str, consistent: bool = True) -> Poll:
        """The poll; NotFound ``poll-not-found`` when there is none."""
        ...


class LedgerReads(Protocol):
    """The ballot ledger, read only (``aj74.ballots.repository.BallotLedger``)."""

    def get(self, poll_id: str, key: str) -> LedgerBallot | None:
        """The stored ballot of ``key`` in the poll (consistent read), or None."""
        ...

    def all_ballots(self, poll_id: str) -> list[LedgerBallot]:
        """Every ballot stored for the poll, those accepted after the close included, in no order."""
        ...


class LiveTallyReads(Protocol):
    """The live tallies, read only (``aj74.ballots.repository.LiveTallies``)."""

    def read(self, poll_id: str) -> tuple[int, Counter]:
        """(ballots, count per option) summed over the poll's live-tally items; (0, {}) for none."""
        ...


class PublishedLists(Protocol):
    """The published ballot lists, keyed by the result's Merkle root
    (``aj74.integrity.repository.PublishedBallots``)."""

    def write(self, poll_id: str, merkle_root: str, ballots: Sequence[PublishedBallot],
              option_ids: Sequence[str]) -> None:
        """Store the list (canonical order); ValueError when it does not hash to ``merkle_root``."""
        ...

    def index(self, poll_id: str, merkle_root: str) -> tuple[ChunkIndex, list[str]] | None:
        """The list's chunk index and the poll's option ids, or None when no list is stored."""
        ...

    def page(self, poll_id: str, merkle_root: str, start: int, limit: int) -> list[PublishedBallot] | None:
        """Ballots ``start``..``start+limit-1`` (fewer at the end, none past it), or None when no
        list is stored."""
        ...

    def all(self, poll_id: str, merkle_root: str) -> list[PublishedBallot] | None:
        """The whole list as stored, or None when there is none."""
        ...

    def proof(self, poll_id: str, merkle_root: str, commitment: str) -> dict | None:
        """The inclusion proof of ``commitment`` (leaf index, tree size, audit path, the options the
        list holds), or None when the list or the commitment is not there."""
        ...


class AuditReads(Protocol):
    """The audit log, read whole (``aj74.audit.repository.AuditLog``)."""

    def entries(self) -> list[dict]:
        """Every entry of the chain, seq ascending."""
        ...


@dataclass(frozen=True)
class ReportingPorts:
    """What staff results reach (``aj74.polls.reporting``): the poll table, the ledger (breakdowns
    of a result finalised before they were frozen), the live tallies and the ballot queue's backlog
    while a poll is open, the territory tree (scope, names, turnout) and the clock. The real adapters
    come from ``aj74.polls.reporting.default_ports``."""

    polls: PollReads
    ledger: LedgerReads
    tallies: LiveTallyReads
    backlog: Callable[[], int]  # ballots queued but not yet recorded, all polls together
    territories: Callable[[], TerritoryTree]
    clock: Callable[[], datetime]  # aware UTC


@dataclass(frozen=True)
class VerificationPorts:
    """What checking the vote reaches (``aj74.polls.verification``): the poll table, the ledger
    (the recount, and whether a resident's receipt was replaced by their later ballot), the
    published lists, the audit log, the territory tree, the ballot-key secret and the clock. The
    real adapters come from ``aj74.polls.verification.default_ports``."""

    polls: PollReads
    ledger: LedgerReads
    published: PublishedLists
    audit: AuditReads
    territories: Callable[[], TerritoryTree]
    key_secret: Callable[[], bytes]
    clock: Callable[[], datetime]  # aware UTC


@dataclass(frozen=True)
class ResidentViewPorts:
    """What a resident's poll page adds reaches (``aj74.polls.resident_view``): the live tallies
    and the clock. The real adapters come from ``aj74.polls.resident_view.default_ports``."""

    tallies: LiveTallyReads
    clock: Callable[[], datetime]  # aware UTC
