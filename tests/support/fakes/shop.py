"""In-memory fakes of the shop's and the points' ports (aj74.shop.ports, aj74.points.ports).

The catalogue, the orders and the points ledger share one :class:`FakeTables`, because an order and
a cancellation are one TransactWriteItems across the three tables: :meth:`FakeOrders.place` and
:meth:`FakeOrders.cancel` check every item's condition as the adapter writes it
(aj74.shop.repository, aj74.points.repository), and either apply all of them or raise
``Cancelled`` with DynamoDB's reason for each item, writing nothing. Items are kept as attribute
values, converted by the adapter's own functions, so what reads back is what the adapter reads back
(times at second precision, only the attributes the table keeps).

tests/integration/test_shop_ports_contract.py runs the same checks against these fakes and against
the adapters on moto. The fakes open no socket: the unit tier refuses every connection.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from aj74.ballots import keys
from aj74.errors import NotFound
from aj74.pagination import decode_cursor, encode_cursor
from aj74.points.ports import PointsPorts, SettlementPorts
from aj74.points.repository import STATE_ENTRY, Snapshot, adjustment_key, ballot_credit_key, debit_key, refund_key
from aj74.polls import model
from aj74.shop.ports import ShopPorts
from aj74.shop.repository import item_from_record, item_to_record, order_from_record, order_to_record
from aj74.territories import TerritoryTree, packaged
from aj74.transactions import Cancelled

from tests.support.fakes.audit import FakeAuditLog
from tests.support.fakes.vote import BALLOT_KEY_SECRET, FakeClock

FAILED, FINE = "ConditionalCheckFailed", "None"


@dataclass
class FakeTables:
    """The three tables, as attribute-value items by key."""

    points: dict[tuple[str, str], dict] = field(default_factory=dict)  # (account, entry) -> item
    items: dict[str, dict] = field(default_factory=dict)  # item_id -> record
    orders: dict[str, dict] = field(default_factory=dict)  # order_id -> record


def _transact(steps: list[tuple[bool, Callable[[], None]]]) -> None:
    """TransactWriteItems: every (condition holds, write) or nothing, with a reason per item."""
    reasons = tuple(FINE if holds else FAILED for holds, _ in steps)
    if FAILED in reasons:
        raise Cancelled(reasons)
    for _, write in steps:
        write()


def _n(record: dict | None, name: str) -> int | None:
    return int(record[name]["N"]) if record and name in record else None


def _s(record: dict | None, name: str) -> str | None:
    return record[name]["S"] if record and name in record else None


class FakePoints:
    """The points ledger (``PointsStore``): entries keyed (account, entry), each written once; the
    account's state item ``#state`` holds the ``version`` that every order and adjustment moves on
    by one (a refund raises the balance and needs no guard)."""

    def __init__(self, tables: FakeTables) -> None:
        self.tables = tables

    # ---- the transaction items of aj74.points.repository, as (condition, write)
    def _entry_put(self, account: str, entry: str, kind: str, points: int, at_ms: int, ref: str | None = None,
                   note: str | None = None) -> tuple[bool, Callable[[], None]]:
        item = {"account": {"S": account}, "entry": {"S": entry}, "kind": {"S": kind}, "points": {"N": str(points)},
                "at": {"N": str(at_ms)}}
        if ref:
            item["ref"] = {"S": ref}
        if note:
            item["note"] = {"S": note}
        key = (account, entry)
        return key not in self.tables.points, lambda: self.tables.points.__setitem__(key, item)

    def _state_guard(self, account: str, version: int) -> tuple[bool, Callable[[], None]]:
        key = (account, STATE_ENTRY)
        stored = _n(self.tables.points.get(key), "version")
        holds = stored is None if version == 0 else stored == version

        def write() -> None:
            state = self.tables.points.setdefault(key, {"account": {"S": account}, "entry": {"S": STATE_ENTRY}})
            state["version"] = {"N": str(version + 1)}

        return holds, write

    # ---- PointsStore
    def credited_polls(self, account: str) -> set[str]:
        prefix = ballot_credit_key("")
        return {entry[len(prefix):] for (a, entry) in self.tables.points if a == account and entry.startswith(prefix)}

    def credit_ballot(self, account: str, poll_id: str, points: int, at_ms: int) -> bool:
        holds, write = self._entry_put(account, ballot_credit_key(poll_id), "ballot", points, at_ms, ref=poll_id)
        if holds:
            write()
        return holds

    def entries(self, account: str) -> list[dict]:
        # The adapter's Query returns the partition in sort-key order.
        return [{"entry": entry, "kind": _s(item, "kind"), "points": _n(item, "points"), "at": _n(item, "at"),
                 "ref": _s(item, "ref"), "note": _s(item, "note")}
                for (a, entry), item in sorted(self.tables.points.items()) if a == account and entry != STATE_ENTRY]

    def balance(self, account: str) -> int:
        return sum(e["points"] for e in self.entries(account))

    def version(self, account: str) -> int:
        return _n(self.tables.points.get((account, STATE_ENTRY)), "version") or 0

    def snapshot(self, account: str) -> Snapshot:
        return Snapshot(self.version(account), self.entries(account))

    def adjust(self, account: str, adjustment_id: str, change: int, reason: str, at_ms: int,
               version: int, actor: str) -> None:
        _transact([self._state_guard(account, version),
                   self._entry_put(account, adjustment_key(adjustment_id), "adjustment", change, at_ms,
                                   ref=actor, note=reason)])


class FakeCatalogue:
    """The catalogue (``CatalogueStore``)."""

    def __init__(self, tables: FakeTables) -> None:
        self.tables = tables

    def get(self, item_id: str) -> dict:
        record = self.tables.items.get(item_id)
        if record is None:
            raise NotFound("Поощрение не найдено.", code="item-not-found")
        return item_from_record(record)

    def all(self) -> list[dict]:
        return [item_from_record(r) for r in self.tables.items.values()]

    def create(self, item: dict) -> None:
        if item["item_id"] in self.tables.items:  # the adapter's put is conditioned on a new id
            raise AssertionError(f"item {item['item_id']} exists: the adapter's put would fail its condition")
        self.tables.items[item["item_id"]] = item_to_record(item)

    def replace(self, item: dict, expected_version: int, seen_stock: int) -> bool:
        stored = self.tables.items.get(item["item_id"])
        if _n(stored, "version") != expected_version or _n(stored, "stock") != seen_stock:
            return False
        self.tables.items[item["item_id"]] = item_to_record(item)
        return True


class FakeOrders:
    """The orders (``OrderStore``), and the transactions that move points and stock with them."""

    def __init__(self, tables: FakeTables, points: FakePoints) -> None:
        self.tables = tables
        self.points = points

    def get(self, order_id: str) -> dict | None:
        record = self.tables.orders.get(order_id)
        return order_from_record(record) if record else None

    def for_account(self, account: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        # The by-account index, newest first; equal times in order-id order, as the index breaks ties
        # by the table's key.
        mine = sorted((r for r in self.tables.orders.values() if _s(r, "account") == account),
                      key=lambda r: (_s(r, "created_at"), _s(r, "order_id")), reverse=True)
        after = decode_cursor(cursor)
        if after:
            mark = (str(after.get("created_at", "")), str(after.get("order_id", "")))
            mine = [r for r in mine if (_s(r, "created_at"), _s(r, "order_id")) < mark]
        page = mine[:limit]
        # A cursor only when more orders follow, as moto answers; DynamoDB may also send one with a
        # page that exactly fills the limit (the next page is then empty), which callers handle alike.
        more = len(mine) > limit
        last = page[-1] if page and more else None
        next_cursor = encode_cursor({k: _s(last, k) for k in ("order_id", "account", "created_at")}) if last else None
        return [order_from_record(r) for r in page], next_cursor

    def id_for_code(self, code: str) -> str | None:
        return next((order_id for order_id, r in self.tables.orders.items() if _s(r, "code") == code), None)

    def place(self, order: dict, account_version: int, at_ms: int) -> None:
        item_id = order["item_id"]
        stored = self.tables.items.get(item_id)
        in_stock = (stored is not None and _n(stored, "stock") >= 1 and _n(stored, "price") == order["price"]
                    and stored["active"]["BOOL"] is True)

        def take_one() -> None:
            stored["stock"] = {"N": str(_n(stored, "stock") - 1)}

        record = order_to_record(order)
        _transact([
            self.points._state_guard(order["account"], account_version),
            self.points._entry_put(order["account"], debit_key(order["order_id"]), "order", -order["price"], at_ms,
                                   ref=order["order_id"]),
            (in_stock, take_one),
            (order["order_id"] not in self.tables.orders,
             lambda: self.tables.orders.__setitem__(order["order_id"], record)),
        ])

    def cancel(self, order: dict, now_iso: str, at_ms: int) -> None:
        stored = self.tables.orders.get(order["order_id"])
        # Times compare as the ISO strings the table holds.
        cancellable = (stored is not None and _s(stored, "status") == "active"
                       and _s(stored, "account") == order["account"] and _s(stored, "cancel_until") > now_iso)

        def mark_cancelled() -> None:
            stored.update({"status": {"S": "cancelled"}, "cancelled_at": {"S": now_iso}})

        item = self.tables.items.get(order["item_id"])

        def put_one_back() -> None:
            item["stock"] = {"N": str(_n(item, "stock") + 1)}

        _transact([
            (cancellable, mark_cancelled),
            self.points._entry_put(order["account"], refund_key(order["order_id"]), "refund", order["price"], at_ms,
                                   ref=order["order_id"]),
            (item is not None, put_one_back),
        ])

    def redeem(self, order_id: str, code: str, now_iso: str, by: str) -> bool:
        stored = self.tables.orders.get(order_id)
        if stored is None or _s(stored, "status") != "active" or _s(stored, "code") != code:
            return False
        stored.update({"status": {"S": "redeemed"}, "redeemed_at": {"S": now_iso}, "redeemed_by": {"S": by}})
        return True


class FakeBallotHolders:
    """The ballot ledger as settlement reads it: which (poll, ballot key) pairs it holds."""

    def __init__(self) -> None:
        self.held: set[tuple[str, str]] = set()

    def add(self, poll_id: str, ballot_key: str) -> None:
        self.held.add((poll_id, ballot_key))

    def holders(self, keys: list[tuple[str, str]]) -> set[str]:
        return {poll_id for poll_id, key in keys if (poll_id, key) in self.held}


@dataclass
class FakeShopWorld:
    """One set of fakes for the points and shop use cases: the tables, the audit log, the final
    polls, the ballots that settlement looks for, the territory tree and the clock."""

    tables: FakeTables = field(default_factory=FakeTables)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)
    ballots: FakeBallotHolders = field(default_factory=FakeBallotHolders)
    clock: FakeClock = field(default_factory=FakeClock)
    tree: TerritoryTree = field(default_factory=lambda: packaged().tree)
    polls: list[model.Poll] = field(default_factory=list)  # the final polls

    def __post_init__(self) -> None:
        self.points = FakePoints(self.tables)
        self.catalogue = FakeCatalogue(self.tables)
        self.orders = FakeOrders(self.tables, self.points)

    def voted(self, poll: model.Poll, subject: str) -> None:
        """``subject``'s ballot is in ``poll``'s ledger, under the key the API derives."""
        self.ballots.add(poll.poll_id, keys.ballot_key(BALLOT_KEY_SECRET, poll.poll_id, subject))

    def _settlement(self) -> dict:
        return {"ledger": self.points, "final_polls": lambda: [p for p in self.polls if p.state == "final"],
                "ballots": self.ballots, "territories": lambda: self.tree, "key_secret": lambda: BALLOT_KEY_SECRET,
                "clock": self.clock}

    def settlement_ports(self) -> SettlementPorts:
        return SettlementPorts(**self._settlement())

    def points_ports(self) -> PointsPorts:
        return PointsPorts(**self._settlement(), audit=self.audit)

    def shop_ports(self) -> ShopPorts:
        return ShopPorts(**self._settlement(), audit=self.audit, catalogue=self.catalogue, orders=self.orders)


# ------------------------------------------------------------------ helpers of the shop's unit tests
ZOO = "Челябинский зоопарк"


def grant(world: FakeShopWorld, account: str, points: int) -> None:
    """Give a resident points the way the product does: a ballot credit per poll, 10 points each."""
    for i in range(points // 10):
        assert world.points.credit_ballot(account, f"grant-poll-{i:04d}", 10, 1_700_000_000_000 + i)


def new_item(world: FakeShopWorld, price: int = 100, stock: int = 10, territories=("mr-satkinsky",),
             partner: str = ZOO, actor=None, **overrides) -> dict:
    """An item on sale since yesterday for a month, created by ``actor`` (the IT administrator by
    default); its staff view."""
    from datetime import timedelta

    from aj74.clock import iso
    from aj74.shop import service

    from tests.support.polls import persona

    now = world.clock.now
    body = {"title": "Билет в Челябинский зоопарк", "description": "Один взрослый билет.", "partner": partner,
            "price": price, "stock": stock, "valid_from": iso(now - timedelta(days=1)),
            "valid_until": iso(now + timedelta(days=30)), "territory_ids": list(territories), **overrides}
    return service.create_item(actor or persona("admin"), body, ports=world.shop_ports())
