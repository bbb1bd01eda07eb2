"""What the staff service reaches outside the process — see docs/decisions/021-ports-and-adapters.md.

``aj74.staff.service`` reads and writes assignments, appends to the audit log, reads the territory
tree and the clock only through a :class:`StaffPorts`. The adapters (``aj74.staff.repository``,
``aj74.audit.repository``, ``aj74.territories``) satisfy the protocols structurally, and so do the
fakes of ``tests/support/fakes/staff.py`` (held to the adapters by
``tests/integration/test_audit_staff_ports_contract.py``).

The routes pass no ports: ``aj74.staff.service.default_ports`` builds the real adapters. This module
imports no adapter: infra/permissions.py grants a function what the modules its handler imports can call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aj74.audit.ports import AuditTrail
    from aj74.territories import TerritoryTree


class StaffStore(Protocol):
    """Staff assignments, one per subject (``aj74.staff.repository.StaffRepository``)."""

    def get(self, subject: str) -> dict | None:
        """The subject's stored assignment (consistent read), or None."""
        ...

    def put(self, assignment: dict) -> dict:
        """Store ``assignment`` whole, replacing the subject's earlier one; ``assignment``."""
        ...

    def all(self) -> list[dict]:
        """Every stored assignment, by subject."""
        ...


@dataclass(frozen=True)
class StaffPorts:
    """What assigning staff roles reaches (``aj74.staff.service``); the real adapters come from
    ``aj74.staff.service.default_ports``."""

    staff: StaffStore
    audit: AuditTrail
    territories: Callable[[], TerritoryTree]
    clock: Callable[[], datetime]  # aware UTC
