"""Audit entries in DynamoDB: partition ``log`` (one chain), sort key ``seq``.

Appends only: a new entry is a conditional put of the next sequence number; nothing in the code
updates or deletes an entry, and the writers' roles hold only PutItem and Query on the table.
IAM cannot limit PutItem to new items, so the head is also published outside the table
(docs/decisions/013-anchored-audit-log.md): a rewrite is then detected, not prevented.
Moderation is a few actions a minute, so one chain is not a hot key.
"""

from __future__ import annotations

from collections.abc import Iterator

from aj74.audit.chain import GENESIS, HASHED_FIELDS, entry_hash
from aj74.clock import iso, utcnow
from aj74.errors import Unavailable
from aj74.items import JSON, NUMBER, TEXT, from_item, to_item
from aj74.settings import get_settings
from aj74.storage import dynamodb_call, dynamodb_client, is_condition_failure, raise_unavailable
from aj74.transactions import n, s

LOG = "moderation"
# ``before`` and ``after`` are JSON strings, as PynamoDB's JSONAttribute stored them (aj74.items):
# the entries written before the move to botocore read back, and hash, the same.
SCHEMA = {"log": TEXT, "seq": NUMBER, "at": TEXT, "actor": TEXT, "actor_role": TEXT, "action": TEXT,
          "target_type": TEXT, "target_id": TEXT, "before": JSON, "after": JSON, "comment": TEXT,
          "prev_hash": TEXT, "hash": TEXT}


def _table() -> str:
    return get_settings().audit_table



def _as_dict(record: dict) -> dict:
    entry = from_item(SCHEMA, record)
    return {name: entry[name] for name in (*HASHED_FIELDS, "hash")}


def _query(before_seq: int | None = None, **options) -> Iterator[dict]:
    """The chain's entries (below ``before_seq`` when given), read lazily page by page; ``options``
    are the Query's own (order, page size, consistency)."""
    condition, names, values = "#log = :log", {"#log": "log"}, {":log": s(LOG)}
    if before_seq is not None:
        condition, names["#seq"], values[":before"] = condition + " AND #seq < :before", "seq", n(before_seq)
    request = {"TableName": _table(), "KeyConditionExpression": condition, "ExpressionAttributeNames": names,
               "ExpressionAttributeValues": values, **options}
    while True:
        page = dynamodb_call("query", **request)
        yield from (_as_dict(r) for r in page.get("Items", []))
        if "LastEvaluatedKey" not in page:
            return
        request["ExclusiveStartKey"] = page["LastEvaluatedKey"]


class AuditLog:
    def append(self, *, actor: str, actor_role: str, action: str, target_type: str, target_id: str,
               before=None, after=None, comment: str | None = None, at: str | None = None) -> dict:
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
                dynamodb_client().put_item(TableName=_table(), Item=to_item(SCHEMA, {"log": LOG, **entry}),
                                           ConditionExpression="attribute_not_exists(#seq)",
                                           ExpressionAttributeNames={"#seq": "seq"})
                return entry
            except Exception as exc:
                if not is_condition_failure(exc):
                    raise_unavailable(exc)
                    raise
        raise Unavailable("Журнал аудита занят, повторите действие.")

    def _last(self) -> dict | None:
        return next(_query(ScanIndexForward=False, Limit=1, ConsistentRead=True), None)

    def head(self) -> dict:
        """The chain's head now: the newest entry's seq, hash and time (seq 0 and the genesis hash when empty)."""
        last = self._last()
        return {"seq": last["seq"], "hash": last["hash"], "at": last["at"]} if last else {
            "seq": 0, "hash": GENESIS, "at": None}

    def entries(self) -> list[dict]:
        return list(_query(ConsistentRead=True))

    def newest_first(self, before_seq: int | None = None) -> Iterator[dict]:
        """Entries from the newest back (below ``before_seq`` when given), read lazily page by page."""
        return _query(before_seq, ScanIndexForward=False, Limit=200)
