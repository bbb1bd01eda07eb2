"""Rewards shop use cases: the catalogue for residents and staff, orders, cancellation, redemption.

Routes call these functions; they hold no HTTP and reach storage, the territory tree and the clock
only through their ports (``aj74.shop.ports``; the real adapters when the caller passes none).
Why an order cannot overdraw or oversell: docs/decisions/008-points-and-shop.md.
"""

from __future__ import annotations

from datetime import datetime

from aj74.clock import iso
from aj74.errors import Conflict, NotFound, Unavailable
from aj74.identity.principal import Principal
from aj74.identity.roles import acting_role
from aj74.ids import is_ulid, ulid
from aj74.media import service as media
from aj74.points import rules as points_rules
from aj74.points import service as points_service
from aj74.points.service import GUARD_ATTEMPTS, backoff
from aj74.points.settlement import settle
from aj74.scope import check_territories_exist, out_of_scope, require_scope
from aj74.settings import get_settings
from aj74.shop import rules
from aj74.shop.ports import ShopPorts
from aj74.territories import TerritoryTree
from aj74.transactions import Cancelled
from aj74.validation import LazySchemas, invalid_fields, parse_model

# Orders on one account are serialised; with a handful of taps per resident a few retries suffice,
# while an item's stock takes more contention (many residents at once), hence more attempts.
ORDER_ATTEMPTS = 12


def default_ports(**overrides) -> ShopPorts:
    """The shop's real adapters: the points use cases' (``aj74.points.service.default_ports``), the
    catalogue and the orders in DynamoDB, ``overrides`` in their place."""
    from aj74.shop.repository import Catalogue, Orders

    real = vars(points_service.default_ports())
    return ShopPorts(**{**real, "catalogue": Catalogue(), "orders": Orders(), **overrides})


_schemas = LazySchemas("aj74.shop.schemas")


def _ms(now: datetime) -> int:
    return int(now.timestamp() * 1000)


# ====================================================================== views
def resident_item_view(item: dict, tree: TerritoryTree) -> dict:
    return {
        "id": item["item_id"], "title": item["title"], "description": item["description"],
        "partner": item["partner"], "price": item["price"], "stock": item["stock"],
        "valid_from": iso(item["valid_from"]), "valid_until": iso(item["valid_until"]),
        "territories": [tree.get(t).name for t in item["territory_ids"] if t in tree],
        "image": media.present(item.get("image")),
    }


def staff_item_view(item: dict, tree: TerritoryTree) -> dict:
    return {**resident_item_view(item, tree), "territory_ids": list(item["territory_ids"]), "active": item["active"],
            "version": item["version"], "created_by": item.get("created_by"), "created_at": item.get("created_at"),
            "updated_at": item.get("updated_at")}


def order_view(order: dict) -> dict:
    return {
        "id": order["order_id"], "item_id": order["item_id"], "title": order["title"], "partner": order["partner"],
        "price": order["price"], "status": order["status"], "status_title": rules.STATUS_TITLES[order["status"]],
        "code": order["code"], "created_at": iso(order["created_at"]), "cancel_until": iso(order["cancel_until"]),
        "cancelled_at": order.get("cancelled_at"), "redeemed_at": order.get("redeemed_at"),
    }


# ====================================================================== residents
def items_for_resident(actor: Principal, now: datetime | None = None, ports: ShopPorts | None = None) -> dict:
    """What the caller can order now: on sale, in stock, redeemable where they live."""
    ports = ports or default_ports()
    now = now or ports.clock()
    tree = ports.territories()
    items = [i for i in ports.catalogue.all()
             if rules.is_available(i, now) and rules.redeemable_in(i, actor.territory_id, tree)]
    items.sort(key=lambda i: (i["price"], i["title"]))
    return {"items": [resident_item_view(i, tree) for i in items]}


def _replay(existing: dict, actor: Principal, item_id: str) -> tuple[dict, bool]:
    if existing["account"] != actor.subject or existing["item_id"] != item_id:
        raise Conflict("Этот Idempotency-Key уже использован для другого заказа.", code="idempotency-key-reused")
    return order_view(existing), False


def place_order(actor: Principal, body: dict, idempotency_key: str | None,
                now: datetime | None = None, ports: ShopPorts | None = None) -> tuple[dict, bool]:
    """Order an item: one transaction debits, decrements the stock and creates the order with a
    redemption code. Returns (order, created); a replayed Idempotency-Key returns the first order."""
    key = rules.check_idempotency_key(idempotency_key)
    data = parse_model(_schemas.OrderIn, body)
    order_id = rules.order_id_for(actor.subject, key)
    ports = ports or default_ports()
    orders = ports.orders
    existing = orders.get(order_id)
    if existing:
        return _replay(existing, actor, data.item_id)
    catalogue = ports.catalogue
    tree = ports.territories()
    item = catalogue.get(data.item_id)
    settle(actor, ports=ports)  # participation points earned in polls since the last read count towards the price
    ledger = ports.ledger
    window = get_settings().order_cancel_window_minutes
    for attempt in range(ORDER_ATTEMPTS):
        now_at = now or ports.clock()
        rules.require_orderable(item, actor.territory_id, tree, now_at)
        snapshot = ledger.snapshot(actor.subject)
        points_rules.require_affordable(snapshot.balance, item["price"])
        order = {"order_id": order_id, "account": actor.subject, "item_id": item["item_id"], "title": item["title"],
                 "partner": item["partner"], "price": item["price"], "code": rules.new_redemption_code(),
                 "status": "active", "created_at": now_at, "cancel_until": rules.cancel_deadline(now_at, window)}
        try:
            orders.place(order, snapshot.version, _ms(now_at))
            return order_view(order), True
        except Cancelled as exc:
            if exc.failed(1) or exc.failed(3):
                existing = orders.get(order_id)  # a concurrent replay of the same key won
                if existing:
                    return _replay(existing, actor, data.item_id)
            if exc.failed(2):
                item = catalogue.get(data.item_id)  # out of stock now, or edited: decide again
            backoff(attempt)
    raise Unavailable("Слишком много одновременных заказов, повторите попытку.")


def my_orders(actor: Principal, limit: int, cursor: str | None, ports: ShopPorts | None = None) -> dict:
    ports = ports or default_ports()
    settle(actor, ports=ports)
    items, next_cursor = ports.orders.for_account(actor.subject, limit, cursor)
    return {"items": [order_view(o) for o in items], "next_cursor": next_cursor}


def _own_order(actor: Principal, order_id: str, ports: ShopPorts) -> dict:
    order = ports.orders.get(order_id) if rules.ORDER_ID_RE.match(order_id) else None
    if order is None or order["account"] != actor.subject:
        raise NotFound("Заказ не найден.", code="order-not-found")
    return order


def my_order(actor: Principal, order_id: str, ports: ShopPorts | None = None) -> dict:
    """One of the caller's orders (the Location of POST /v1/shop/orders); another's is not found."""
    return order_view(_own_order(actor, order_id, ports or default_ports()))


def cancel_order(actor: Principal, order_id: str, now: datetime | None = None, ports: ShopPorts | None = None) -> dict:
    """Cancel within the window: refund and restock in one transaction, at most once."""
    ports = ports or default_ports()
    order = _own_order(actor, order_id, ports)
    now = now or ports.clock()
    rules.require_cancellable(order, now)
    try:
        ports.orders.cancel(order, iso(now), _ms(now))
    except Cancelled as exc:
        # Lost to a concurrent cancel or a redemption: say which, from the order as it is now.
        rules.require_cancellable(_own_order(actor, order_id, ports), now)
        raise Unavailable("Не удалось отменить заказ, повторите попытку.") from exc
    return order_view({**order, "status": "cancelled", "cancelled_at": iso(now)})


def redeem(actor: Principal, body: dict, now: datetime | None = None, ports: ShopPorts | None = None) -> dict:
    """Mark a redemption code used; exactly one of concurrent attempts succeeds. A cashier redeems
    its own partner's codes only; the administrator's support redemption needs a reason. Both are
    audited (the entry names the order, never the resident)."""
    data = parse_model(_schemas.RedeemIn, body)
    code = rules.normalise_code(data.code)
    ports = ports or default_ports()
    orders = ports.orders
    order_id = orders.id_for_code(code)
    if order_id is None:
        raise NotFound("Код не найден.", code="code-not-found")
    order = orders.get(order_id)
    role = acting_role(actor, "shop.redeem")
    rules.require_redeemer(role, actor.partner, order["partner"], data.reason)
    now = now or ports.clock()
    if not orders.redeem(order_id, code, iso(now), actor.subject):
        order = orders.get(order_id)
        rules.require_redeemable(order)
        raise Conflict("Код недействителен.", code="code-invalid")
    order = orders.get(order_id)
    ports.audit.append(actor=actor.subject, actor_role=role, action="shop.redeem", target_type="shop_order",
                       target_id=order_id, before={"status": "active"},
                       after={"status": "redeemed", "item_id": order["item_id"], "partner": order["partner"]},
                       comment=data.reason or None, at=iso(now))
    return {"order_id": order_id, "item_id": order["item_id"], "title": order["title"], "partner": order["partner"],
            "status": order["status"], "status_title": rules.STATUS_TITLES[order["status"]],
            "redeemed_at": order.get("redeemed_at")}


# ====================================================================== staff
def _is_moderator_only(actor: Principal) -> bool:
    return not actor.has_role("admin")


def staff_items(actor: Principal, ports: ShopPorts | None = None) -> dict:
    ports = ports or default_ports()
    tree = ports.territories()
    items = ports.catalogue.all()
    if _is_moderator_only(actor):
        items = [i for i in items if not out_of_scope(actor, i["territory_ids"], tree)]
    items.sort(key=lambda i: (i["title"], i["item_id"]))
    return {"items": [staff_item_view(i, tree) for i in items]}


def _check_item_id(item_id: str) -> None:
    if not is_ulid(item_id):
        raise NotFound("Поощрение не найдено.", code="item-not-found")


def staff_item(actor: Principal, item_id: str, ports: ShopPorts | None = None) -> dict:
    _check_item_id(item_id)
    ports = ports or default_ports()
    tree = ports.territories()
    item = ports.catalogue.get(item_id)
    require_scope(actor, item["territory_ids"], tree)
    return staff_item_view(item, tree)


def create_item(actor: Principal, body: dict, ports: ShopPorts | None = None) -> dict:
    data = parse_model(_schemas.ItemIn, body)
    ports = ports or default_ports()
    tree = ports.territories()
    check_territories_exist(data.territory_ids, tree)
    require_scope(actor, data.territory_ids, tree)
    media.check([("image", media.stored(data.image))])
    now = iso(ports.clock())
    item = {**data.model_dump(mode="python"), "item_id": ulid(), "version": 1, "created_by": actor.subject,
            "created_at": now, "updated_at": now}
    ports.catalogue.create(item)
    view = staff_item_view(item, tree)
    ports.audit.append(actor=actor.subject, actor_role=acting_role(actor, "shop.item.create"),
                       action="shop.item.create", target_type="shop_item", target_id=item["item_id"],
                       after=_audit_copy(view), at=now)
    return view


def _audit_copy(view: dict) -> dict:
    copy = {k: view[k] for k in ("title", "partner", "price", "stock", "valid_from", "valid_until",
                                 "territory_ids", "active")}
    if view.get("image"):
        copy["image"] = media.stored(view["image"])
    return copy


def update_item(actor: Principal, item_id: str, body: dict, ports: ShopPorts | None = None) -> dict:
    """Edit an item. ``stock`` sets the stock on hand; orders placed meanwhile are not lost: the
    write is conditioned on the stock read, and retried on the fresh value when it moved."""
    _check_item_id(item_id)
    patch = parse_model(_schemas.ItemPatchIn, body)
    changes = patch.model_dump(mode="python", exclude_unset=True, exclude={"version"})
    if "image" in changes:
        changes["image"] = media.stored(patch.image)
        media.check([("image", changes["image"])])
    ports = ports or default_ports()
    tree = ports.territories()
    catalogue = ports.catalogue
    for attempt in range(GUARD_ATTEMPTS):
        item = catalogue.get(item_id)
        require_scope(actor, item["territory_ids"], tree)
        if item["version"] != patch.version:
            raise Conflict("Поощрение уже изменил другой сотрудник: обновите страницу.", code="stale-version",
                           version=item["version"])
        updated = {**item, **changes, "version": item["version"] + 1, "updated_at": iso(ports.clock())}
        if updated["valid_until"] <= updated["valid_from"]:
            raise invalid_fields([{"field": "valid_until", "detail": "Окончание действия должно быть позже начала"}])
        check_territories_exist(updated["territory_ids"], tree)
        require_scope(actor, updated["territory_ids"], tree)
        if catalogue.replace(updated, patch.version, item["stock"]):
            before, after = _audit_copy(staff_item_view(item, tree)), _audit_copy(staff_item_view(updated, tree))
            ports.audit.append(actor=actor.subject, actor_role=acting_role(actor, "shop.item.update"),
                               action="shop.item.update", target_type="shop_item", target_id=item_id,
                               before=before, after=after, at=updated["updated_at"])
            return staff_item_view(updated, tree)
        backoff(attempt)
    raise Unavailable("Поощрение сейчас часто заказывают, повторите сохранение.")
