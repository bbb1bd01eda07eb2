"""An in-memory audit log (the port ``aj74.audit.ports.AuditTrail``): the same chain as
``aj74.audit.repository.AuditLog`` (sequence from 1, each entry hashed over the previous hash)."""

from __future__ import annotations

from aj74.audit.chain import GENESIS, entry_hash
from aj74.clock import iso, utcnow


class FakeAuditLog:
    def __init__(self) -> None:
        self.stored: list[dict] = []

    def append(self, *, actor: str, actor_role: str, action: str, target_type: str, target_id: str,
               before=None, after=None, comment: str | None = None, at: str | None = None) -> dict:
        last = self.stored[-1] if self.stored else None
        entry = {"seq": (last["seq"] + 1) if last else 1, "at": at or iso(utcnow()), "actor": actor,
                 "actor_role": actor_role, "action": action, "target_type": target_type, "target_id": target_id,
                 "before": before, "after": after, "comment": comment,
                 "prev_hash": last["hash"] if last else GENESIS}
        entry["hash"] = entry_hash(entry)
        self.stored.append(entry)
        return dict(entry)

    def head(self) -> dict:
        """The chain's head (``AuditLog.head``): seq 0 and the genesis hash when empty."""
        last = self.stored[-1] if self.stored else None
        return {"seq": last["seq"], "hash": last["hash"], "at": last["at"]} if last else {
            "seq": 0, "hash": GENESIS, "at": None}

    def newest_first(self, before_seq: int | None = None):
        return (dict(e) for e in reversed(self.stored) if before_seq is None or e["seq"] < before_seq)

    def entries(self) -> list[dict]:
        return [dict(e) for e in self.stored]

    def actions(self) -> list[str]:
        return [e["action"] for e in self.stored]
