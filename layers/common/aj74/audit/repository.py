"""Audit entries in DynamoDB: partition ``log`` (one chain), sort key ``seq``.

Appends only: a new entry is a conditional put of the next sequence number; nothing in the code
updates or deletes an entry, and the writers' roles hold only PutItem and Query on the table.
IAM cannot limit PutItem to new items, so the head is also published outside the table
(docs/decisions/013-anchored-audit-log.md): a rewrite is then detected, not prevented.
Moderation is a few actions a minute, so one chain is not a hot key.
"""

from __future__ import annotations

from functools import lru_cache

from aj74.audit.chain import GENESIS, entry_hash
from aj74.clock import iso, utcnow
from aj74.errors import Unavailable
from aj74.storage import is_condition_failure, meta, raise_unavailable

LOG = "moderation"


@lru_cache(maxsize=1)
def _model():
    from pynamodb.attributes import JSONAttribute, NumberAttribute, UnicodeAttribute
    from pynamodb.models import Model

    class AuditRecord(Model):
        Meta = meta("audit_table")
        log = UnicodeAttribute(hash_key=True)
        seq = NumberAttribute(range_key=True)
        at = UnicodeAttribute()
        actor = UnicodeAttribute()
        actor_role = UnicodeAttribute()
        action = UnicodeAttribute()
        target_type = UnicodeAttribute()
        target_id = UnicodeAttribute()
        before = JSONAttribute(null=True)
        after = JSONAttribute(null=True)
        comment = UnicodeAttribute(null=True)
        prev_hash = UnicodeAttribute()
        hash = UnicodeAttribute()

    return AuditRecord


def _as_dict(r) -> dict:
    return {"seq": int(r.seq), "at": r.at, "actor": r.actor, "actor_role": r.actor_role, "action": r.action,
            "target_type": r.target_type, "target_id": r.target_id, "before": r.before, "after": r.after,
            "comment": r.comment, "prev_hash": r.prev_hash, "hash": r.hash}


class AuditLog:
    def append(self, *, actor: str, actor_role: str, action: str, target_type: str, target_id: str,
               before=None, after=None, comment: str | None = None, at: str | None = None) -> dict:
        Record = _model()
        for _attempt in range(20):
            last = self._last()
            entry = {
                "seq": (last["seq"] + 1) if last else 1, "at": at or iso(utcnow()), "actor": actor,
                "actor_role": actor_role, "action": action, "target_type": target_type, "target_id": target_id,
                "before": before, "after": after, "comment": comment,
                "prev_hash": last["hash"] if last else GENESIS,
            }
            entry["hash"] = entry_hash(entry)
            try:
                Record(LOG, **entry).save(condition=Record.seq.does_not_exist())
                return entry
            except Exception as exc:
                if not is_condition_failure(exc):
                    raise_unavailable(exc)
                    raise
        raise Unavailable("Журнал аудита занят, повторите действие.")

    def _last(self) -> dict | None:
        Record = _model()
        for r in Record.query(LOG, scan_index_forward=False, limit=1, consistent_read=True):
            return _as_dict(r)
        return None

    def head(self) -> dict:
        """The chain's head now: the newest entry's seq, hash and time (seq 0 and the genesis hash when empty)."""
        last = self._last()
        return {"seq": last["seq"], "hash": last["hash"], "at": last["at"]} if last else {
            "seq": 0, "hash": GENESIS, "at": None}

    def entries(self) -> list[dict]:
        Record = _model()
        return [_as_dict(r) for r in Record.query(LOG, consistent_read=True)]

    def newest_first(self, before_seq: int | None = None):
        """Entries from the newest back (below ``before_seq`` when given), read lazily page by page."""
        Record = _model()
        condition = Record.seq < before_seq if before_seq is not None else None
        for r in Record.query(LOG, condition, scan_index_forward=False, page_size=200):
            yield _as_dict(r)
