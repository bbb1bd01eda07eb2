"""The rewards shop's use cases on fakes (tests/support/fakes/shop.py): the real ordering, cancelling
and redeeming code, with in-memory stand-ins only at the ports (aj74.shop.ports), so no moto and no
socket. What the fakes' transactions refuse is held to DynamoDB's by tests/integration/test_shop_ports_contract.py."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from aj74.api.problems import status_for
from aj74.clock import iso
from aj74.errors import DomainError
from aj74.settings import get_settings
from aj74.shop import rules, service

from tests.support.fakes.shop import ZOO, FakeShopWorld, grant, new_item
from tests.support.fakes.vote import a_poll
from tests.support.polls import persona, resident


@pytest.fixture
def world() -> FakeShopWorld:
    return FakeShopWorld()


def order(world, buyer, item_id: str, key: str = "order-key-0001") -> tuple[dict, bool]:
    return service.place_order(buyer, {"item_id": item_id}, key, ports=world.shop_ports())


def refused(call) -> tuple[int, str, str]:
    with pytest.raises(DomainError) as caught:
        call()
    return status_for(caught.value)[0], caught.value.code, caught.value.detail


def stock_of(world, item_id: str) -> int:
    return world.catalogue.get(item_id)["stock"]


# ------------------------------------------------------------------ ordering


def test_an_order_charges_the_price_once_takes_one_from_stock_and_gives_a_code(world):
    # Given a resident of Satka with 100 points and an item for 30
    buyer = resident("buyer-satka")
    grant(world, buyer.subject, 100)
    item = new_item(world, price=30, stock=5)

    # When they order it
    placed, created = order(world, buyer, item["id"])

    # Then the order is active with a 26-character code, 30 points are gone and 4 are left in stock
    assert created is True
    assert (placed["status"], placed["status_title"], placed["price"]) == ("active", "оформлен", 30)
    assert len(placed["code"]) == 26 and rules.CODE_RE.match(placed["code"])
    window = get_settings().order_cancel_window_minutes
    assert placed["cancel_until"] == iso(world.clock.now + timedelta(minutes=window))
    assert world.points.balance(buyer.subject) == 70
    assert [e["kind"] for e in world.points.entries(buyer.subject)].count("order") == 1
    assert stock_of(world, item["id"]) == 4
    assert service.my_orders(buyer, 20, None, ports=world.shop_ports())["items"] == [placed]


def test_a_retry_with_the_same_idempotency_key_returns_the_same_order_and_charges_once(world):
    buyer = resident("retry-satka")
    grant(world, buyer.subject, 100)
    item = new_item(world, price=30, stock=5)
    first, _ = order(world, buyer, item["id"], key="phone-retry-0001")

    # When the phone sends the same request again a few seconds later
    world.clock.advance(seconds=5)
    again = order(world, buyer, item["id"], key="phone-retry-0001")

    # Then it gets the first order back, not a second one, and nothing moved twice
    assert again == (first, False)
    assert world.points.balance(buyer.subject) == 70
    assert stock_of(world, item["id"]) == 4
    # And the key reused for another item is refused rather than answered with the wrong order
    other = new_item(world, price=10)
    status, code, detail = refused(lambda: order(world, buyer, other["id"], key="phone-retry-0001"))
    assert (status, code) == (409, "idempotency-key-reused")
    assert detail == "Этот Idempotency-Key уже использован для другого заказа."


def test_an_order_beyond_the_balance_is_refused_and_nothing_is_written(world):
    buyer = resident("short-satka")
    grant(world, buyer.subject, 50)
    item = new_item(world, price=100, stock=5)
    before = world.points.snapshot(buyer.subject)

    status, code, detail = refused(lambda: order(world, buyer, item["id"]))

    assert (status, code) == (409, "insufficient-points")
    assert detail == "Недостаточно баллов: нужно 100, на счёте 50."
    assert world.points.snapshot(buyer.subject) == before
    assert stock_of(world, item["id"]) == 5
    assert service.my_orders(buyer, 20, None, ports=world.shop_ports())["items"] == []


def test_an_item_out_of_stock_is_refused_and_nothing_is_charged(world):
    buyer = resident("late-satka")
    grant(world, buyer.subject, 100)
    item = new_item(world, price=10, stock=0)

    status, code, detail = refused(lambda: order(world, buyer, item["id"]))

    assert (status, code, detail) == (409, "out-of-stock", "Поощрение закончилось: в наличии 0.")
    assert world.points.balance(buyer.subject) == 100 and world.points.version(buyer.subject) == 0


def test_the_last_item_sold_while_ordering_is_refused_out_of_stock_and_nothing_is_charged(world):
    # Given one item left, which another resident buys between our read of it and our order
    buyer, rival = resident("slow-satka"), resident("quick-satka")
    grant(world, buyer.subject, 100)
    item = new_item(world, price=10, stock=1)
    catalogue = world.catalogue

    class RivalBuysFirst:
        def __getattr__(self, name):
            return getattr(catalogue, name)

        def get(self, item_id):
            seen = catalogue.get(item_id)
            if seen["stock"] == 1:
                grant(world, rival.subject, 10)
                order(world, rival, item_id, key="rival-key-0001")
            return seen

    # When our resident's transaction meets the stock at 0
    ports = replace(world.shop_ports(), catalogue=RivalBuysFirst())
    status, code, _ = refused(lambda: service.place_order(buyer, {"item_id": item["id"]}, "slow-key-0001",
                                                          ports=ports))

    # Then they are told it is sold out, and the debit that was in the same transaction never happened
    assert (status, code) == (409, "out-of-stock")
    assert world.points.balance(buyer.subject) == 100 and world.points.version(buyer.subject) == 0
    assert world.points.balance(rival.subject) == 0 and stock_of(world, item["id"]) == 0


def test_an_item_outside_the_residents_territory_is_refused_with_where_it_can_be_used(world):
    buyer = persona("resident-magnitogorsk")
    grant(world, buyer.subject, 100)
    item = new_item(world, price=10)

    status, code, detail = refused(lambda: order(world, buyer, item["id"]))

    assert (status, code, detail) == (409, "item-not-in-territory", "Поощрение доступно только жителям: Саткинский "
                                                                     "муниципальный район.")
    assert world.points.balance(buyer.subject) == 100 and stock_of(world, item["id"]) == 10
    # and the item is not offered to them in the first place
    assert service.items_for_resident(buyer, ports=world.shop_ports())["items"] == []
    assert [i["id"] for i in service.items_for_resident(resident("viewer"), ports=world.shop_ports())["items"]] == [
        item["id"]]


def test_points_earned_in_a_finished_poll_count_towards_the_price(world):
    # Given a resident with no points yet who took part in a poll whose result is out
    buyer = resident("voter-satka")
    poll = a_poll(world.clock.now - timedelta(days=2), state="final")
    world.polls.append(poll)
    world.voted(poll, buyer.subject)
    item = new_item(world, price=10)

    # When they order an item for 10
    placed, created = order(world, buyer, item["id"])

    # Then the participation was credited first and paid for it
    assert created and placed["status"] == "active"
    assert sorted(e["kind"] for e in world.points.entries(buyer.subject)) == ["ballot", "order"]
    assert world.points.balance(buyer.subject) == 0


# ------------------------------------------------------------------ cancelling


def test_a_cancel_within_the_window_refunds_and_restores_the_stock(world):
    buyer = resident("cancel-satka")
    grant(world, buyer.subject, 50)
    item = new_item(world, price=40, stock=3)
    placed, _ = order(world, buyer, item["id"])
    world.clock.advance(minutes=10)

    cancelled = service.cancel_order(buyer, placed["id"], ports=world.shop_ports())

    assert (cancelled["status"], cancelled["status_title"]) == ("cancelled", "отменён")
    assert cancelled["cancelled_at"] == iso(world.clock.now)
    assert world.points.balance(buyer.subject) == 50
    assert [e["kind"] for e in world.points.entries(buyer.subject)].count("refund") == 1
    assert stock_of(world, item["id"]) == 3
    # And a second cancel is told it is done, refunding nothing more
    status, code, detail = refused(lambda: service.cancel_order(buyer, placed["id"], ports=world.shop_ports()))
    assert (status, code, detail) == (409, "order-already-cancelled", "Заказ уже отменён, баллы возвращены.")
    assert world.points.balance(buyer.subject) == 50 and stock_of(world, item["id"]) == 3


def test_a_cancel_after_the_window_is_refused_and_the_points_stay_spent(world):
    buyer = resident("too-late-satka")
    grant(world, buyer.subject, 10)
    item = new_item(world, price=10, stock=3)
    placed, _ = order(world, buyer, item["id"])
    world.clock.advance(minutes=get_settings().order_cancel_window_minutes)

    status, code, detail = refused(lambda: service.cancel_order(buyer, placed["id"], ports=world.shop_ports()))

    assert (status, code, detail) == (409, "cancel-window-passed", "Срок отмены заказа истёк.")
    assert world.points.balance(buyer.subject) == 0 and stock_of(world, item["id"]) == 2
    assert service.my_order(buyer, placed["id"], ports=world.shop_ports())["status"] == "active"


def test_another_residents_order_is_not_found_and_cannot_be_cancelled(world):
    buyer = resident("owner-satka")
    grant(world, buyer.subject, 10)
    placed, _ = order(world, buyer, new_item(world, price=10)["id"])

    status, code, _ = refused(lambda: service.cancel_order(resident("other-satka"), placed["id"],
                                                           ports=world.shop_ports()))

    assert (status, code) == (404, "order-not-found")
    assert service.my_order(buyer, placed["id"], ports=world.shop_ports())["status"] == "active"


# ------------------------------------------------------------------ redeeming


def test_only_a_cashier_of_the_items_partner_redeems_its_code_and_the_redemption_is_audited(world):
    buyer = resident("guest-satka")
    grant(world, buyer.subject, 10)
    placed, _ = order(world, buyer, new_item(world, price=10, partner=ZOO)["id"])
    typed = "-".join(placed["code"][i:i + 4] for i in range(0, 26, 4)).lower()  # as a cashier may type it

    # A cashier of another partner is refused, and the code stays valid
    other_cashier = persona("partner-parking")
    status, code, detail = refused(lambda: service.redeem(other_cashier, {"code": typed}, ports=world.shop_ports()))
    assert (status, code) == (403, "partner-mismatch")
    assert f"партнёра «{ZOO}»" in detail
    assert service.my_order(buyer, placed["id"], ports=world.shop_ports())["status"] == "active"

    # The zoo's cashier redeems it
    cashier = persona("partner")
    done = service.redeem(cashier, {"code": typed}, ports=world.shop_ports())
    assert (done["order_id"], done["status"], done["status_title"]) == (placed["id"], "redeemed", "использован")
    assert done["redeemed_at"] == iso(world.clock.now)
    [entry] = [e for e in world.audit.entries() if e["action"] == "shop.redeem"]
    assert (entry["actor"], entry["actor_role"], entry["target_id"]) == (cashier.subject, "partner", placed["id"])
    assert buyer.subject not in str(entry)  # the entry names the order, never the resident

    # A second redemption is refused, and the order can no longer be cancelled
    status, code, detail = refused(lambda: service.redeem(cashier, {"code": typed}, ports=world.shop_ports()))
    assert (status, code, detail) == (409, "code-used", "Код уже использован.")
    status, code, _ = refused(lambda: service.cancel_order(buyer, placed["id"], ports=world.shop_ports()))
    assert (status, code) == (409, "order-redeemed")


def test_an_unknown_code_is_not_found(world):
    status, code, detail = refused(lambda: service.redeem(persona("partner"), {"code": "A" * 26},
                                                          ports=world.shop_ports()))
    assert (status, code, detail) == (404, "code-not-found", "Код не найден.")


# ------------------------------------------------------------------ staff


def test_a_moderator_edits_items_of_their_territory_and_every_change_is_audited(world):
    moderator = persona("moderator-satka")
    item = new_item(world, price=10, stock=5)

    updated = service.update_item(moderator, item["id"], {"version": 1, "stock": 7, "price": 15},
                                  ports=world.shop_ports())

    assert (updated["stock"], updated["price"], updated["version"]) == (7, 15, 2)
    status, code, _ = refused(lambda: service.update_item(persona("admin"), item["id"], {"version": 1, "price": 20},
                                                          ports=world.shop_ports()))
    assert (status, code) == (409, "stale-version")
    assert world.audit.actions() == ["shop.item.create", "shop.item.update"]
    assert world.audit.entries()[1]["after"]["price"] == 15
    foreign = new_item(world, territories=("go-magnitogorsk",))
    assert [i["id"] for i in service.staff_items(moderator, ports=world.shop_ports())["items"]] == [item["id"]]
    assert refused(lambda: service.staff_item(moderator, foreign["id"], ports=world.shop_ports()))[0] == 403

