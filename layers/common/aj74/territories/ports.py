"""What the territory registry's use cases reach outside the process — see
docs/decisions/021-ports-and-adapters.md.

``aj74.territories.service`` (add, rename, edit, retire) and ``aj74.territories.references`` (what
still references a territory) reach the registry table, the polls, the ballot ledger, the staff
table, the audit log and the clock only through a :class:`TerritoryPorts`. The adapters
(``aj74.territories.repository.TerritoryRegistry``, ``aj74.polls.repository.PollRepository``,
``aj74.ballots.repository.BallotLedger``, ``aj74.staff.repository.StaffRepository``,
``aj74.audit.repository.AuditLog``) satisfy the protocols structurally, and so do the fakes of
``tests/support/fakes/territories.py`` (held to the adapters by
``tests/integration/test_registry_media_push_ports_contract.py``).

The routes pass no ports: ``aj74.territories.service.default_ports`` builds the real adapters. This
module imports no adapter: infra/permissions.py grants a function what the modules its handler imports can call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aj74.audit.ports import AuditTrail
    from aj74.ballots.repository import LedgerBallot
    from aj74.polls.model import Poll
    from aj74.staff.ports import StaffStore
    from aj74.territories.tree import Registry, Territory


class RegistryStore(Protocol):
    """The territory registry table and this process's copy of it
    (``aj74.territories.repository.TerritoryRegistry``)."""

    @property
    def editable(self) -> bool:
        """Whether there is a table to change (without one the packaged file is the registry)."""
        ...

    def held(self) -> Registry:
        """The registry as this process holds it (at most a minute old)."""
        ...

    def stored(self) -> Registry:
        """The registry as stored now: a change is never decided on a minute-old copy."""
        ...

    def save(self, territory: Territory, expected_version: int, new: bool) -> int:
        """Write one territory and raise the registry's version from ``expected_version`` in one
        transaction; the new version. Conflict ``registry-changed`` when the version moved
        meanwhile (or a ``new`` territory's id is taken)."""
        ...


class PollsByState(Protocol):
    """The poll table's state index (``aj74.polls.repository.PollRepository.by_state``)."""

    def by_state(self, state: str, *, limit: int | None = None, cursor: dict | None = None
                 ) -> tuple[list[Poll], dict | None]:
        """Polls in ``state``, latest opening first: a page of at most ``limit`` and the cursor of the
        next (None after the last)."""
        ...


class BallotsOfPoll(Protocol):
    """The ballot ledger, read whole (``aj74.ballots.repository.BallotLedger.all_ballots``)."""

    def all_ballots(self, poll_id: str) -> list[LedgerBallot]:
        """Every stored ballot of the poll (each with the voter's territory)."""
        ...


@dataclass(frozen=True)
class TerritoryPorts:
    """What changing the registry reaches (``aj74.territories.service``, ``.references``); the real
    adapters come from ``aj74.territories.service.default_ports``."""

    registry: RegistryStore
    polls: PollsByState
    ballots: BallotsOfPoll
    staff: StaffStore | None  # None: no staff table (then no staff scope can name a territory)
    audit: AuditTrail
    clock: Callable[[], datetime]  # aware UTC
