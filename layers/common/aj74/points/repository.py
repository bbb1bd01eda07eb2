"""Points ledger entries in DynamoDB, partition = the resident's pseudonymous id.

A credit for a counted ballot has the sort key ``credit#ballot#<poll_id>`` and is written with a
condition, so it exists at most once per resident and poll however often settlement runs. It is
written by the API when the resident next reads their points after the result (aj74.points.settlement),
dated then: never at a moment that could be matched with the ballot's acceptance time.
Debits (``debit#order#<order_id>``), refunds (``refund#order#<order_id>``) and manual adjustments
(``adjust#<id>``) are written inside transactions that also bump the account's state item
``#state``, whose ``version`` serialises everything that can lower the balance
(docs/decisions/008-points-and-shop.md). The state item holds no points: the balance is the sum
of the entries, always.
"""

from __future__ import annotations

from dataclasses import dataclass

from aj74.settings import get_settings
from aj74.storage import dynamodb_client, raise_unavailable, write_if
from aj74.transactions import n, s

STATE_ENTRY = "#state"


def ballot_credit_key(poll_id: str) -> str:
    return f"credit#ballot#{poll_id}"


def debit_key(order_id: str) -> str:
    return f"debit#order#{order_id}"


def refund_key(order_id: str) -> str:
    return f"refund#order#{order_id}"


def adjustment_key(adjustment_id: str) -> str:
    return f"adjust#{adjustment_id}"


@dataclass(frozen=True)
class Snapshot:
    """An account as read before a debit: the entries and the state version read *before* them."""

    version: int
    entries: list[dict]

    @property
    def balance(self) -> int:
        return sum(e["points"] for e in self.entries)


def _table() -> str:
    return get_settings().points_table


def entry_put(account: str, entry: str, kind: str, points: int, at_ms: int, ref: str | None = None,
              note: str | None = None) -> dict:
    """A transaction item that writes a ledger entry once (a second write of the key fails)."""
    item = {"account": s(account), "entry": s(entry), "kind": s(kind), "points": n(points), "at": n(at_ms)}
    if ref:
        item["ref"] = s(ref)
    if note:
        item["note"] = s(note)
    return {"Put": {"TableName": _table(), "Item": item, "ConditionExpression": "attribute_not_exists(#e)",
                    "ExpressionAttributeNames": {"#e": "entry"}}}


def state_guard(account: str, version: int) -> dict:
    """A transaction item that succeeds only if no debit committed since ``version`` was read."""
    if version == 0:
        condition, values = "attribute_not_exists(#v)", {":next": n(1)}
    else:
        condition, values = "#v = :seen", {":seen": n(version), ":next": n(version + 1)}
    return {"Update": {"TableName": _table(), "Key": {"account": s(account), "entry": s(STATE_ENTRY)},
                       "UpdateExpression": "SET #v = :next", "ConditionExpression": condition,
                       "ExpressionAttributeNames": {"#v": "version"}, "ExpressionAttributeValues": values}}


def _entry_from(item: dict) -> dict:
    return {"entry": item["entry"]["S"], "kind": item["kind"]["S"], "points": int(item["points"]["N"]),
            "at": int(item["at"]["N"]), "ref": item.get("ref", {}).get("S"), "note": item.get("note", {}).get("S")}


class PointsLedger:
    def credited_polls(self, account: str) -> set[str]:
        """Polls for which ``account`` already holds a participation credit (keys only)."""
        kwargs = {"TableName": _table(), "KeyConditionExpression": "#a = :a AND begins_with(#e, :p)",
                  "ExpressionAttributeNames": {"#a": "account", "#e": "entry"}, "ProjectionExpression": "#e",
                  "ExpressionAttributeValues": {":a": s(account), ":p": s(ballot_credit_key(""))}}
        polls: set[str] = set()
        try:
            while True:
                page = dynamodb_client().query(**kwargs)
                polls.update(i["entry"]["S"][len(ballot_credit_key("")):] for i in page["Items"])
                if "LastEvaluatedKey" not in page:
                    return polls
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except Exception as exc:
            raise_unavailable(exc)
            raise

    def credit_ballot(self, account: str, poll_id: str, points: int, at_ms: int) -> bool:
        """Credit participation points for a counted ballot; False when already credited."""
        item = {"account": s(account), "entry": s(ballot_credit_key(poll_id)), "kind": s("ballot"),
                "points": n(points), "at": n(at_ms), "ref": s(poll_id)}
        return write_if(lambda: dynamodb_client().put_item(
            TableName=_table(), Item=item, ConditionExpression="attribute_not_exists(#e)",
            ExpressionAttributeNames={"#e": "entry"}))

    def entries(self, account: str) -> list[dict]:
        """Every ledger entry of ``account`` (consistent read), without the state item."""
        client = dynamodb_client()
        kwargs = {"TableName": _table(), "KeyConditionExpression": "#a = :a",
                  "ExpressionAttributeNames": {"#a": "account"},
                  "ExpressionAttributeValues": {":a": s(account)}, "ConsistentRead": True}
        entries: list[dict] = []
        try:
            while True:
                page = client.query(**kwargs)
                entries.extend(_entry_from(i) for i in page["Items"] if i["entry"]["S"] != STATE_ENTRY)
                if "LastEvaluatedKey" not in page:
                    return entries
                kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]
        except Exception as exc:
            raise_unavailable(exc)
            raise

    def balance(self, account: str) -> int:
        return sum(e["points"] for e in self.entries(account))

    def version(self, account: str) -> int:
        try:
            item = dynamodb_client().get_item(TableName=_table(), ConsistentRead=True,
                                              Key={"account": s(account), "entry": s(STATE_ENTRY)}).get("Item")
        except Exception as exc:
            raise_unavailable(exc)
            raise
        return int(item["version"]["N"]) if item and "version" in item else 0

    def snapshot(self, account: str) -> Snapshot:
        """The state version, then the entries. The order matters: a GetItem is serialisable with
        transactions, so every debit up to that version is already in the entries read after it,
        and any debit committed later has raised the version and will fail our guard."""
        version = self.version(account)
        return Snapshot(version, self.entries(account))

    def adjust(self, account: str, adjustment_id: str, change: int, reason: str, at_ms: int,
               version: int, actor: str) -> None:
        """A manual adjustment, guarded like a debit (raises ``Cancelled`` on a concurrent debit)."""
        from aj74.transactions import transact_write

        transact_write([state_guard(account, version),
                        entry_put(account, adjustment_key(adjustment_id), "adjustment", change, at_ms,
                                  ref=actor, note=reason)])
