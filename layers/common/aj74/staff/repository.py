"""Staff assignments in DynamoDB: one item per subject, written whole by the admin.

A grant of ``approver`` or ``admin`` waits in the item's ``pending`` field until a second
administrator confirms it; an item whose ``roles`` is null holds only such a pending grant, and the
subject's sign-in token still decides their roles (aj74.staff.service).

``roles``, ``scope_territory_ids`` and ``pending`` are JSON strings and a null field is left out, as
PynamoDB stored them (aj74.items): the items written before the move to botocore read back the same.
"""

from __future__ import annotations

from aj74.items import JSON, TEXT, from_item, to_item
from aj74.settings import get_settings
from aj74.storage import dynamodb_call
from aj74.transactions import s

SCHEMA = {"subject": TEXT, "roles": JSON, "scope_territory_ids": JSON, "display_name": TEXT, "partner": TEXT,
          "pending": JSON, "updated_at": TEXT, "updated_by": TEXT}


def _table() -> str:
    return get_settings().staff_table



class StaffRepository:
    def get(self, subject: str) -> dict | None:
        record = dynamodb_call("get_item", TableName=_table(), Key={"subject": s(subject)},
                               ConsistentRead=True).get("Item")
        return from_item(SCHEMA, record) if record else None

    def put(self, assignment: dict) -> dict:
        dynamodb_call("put_item", TableName=_table(), Item=to_item(SCHEMA, assignment))
        return assignment

    def all(self) -> list[dict]:
        """Every assignment (a few hundred staff region-wide: a scan is fine)."""
        request = {"TableName": _table()}
        found = []
        while True:
            page = dynamodb_call("scan", **request)
            found.extend(from_item(SCHEMA, r) for r in page.get("Items", []))
            if "LastEvaluatedKey" not in page:
                return sorted(found, key=lambda a: a["subject"])
            request["ExclusiveStartKey"] = page["LastEvaluatedKey"]
