"""What a service needs of the audit log — see docs/decisions/021-ports-and-adapters.md.

Every staff action appends one entry; services receive an :class:`AuditTrail` (the adapter is
``aj74.audit.repository.AuditLog``; the fake is ``tests/support/fakes/audit.py``, held to it by
``tests/integration/test_audit_staff_ports_contract.py``). This module imports no adapter: infra/permissions.py
grants a function what the modules its handler imports can call.
"""

from __future__ import annotations

from typing import Protocol


class AuditTrail(Protocol):
    """The append-only, hash-chained audit log (``aj74.audit.repository.AuditLog``)."""

    def append(self, *, actor: str, actor_role: str, action: str, target_type: str, target_id: str,
               before=None, after=None, comment: str | None = None, at: str | None = None) -> dict:
        """Append the next entry of the chain (seq, prev_hash, hash filled in); the entry as stored.
        Unavailable when the table refuses or the chain stays contended."""
        ...
