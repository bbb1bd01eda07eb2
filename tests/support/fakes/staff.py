"""In-memory fakes of the staff service's ports (aj74.staff.ports), for fast service tests.

``FakeStaff`` stores each assignment as the adapter's item (``aj74.staff.repository.SCHEMA``
through ``aj74.items``: JSON fields, null fields left out, an unknown field refused), so what
it gives back is what the table would; the audit log is ``FakeAuditLog`` (tests/support/fakes/audit.py).
tests/integration/test_audit_staff_ports_contract.py runs the same checks on the fakes and on the
adapters on moto.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aj74.items import from_item, to_item
from aj74.staff.ports import StaffPorts
from aj74.staff.repository import SCHEMA
from aj74.territories import TerritoryTree, packaged

from tests.support.fakes.audit import FakeAuditLog
from tests.support.fakes.vote import FakeClock


class FakeStaff:
    """Staff assignments by subject (``aj74.staff.repository.StaffRepository``)."""

    def __init__(self) -> None:
        self._items: dict[str, dict] = {}

    def get(self, subject: str) -> dict | None:
        item = self._items.get(subject)
        return from_item(SCHEMA, item) if item else None

    def put(self, assignment: dict) -> dict:
        self._items[assignment["subject"]] = to_item(SCHEMA, assignment)
        return assignment

    def all(self) -> list[dict]:
        return [from_item(SCHEMA, self._items[subject]) for subject in sorted(self._items)]


@dataclass
class FakeStaffWorld:
    """The staff table, the audit log, the packaged territory tree and a clock that stands still."""

    staff: FakeStaff = field(default_factory=FakeStaff)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)
    clock: FakeClock = field(default_factory=FakeClock)
    tree: TerritoryTree = field(default_factory=lambda: packaged().tree)

    def ports(self) -> StaffPorts:
        return StaffPorts(staff=self.staff, audit=self.audit, territories=lambda: self.tree, clock=self.clock)
