"""Staff assignments in DynamoDB (PynamoDB): one item per subject, written whole by the admin.

A grant of ``approver`` or ``admin`` waits in the item's ``pending`` field until a second
administrator confirms it; an item whose ``roles`` is null holds only such a pending grant, and the
subject's sign-in token still decides their roles (aj74.staff.service).
"""

from __future__ import annotations

from functools import lru_cache

from aj74.storage import meta, raise_unavailable


@lru_cache(maxsize=1)
def _model():
    from pynamodb.attributes import JSONAttribute, UnicodeAttribute
    from pynamodb.models import Model

    class StaffRecord(Model):
        Meta = meta("staff_table")
        subject = UnicodeAttribute(hash_key=True)
        roles = JSONAttribute(null=True)
        scope_territory_ids = JSONAttribute()
        display_name = UnicodeAttribute(null=True)
        partner = UnicodeAttribute(null=True)
        pending = JSONAttribute(null=True)
        updated_at = UnicodeAttribute()
        updated_by = UnicodeAttribute()

    return StaffRecord


def _as_dict(r) -> dict:
    return {"subject": r.subject, "roles": None if r.roles is None else list(r.roles),
            "scope_territory_ids": list(r.scope_territory_ids), "display_name": r.display_name,
            "partner": r.partner, "pending": r.pending, "updated_at": r.updated_at, "updated_by": r.updated_by}


class StaffRepository:
    def get(self, subject: str) -> dict | None:
        Record = _model()
        try:
            return _as_dict(Record.get(subject, consistent_read=True))
        except Record.DoesNotExist:
            return None
        except Exception as exc:
            raise_unavailable(exc)
            raise

    def put(self, assignment: dict) -> dict:
        Record = _model()
        try:
            Record(**{"partner": None, "pending": None, **assignment}).save()
        except Exception as exc:
            raise_unavailable(exc)
            raise
        return assignment

    def all(self) -> list[dict]:
        """Every assignment (a few hundred staff region-wide: a scan is fine)."""
        Record = _model()
        try:
            return sorted((_as_dict(r) for r in Record.scan()), key=lambda a: a["subject"])
        except Exception as exc:
            raise_unavailable(exc)
            raise
