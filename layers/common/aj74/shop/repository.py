"""The catalogue and the orders in DynamoDB, and the transactions that move points and stock.

Tables (docs/decisions/008-points-and-shop.md): ShopItems (``item_id``) holds the catalogue, a few
hundred items read whole; ShopOrders (``order_id``) holds orders, with GSIs ``by-account``
(``account``, ``created_at``) for a resident's list and ``by-code`` (``code``, keys only) for the
partner's redemption. Orders and cancellations are one TransactWriteItems each, together with
the points ledger (``aj74.points.repository``).
"""

from __future__ import annotations

from aj74.clock import iso, parse_iso
from aj74.errors import NotFound
from aj74.pagination import decode_cursor, encode_cursor
from aj74.points.repository import debit_key, entry_put, refund_key, state_guard
from aj74.settings import get_settings
from aj74.storage import dynamodb_call, dynamodb_client, write_if
from aj74.transactions import n, s, transact_write


def _items_table() -> str:
    return get_settings().shop_items_table


def _orders_table() -> str:
    return get_settings().shop_orders_table



# ------------------------------------------------------------------ catalogue
ITEM_TEXT_FIELDS = ("title", "description", "partner", "created_by", "created_at", "updated_at")


def item_to_record(item: dict) -> dict:
    record = {k: s(item[k]) for k in ("item_id", *ITEM_TEXT_FIELDS) if item.get(k) is not None}
    record.update({
        "price": n(item["price"]), "stock": n(item["stock"]), "version": n(item["version"]),
        "valid_from": s(iso(item["valid_from"])), "valid_until": s(iso(item["valid_until"])),
        "territory_ids": {"L": [s(t) for t in item["territory_ids"]]}, "active": {"BOOL": bool(item["active"])},
    })
    if item.get("image"):
        record["image"] = {"M": {"id": s(item["image"]["id"]), "alt": s(item["image"]["alt"])}}
    return record


def item_from_record(record: dict) -> dict:
    item = {k: record[k]["S"] for k in ("item_id", *ITEM_TEXT_FIELDS) if k in record}
    item.update({
        "price": int(record["price"]["N"]), "stock": int(record["stock"]["N"]),
        "version": int(record["version"]["N"]), "active": record["active"]["BOOL"],
        "valid_from": parse_iso(record["valid_from"]["S"]), "valid_until": parse_iso(record["valid_until"]["S"]),
        "territory_ids": [t["S"] for t in record["territory_ids"]["L"]],
    })
    if "image" in record:
        item["image"] = {k: v["S"] for k, v in record["image"]["M"].items()}
    return item


class Catalogue:
    def get(self, item_id: str) -> dict:
        record = dynamodb_call("get_item", TableName=_items_table(), Key={"item_id": s(item_id)},
                               ConsistentRead=True).get("Item")
        if not record:
            raise NotFound("Поощрение не найдено.", code="item-not-found")
        return item_from_record(record)

    def all(self) -> list[dict]:
        """The whole catalogue: a regional shop has hundreds of items, one Scan page or a few."""
        kwargs = {"TableName": _items_table()}
        items = []
        while True:
            page = dynamodb_call("scan", **kwargs)
            items.extend(item_from_record(r) for r in page["Items"])
            if "LastEvaluatedKey" not in page:
                return items
            kwargs["ExclusiveStartKey"] = page["LastEvaluatedKey"]

    def create(self, item: dict) -> None:
        dynamodb_call("put_item", TableName=_items_table(), Item=item_to_record(item),
                      ConditionExpression="attribute_not_exists(item_id)")

    def replace(self, item: dict, expected_version: int, seen_stock: int) -> bool:
        """Write an edited item if nobody edited it (``version``) and no order moved its stock
        since it was read; False when either happened."""
        return write_if(lambda: dynamodb_client().put_item(
            TableName=_items_table(), Item=item_to_record(item),
            ConditionExpression="#v = :v AND stock = :stock",
            ExpressionAttributeNames={"#v": "version"},
            ExpressionAttributeValues={":v": n(expected_version), ":stock": n(seen_stock)}))


# ------------------------------------------------------------------ orders
ORDER_TEXT_FIELDS = ("order_id", "account", "item_id", "title", "partner", "code", "status", "created_at",
                     "cancel_until", "cancelled_at", "redeemed_at", "redeemed_by")


def order_from_record(record: dict) -> dict:
    order = {k: record[k]["S"] for k in ORDER_TEXT_FIELDS if k in record}
    order["price"] = int(record["price"]["N"])
    for key in ("created_at", "cancel_until"):
        order[key] = parse_iso(order[key])
    return order


def order_to_record(order: dict) -> dict:
    record = {k: s(order[k]) for k in ORDER_TEXT_FIELDS if isinstance(order.get(k), str)}
    record.update({"price": n(order["price"]), "created_at": s(iso(order["created_at"])),
                   "cancel_until": s(iso(order["cancel_until"]))})
    return record


class Orders:
    def get(self, order_id: str) -> dict | None:
        record = dynamodb_call("get_item", TableName=_orders_table(), Key={"order_id": s(order_id)},
                               ConsistentRead=True).get("Item")
        return order_from_record(record) if record else None

    def for_account(self, account: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """A resident's orders, newest first."""
        kwargs = {"TableName": _orders_table(), "IndexName": "by-account", "ScanIndexForward": False,
                  "KeyConditionExpression": "#a = :a", "ExpressionAttributeNames": {"#a": "account"},
                  "ExpressionAttributeValues": {":a": s(account)}, "Limit": limit}
        after = decode_cursor(cursor)
        if after:
            kwargs["ExclusiveStartKey"] = {k: s(str(after.get(k, ""))) for k in ("order_id", "account", "created_at")}
        page = dynamodb_call("query", **kwargs)
        last = page.get("LastEvaluatedKey")
        next_cursor = encode_cursor({k: v["S"] for k, v in last.items()}) if last else None
        return [order_from_record(r) for r in page["Items"]], next_cursor

    def id_for_code(self, code: str) -> str | None:
        page = dynamodb_call("query", TableName=_orders_table(), IndexName="by-code",
                             KeyConditionExpression="code = :c", ExpressionAttributeValues={":c": s(code)}, Limit=1)
        return page["Items"][0]["order_id"]["S"] if page["Items"] else None

    def place(self, order: dict, account_version: int, at_ms: int) -> None:
        """Debit, decrement the stock and create the order, all or nothing (raises Cancelled).

        Items, in this order (Cancelled.reasons follows it): 0 the account's state guard, 1 the
        debit entry, 2 the catalogue item (in stock, price and activity as the resident saw them),
        3 the order (its id is new)."""
        transact_write([
            state_guard(order["account"], account_version),
            entry_put(order["account"], debit_key(order["order_id"]), "order", -order["price"], at_ms,
                      ref=order["order_id"]),
            {"Update": {"TableName": _items_table(), "Key": {"item_id": s(order["item_id"])},
                        "UpdateExpression": "SET stock = stock - :one",
                        "ConditionExpression": "stock >= :one AND price = :price AND active = :yes",
                        "ExpressionAttributeValues": {":one": n(1), ":price": n(order["price"]),
                                                      ":yes": {"BOOL": True}}}},
            {"Put": {"TableName": _orders_table(), "Item": order_to_record(order),
                     "ConditionExpression": "attribute_not_exists(order_id)"}},
        ])

    def cancel(self, order: dict, now_iso: str, at_ms: int) -> None:
        """Cancel, refund and restock, all or nothing (raises Cancelled). Items: 0 the order
        (still active, the caller's, inside its window), 1 the refund entry (at most one per
        order), 2 the catalogue item."""
        transact_write([
            {"Update": {"TableName": _orders_table(), "Key": {"order_id": s(order["order_id"])},
                        "UpdateExpression": "SET #st = :cancelled, cancelled_at = :now",
                        "ConditionExpression": "#st = :active AND #a = :account AND cancel_until > :now",
                        "ExpressionAttributeNames": {"#st": "status", "#a": "account"},
                        "ExpressionAttributeValues": {":cancelled": s("cancelled"), ":active": s("active"),
                                                      ":account": s(order["account"]), ":now": s(now_iso)}}},
            entry_put(order["account"], refund_key(order["order_id"]), "refund", order["price"], at_ms,
                      ref=order["order_id"]),
            {"Update": {"TableName": _items_table(), "Key": {"item_id": s(order["item_id"])},
                        "UpdateExpression": "SET stock = stock + :one",
                        "ConditionExpression": "attribute_exists(item_id)",
                        "ExpressionAttributeValues": {":one": n(1)}}},
        ])

    def redeem(self, order_id: str, code: str, now_iso: str, by: str) -> bool:
        """Mark an active order's code used; False when it is not active (used or cancelled)."""
        return write_if(lambda: dynamodb_client().update_item(
            TableName=_orders_table(), Key={"order_id": s(order_id)},
            UpdateExpression="SET #st = :redeemed, redeemed_at = :now, redeemed_by = :by",
            ConditionExpression="#st = :active AND code = :code",
            ExpressionAttributeNames={"#st": "status"},
            ExpressionAttributeValues={":redeemed": s("redeemed"), ":active": s("active"), ":code": s(code),
                                       ":now": s(now_iso), ":by": s(by)}))
