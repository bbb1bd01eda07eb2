"""What a service needs of the audit log — see docs/decisions/021-ports-and-adapters.md.

Every staff action appends one entry; services receive an :class:`AuditTrail` (the adapter is
``aj74.audit.repository.AuditLog``; the fake is ``tests/support/fakes/audit.py``, held to it by
``tests/integration/test_audit_staff_ports_contract.py``). This module imports no adapter: infra/permissions.py
grants a function what the modules its handler imports can call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aj74.polls.ports import PollStore
    from aj74.staff.ports import StaffStore
    from aj74.territories import TerritoryTree


class AuditTrail(Protocol):
    """The append-only, hash-chained audit log (``aj74.audit.repository.AuditLog``)."""

    def append(self, *, actor: str, actor_role: str, action: str, target_type: str, target_id: str,
               before=None, after=None, comment: str | None = None, at: str | None = None) -> dict:
        """Append the next entry of the chain (seq, prev_hash, hash filled in); the entry as stored.
        Unavailable when the table refuses or the chain stays contended."""
        ...


class AuditReads(Protocol):
    """The audit log as its readers see it (``aj74.audit.repository.AuditLog``)."""

    def newest_first(self, before_seq: int | None = None) -> Iterator[dict]:
        """Entries from the newest back (below ``before_seq`` when given), read lazily."""
        ...

    def head(self) -> dict:
        """The chain's head: the newest entry's seq, hash and time (seq 0 and the genesis hash when empty)."""
        ...


@dataclass(frozen=True)
class AuditViewPorts:
    """What reading the log for people reaches (``aj74.audit.view``): the log, the polls (a moderator
    reads the entries about polls of their territories), the staff names (None where the function has
    no staff table), the territory tree and the clock."""

    audit: AuditReads
    polls: PollStore
    staff: StaffStore | None
    territories: Callable[[], TerritoryTree]
    clock: Callable[[], datetime]
