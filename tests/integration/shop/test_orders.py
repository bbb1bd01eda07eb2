"""Orders, cancellations and redemptions under real concurrency: threads against moto over HTTP,
every thread going through the same code path as the API (service → repository → DynamoDB)."""

from __future__ import annotations

import threading
import uuid
from datetime import timedelta

import pytest
from aj74.clock import utcnow
from aj74.errors import Conflict, Forbidden
from aj74.points.repository import PointsLedger
from aj74.shop import service
from aj74.shop.repository import Catalogue

from tests.integration.shop.conftest import concurrently, grant
from tests.support.polls import persona, resident

# The full tier only (make test): the same behaviours run on the services' fakes in the fast
# tier (tests/unit/test_shop_service.py), and the contract tests hold the fakes to the
# adapters on moto; here they run end to end through the real adapters (docs/decisions/021).
pytestmark = pytest.mark.slow


def key() -> str:
    return uuid.uuid4().hex


def order(who, item_id: str, idem: str | None = None):
    return service.place_order(who, {"item_id": item_id}, idem or key())


def conflicts(results, code: str) -> list[Conflict]:
    return [r for r in results if isinstance(r, Conflict) and r.code == code]


def test_fifty_residents_race_for_ten_items_and_exactly_ten_win(new_item):
    # Given an item with stock 10 and 50 residents who can each afford it
    item = new_item(price=100, stock=10)
    residents = [resident(f"race-{uuid.uuid4().hex[:8]}-{i}") for i in range(50)]
    for r in residents:
        grant(r.subject, 100)
    # When all 50 order at once
    results = concurrently([lambda r=r: order(r, item["id"]) for r in residents])
    # Then exactly 10 orders exist, the stock is 0, and the other 40 got a clear 409
    won = [r for r in results if isinstance(r, tuple)]
    assert len(won) == 10, [type(r).__name__ + str(r) for r in results if not isinstance(r, tuple)][:5]
    assert all(created for _, created in won)
    sold_out = conflicts(results, "out-of-stock")
    assert len(sold_out) == 40
    assert "закончилось" in sold_out[0].detail
    assert Catalogue().get(item["id"])["stock"] == 0
    ledger = PointsLedger()
    balances = sorted(ledger.balance(r.subject) for r in residents)
    assert balances == [0] * 10 + [100] * 40
    codes = {o["code"] for o, _ in won}
    assert len(codes) == 10 and all(len(c) == 26 for c in codes)


def test_one_resident_firing_twenty_orders_buys_once_and_never_goes_negative(new_item):
    # Given a resident who can afford exactly one item, and plenty of stock
    item = new_item(price=100, stock=100)
    buyer = resident(f"greedy-{uuid.uuid4().hex[:8]}")
    grant(buyer.subject, 100)
    ledger = PointsLedger()
    seen: list[int] = []
    done = threading.Event()

    def watch():
        while not done.is_set():
            seen.append(ledger.balance(buyer.subject))

    watcher = threading.Thread(target=watch)
    watcher.start()
    # When they fire 20 orders with 20 different Idempotency-Keys at once
    try:
        results = concurrently([lambda: order(buyer, item["id"]) for _ in range(20)])
    finally:
        done.set()
        watcher.join()
    # Then exactly one succeeds, the others are told they lack points, the balance is 0, never below
    assert len([r for r in results if isinstance(r, tuple)]) == 1
    refused = conflicts(results, "insufficient-points")
    assert len(refused) == 19 and "Недостаточно баллов" in refused[0].detail
    assert ledger.balance(buyer.subject) == 0
    assert seen and min(seen) >= 0
    assert Catalogue().get(item["id"])["stock"] == 99
    assert [e["kind"] for e in ledger.entries(buyer.subject)].count("order") == 1


def test_replaying_an_idempotency_key_returns_the_same_order_and_debits_once(new_item):
    item = new_item(price=30, stock=5)
    buyer = resident(f"replay-{uuid.uuid4().hex[:8]}")
    grant(buyer.subject, 100)
    idem = key()
    # When the same request is sent once, then three more times at once
    first, created = order(buyer, item["id"], idem)
    replays = concurrently([lambda: order(buyer, item["id"], idem) for _ in range(3)])
    # Then every answer is the first order, and points and stock moved once
    assert created is True
    assert all(r == (first, False) for r in replays)
    assert PointsLedger().balance(buyer.subject) == 70
    assert Catalogue().get(item["id"])["stock"] == 4
    # And a key reused for another item is refused rather than silently answered
    other = new_item(price=10, stock=5)
    with pytest.raises(Conflict) as exc:
        order(buyer, other["id"], idem)
    assert exc.value.code == "idempotency-key-reused"


def test_concurrent_first_requests_with_one_key_create_one_order(new_item):
    item = new_item(price=10, stock=50)
    buyer = resident(f"dblclick-{uuid.uuid4().hex[:8]}")
    grant(buyer.subject, 100)
    idem = key()
    results = concurrently([lambda: order(buyer, item["id"], idem) for _ in range(10)])
    assert {r[0]["id"] for r in results} == {results[0][0]["id"]}
    assert [created for _, created in results].count(True) == 1
    assert PointsLedger().balance(buyer.subject) == 90


def test_a_cancel_sent_twice_refunds_and_restocks_once(new_item):
    item = new_item(price=40, stock=3)
    buyer = resident(f"cancel-{uuid.uuid4().hex[:8]}")
    grant(buyer.subject, 50)
    placed, _ = order(buyer, item["id"])
    assert PointsLedger().balance(buyer.subject) == 10
    # When the resident's app sends the cancel twice at once, and once more later
    results = concurrently([lambda: service.cancel_order(buyer, placed["id"]) for _ in range(2)])
    with pytest.raises(Conflict) as late:
        service.cancel_order(buyer, placed["id"])
    # Then one cancel succeeded, the repeats were told it is already cancelled, refunded once
    assert len([r for r in results if isinstance(r, dict) and r["status"] == "cancelled"]) == 1
    assert len(conflicts(results, "order-already-cancelled")) == 1
    assert late.value.code == "order-already-cancelled" and "уже отменён" in late.value.detail
    assert PointsLedger().balance(buyer.subject) == 50
    assert [e["kind"] for e in PointsLedger().entries(buyer.subject)].count("refund") == 1
    assert Catalogue().get(item["id"])["stock"] == 3


def test_cancel_after_the_window_is_refused(new_item):
    item = new_item(price=10, stock=3)
    buyer = resident(f"late-{uuid.uuid4().hex[:8]}")
    grant(buyer.subject, 10)
    placed, _ = order(buyer, item["id"])
    with pytest.raises(Conflict) as exc:
        service.cancel_order(buyer, placed["id"], now=utcnow() + timedelta(minutes=31))
    assert exc.value.code == "cancel-window-passed"
    assert PointsLedger().balance(buyer.subject) == 0


def test_a_redemption_code_is_used_once_under_concurrent_redeems(new_item):
    item = new_item(price=10, stock=3)
    buyer = resident(f"redeem-{uuid.uuid4().hex[:8]}")
    grant(buyer.subject, 10)
    placed, _ = order(buyer, item["id"])
    code = placed["code"]
    typed = "-".join(code[i:i + 4] for i in range(0, len(code), 4)).lower()  # as a cashier may type it
    # When 20 cashiers redeem the same code at once
    cashier = persona("partner", partner=item["partner"])  # a cashier of the item's own partner
    results = concurrently([lambda: service.redeem(cashier, {"code": typed}) for _ in range(20)])
    # Then one succeeded and 19 were told the code is used; the order can no longer be cancelled
    assert len([r for r in results if isinstance(r, dict) and r["status"] == "redeemed"]) == 1
    used = conflicts(results, "code-used")
    assert len(used) == 19 and used[0].detail == "Код уже использован."
    with pytest.raises(Conflict) as exc:
        service.cancel_order(buyer, placed["id"])
    assert exc.value.code == "order-redeemed"


def test_a_cancelled_orders_code_cannot_be_redeemed(new_item):
    item = new_item(price=10, stock=3)
    buyer = resident(f"void-{uuid.uuid4().hex[:8]}")
    grant(buyer.subject, 10)
    placed, _ = order(buyer, item["id"])
    service.cancel_order(buyer, placed["id"])
    with pytest.raises(Conflict) as exc:
        service.redeem(persona("partner", partner=item["partner"]), {"code": placed["code"]})
    assert exc.value.code == "order-cancelled"


def test_residents_see_only_what_they_can_order_where_they_live(new_item):
    satka = new_item(price=5, stock=2, title="Сувенир «Зюраткуль»")
    new_item(price=5, stock=2, territories=("go-magnitogorsk",), title="Билет в театр им. Пушкина")
    new_item(price=5, stock=0, title="Распродано")
    later = utcnow() + timedelta(days=5)
    from aj74.clock import iso

    new_item(price=5, stock=2, title="Ещё не в продаже", valid_from=iso(later),
             valid_until=iso(later + timedelta(days=1)))
    titles = {i["title"] for i in service.items_for_resident(resident("viewer", territory_id="gp-satka"))["items"]}
    assert satka["title"] in titles
    assert not titles & {"Билет в театр им. Пушкина", "Распродано", "Ещё не в продаже"}
    # And an order from outside the item's territory is refused with the reason
    with pytest.raises(Conflict) as exc:
        order(resident("mgn-buyer", territory_id="go-magnitogorsk"), satka["id"])
    assert exc.value.code == "item-not-in-territory"


def test_moderators_manage_only_items_of_their_territories(new_item):
    mine = service.create_item(persona("moderator-satka"), _body(("gp-satka",)))
    with pytest.raises(Forbidden):
        service.create_item(persona("moderator-satka"), _body(("go-magnitogorsk",)))
    theirs = new_item(territories=("go-magnitogorsk",))
    with pytest.raises(Forbidden):
        service.update_item(persona("moderator-satka"), theirs["id"], {"version": 1, "price": 1})
    listed = {i["id"] for i in service.staff_items(persona("moderator-satka"))["items"]}
    assert mine["id"] in listed and theirs["id"] not in listed
    updated = service.update_item(persona("moderator-satka"), mine["id"], {"version": 1, "stock": 7, "price": 15})
    assert (updated["stock"], updated["price"], updated["version"]) == (7, 15, 2)
    with pytest.raises(Conflict) as stale:
        service.update_item(persona("admin"), mine["id"], {"version": 1, "price": 20})
    assert stale.value.code == "stale-version"
    from aj74.audit.repository import AuditLog

    actions = [(e["action"], e["target_id"]) for e in AuditLog().entries()]
    assert ("shop.item.create", mine["id"]) in actions and ("shop.item.update", mine["id"]) in actions


def _body(territories):
    from tests.integration.shop.conftest import item_body

    return item_body(territories=territories)


def test_admin_adjustments_need_a_reason_are_audited_and_never_overdraw():
    from aj74.audit.repository import AuditLog
    from aj74.errors import InvalidInput
    from aj74.points import service as points

    account = f"adj-{uuid.uuid4().hex[:8]}"
    grant(account, 20)
    with pytest.raises(InvalidInput):
        points.adjust(persona("admin"), {"account": account, "points": 5})
    with pytest.raises(Conflict) as exc:
        points.adjust(persona("admin"), {"account": account, "points": -30, "reason": "Ошибочное начисление"})
    assert exc.value.code == "insufficient-points"
    done = points.adjust(persona("admin"), {"account": account, "points": -15, "reason": "Ошибочное начисление"})
    assert done["balance"] == 5 and PointsLedger().balance(account) == 5
    assert any(e["action"] == "points.adjust" and e["target_id"] == account and e["comment"] == "Ошибочное начисление"
               for e in AuditLog().entries())
    mine = points.my_points(resident(account), 20, None)
    assert mine["balance"] == 5 and mine["lifetime"] == 5
    assert mine["entries"][0]["reason"] == "Ошибочное начисление" and mine["entries"][0]["ref"] is None
