"""Points ledger entries in DynamoDB, partition = the resident's pseudonymous id.

A credit for a counted ballot has the sort key ``credit#ballot#<poll_id>`` and is written with a
condition, so it exists at most once per resident and poll whatever the number of deliveries.
"""

from __future__ import annotations

from functools import lru_cache

from aj74.storage import is_condition_failure, meta, raise_unavailable


@lru_cache(maxsize=1)
def _model():
    from pynamodb.attributes import NumberAttribute, UnicodeAttribute
    from pynamodb.models import Model

    class PointsEntry(Model):
        Meta = meta("points_table")
        account = UnicodeAttribute(hash_key=True)
        entry = UnicodeAttribute(range_key=True)
        kind = UnicodeAttribute()
        points = NumberAttribute()
        at = NumberAttribute()
        ref = UnicodeAttribute(null=True)

    return PointsEntry


def ballot_credit_key(poll_id: str) -> str:
    return f"credit#ballot#{poll_id}"


class PointsLedger:
    def credit_ballot(self, account: str, poll_id: str, points: int, at_ms: int) -> bool:
        """Credit participation points for a counted ballot; False when already credited."""
        Entry = _model()
        entry = Entry(account, ballot_credit_key(poll_id), kind="ballot", points=points, at=at_ms, ref=poll_id)
        try:
            entry.save(condition=Entry.entry.does_not_exist())
            return True
        except Exception as exc:
            if is_condition_failure(exc):
                return False
            raise_unavailable(exc)
            raise

    def entries(self, account: str) -> list[dict]:
        Entry = _model()
        try:
            return [{"entry": e.entry, "kind": e.kind, "points": int(e.points), "at": int(e.at), "ref": e.ref}
                    for e in Entry.query(account, consistent_read=True)]
        except Exception as exc:
            raise_unavailable(exc)
            raise

    def balance(self, account: str) -> int:
        return sum(e["points"] for e in self.entries(account))
