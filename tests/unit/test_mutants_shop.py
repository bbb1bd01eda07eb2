"""The rewards shop's use cases (aj74.shop.service) as a client, a cashier and the audit log see them,
on the fakes of tests/support/fakes/shop.py: every field of the item and order views, each refusal's
status, code, Russian detail and numbers, what the audit entries record, the races an order, an edit
and a cancellation can lose, and the default wiring. Written for the mutants of the ``orders`` group
(docs/testing.md)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from aj74.api.problems import status_for
from aj74.audit.repository import AuditLog
from aj74.clock import iso
from aj74.errors import DomainError
from aj74.ids import ulid
from aj74.media import service as media_service
from aj74.media import storage
from aj74.media.service import UNKNOWN_IMAGE
from aj74.settings import get_settings
from aj74.shop import service
from aj74.shop.repository import Catalogue, Orders
from aj74.transactions import Cancelled

from tests.support.fakes.content import refused
from tests.support.fakes.media import PUBLIC_URL, FakeMediaWorld
from tests.support.fakes.shop import ZOO, FakeShopWorld, grant, new_item
from tests.support.fakes.vote import FakeClock
from tests.support.polls import persona, resident

SATKA = "Саткинский муниципальный район"


@pytest.fixture
def world() -> FakeShopWorld:
    return FakeShopWorld()


@pytest.fixture
def images(monkeypatch) -> FakeMediaWorld:
    """The image service's bucket as a fake: the shop checks and presents images through it."""
    media = FakeMediaWorld()
    monkeypatch.setattr(media_service, "default_ports", lambda **overrides: media.ports())
    return media


@pytest.fixture(autouse=True)
def no_backoff(monkeypatch) -> None:
    """Retries of a lost race without the jittered sleep (how many there are is what is tested)."""
    monkeypatch.setattr(service, "backoff", lambda attempt: attempt + 1)


def an_image(images: FakeMediaWorld, alt: str = "Вход в зоопарк") -> dict:
    media_id = ulid()
    images.bucket.put_public(media_id, b"\xff\xd8jpeg", "image/jpeg")
    return {"id": media_id, "alt": alt}


def shown(image: dict) -> dict:
    return {**image, "url": f"{PUBLIC_URL}/{storage.public_key(image['id'])}"}


def caught(call) -> DomainError:
    with pytest.raises(DomainError) as refusal:
        call()
    return refusal.value


def order(world, buyer, item_id: str, key: str = "order-key-0001", ports=None) -> tuple[dict, bool]:
    return service.place_order(buyer, {"item_id": item_id}, key, ports=ports or world.shop_ports())


# ------------------------------------------------------------------ wiring


def test_the_default_wiring_is_the_real_catalogue_orders_and_audit_log_and_takes_overrides():
    clock = FakeClock()

    ports, overridden = service.default_ports(), service.default_ports(clock=clock)

    assert isinstance(ports.catalogue, Catalogue) and isinstance(ports.orders, Orders)
    assert isinstance(ports.audit, AuditLog)
    assert overridden.clock is clock and isinstance(overridden.orders, Orders)


# ------------------------------------------------------------------ the catalogue


def test_a_resident_sees_every_field_of_an_item_cheapest_first_then_by_title(world, images):
    # Given three items put on sale in another order than they are shown
    image = an_image(images)
    ticket = new_item(world, price=30, title="Билет в зоопарк", image=image)
    pass_ = new_item(world, price=30, title="Абонемент в бассейн", description="")
    parking = new_item(world, price=10, title="Час парковки", territories=("mr-satkinsky", "go-magnitogorsk"))

    # When a resident of Satka opens the shop
    seen = service.items_for_resident(resident("shopper"), ports=world.shop_ports())["items"]

    # Then the cheapest comes first, equal prices by title, and each item shows what a resident reads
    assert [i["id"] for i in seen] == [parking["id"], pass_["id"], ticket["id"]]
    assert seen[2] == {
        "id": ticket["id"], "title": "Билет в зоопарк", "description": "Один взрослый билет.", "partner": ZOO,
        "price": 30, "stock": 10, "valid_from": iso(world.clock.now - timedelta(days=1)),
        "valid_until": iso(world.clock.now + timedelta(days=30)), "territories": [SATKA], "image": shown(image)}
    assert seen[0]["territories"] == [SATKA, "Магнитогорский городской округ"]
    assert seen[1]["image"] is None


def test_staff_see_every_field_of_an_item_and_the_list_by_title(world, images):
    # Given an item with an image created by the IT administrator, and a second one titled earlier
    image = an_image(images)
    created = new_item(world, price=40, stock=3, title="Билет в зоопарк", image=image)
    earlier = new_item(world, title="Абонемент в бассейн")
    admin = persona("admin")

    # When staff open the item and the catalogue
    opened = service.staff_item(persona("moderator-satka"), created["id"], ports=world.shop_ports())
    listed = service.staff_items(admin, ports=world.shop_ports())["items"]

    # Then the item shows every field, with who created it and when
    now = iso(world.clock.now)
    assert opened == created == {
        "id": created["id"], "title": "Билет в зоопарк", "description": "Один взрослый билет.", "partner": ZOO,
        "price": 40, "stock": 3, "valid_from": iso(world.clock.now - timedelta(days=1)),
        "valid_until": iso(world.clock.now + timedelta(days=30)), "territories": [SATKA], "image": shown(image),
        "territory_ids": ["mr-satkinsky"], "active": True, "version": 1, "created_by": admin.subject,
        "created_at": now, "updated_at": now}
    assert [i["id"] for i in listed] == [earlier["id"], created["id"]]


def test_an_item_id_that_is_no_ulid_is_not_found(world):
    for call in (lambda: service.staff_item(persona("admin"), "not-an-item", ports=world.shop_ports()),
                 lambda: service.update_item(persona("admin"), "not-an-item", {"version": 1, "price": 5},
                                             ports=world.shop_ports())):
        assert refused(call) == (404, "item-not-found", "Поощрение не найдено.")


def test_creating_an_item_is_audited_with_what_it_holds(world, images):
    # Given an administrator adding an item with an image
    image = an_image(images, alt="Слоны")
    admin = persona("admin")
    world.clock.advance(minutes=7)

    view = new_item(world, price=25, stock=0, image=image)

    # Then the entry names the item and copies what staff set, the image by id and alt text
    [entry] = world.audit.entries()
    assert (entry["actor"], entry["actor_role"], entry["action"]) == (admin.subject, "admin", "shop.item.create")
    assert (entry["target_type"], entry["target_id"], entry["at"]) == ("shop_item", view["id"], iso(world.clock.now))
    assert entry["before"] is None
    assert entry["after"] == {
        "title": "Билет в Челябинский зоопарк", "partner": ZOO, "price": 25, "stock": 0,
        "valid_from": view["valid_from"], "valid_until": view["valid_until"], "territory_ids": ["mr-satkinsky"],
        "active": True, "image": image}


def test_a_person_who_is_administrator_and_moderator_edits_the_catalogue_as_administrator(world):
    both = persona("moderator-satka", roles=["moderator", "admin"])

    item = new_item(world, actor=both)
    service.update_item(both, item["id"], {"version": 1, "price": 20}, ports=world.shop_ports())

    assert [(e["action"], e["actor_role"]) for e in world.audit.entries()] == [
        ("shop.item.create", "admin"), ("shop.item.update", "admin")]


def test_a_moderator_creates_items_in_their_territory_only(world):
    moderator = persona("moderator-satka")

    created = new_item(world, actor=moderator)
    assert (created["created_by"], world.audit.entries()[0]["actor_role"]) == (moderator.subject, "moderator")

    assert refused(lambda: new_item(world, actor=moderator, territories=("go-magnitogorsk",))) == (
        403, "territory-scope", "Территории вне вашей зоны ответственности: Магнитогорский городской округ.")
    assert len(world.tables.items) == 1


def test_an_item_with_an_image_never_uploaded_is_refused_on_the_image_field(world, images):
    ghost = {"id": ulid(), "alt": "Нет такого"}
    item = new_item(world)

    for call in (lambda: new_item(world, image=ghost),
                 lambda: service.update_item(persona("admin"), item["id"], {"version": 1, "image": ghost},
                                             ports=world.shop_ports())):
        refusal = caught(call)
        assert (status_for(refusal)[0], refusal.code) == (422, "unknown-image")
        assert refusal.errors == [{"field": "image.id", "detail": UNKNOWN_IMAGE}]
    assert len(world.tables.items) == 1 and world.audit.actions() == ["shop.item.create"]


def test_an_edit_sets_keeps_and_removes_the_image(world, images):
    admin, item = persona("admin"), new_item(world)
    image = an_image(images)

    def edit(version, **patch):
        return service.update_item(admin, item["id"], {"version": version, **patch}, ports=world.shop_ports())

    assert edit(1, image=image)["image"] == shown(image)
    assert edit(2, price=50)["image"] == shown(image)  # a patch without the image keeps it
    assert edit(3, image=None)["image"] is None
    afters = [e["after"].get("image") for e in world.audit.entries()[1:]]
    assert afters == [image, image, None]


def test_an_edit_is_audited_with_before_and_after_at_the_time_of_the_edit(world):
    moderator, item = persona("moderator-satka"), new_item(world, price=10, stock=5)
    world.clock.advance(hours=2)

    updated = service.update_item(moderator, item["id"], {"version": 1, "stock": 0, "title": "Билет (детский)"},
                                  ports=world.shop_ports())

    edited_at = iso(world.clock.now)
    assert (updated["version"], updated["updated_at"], updated["created_at"]) == (2, edited_at, item["created_at"])
    entry = world.audit.entries()[1]
    assert (entry["actor"], entry["actor_role"], entry["action"]) == (moderator.subject, "moderator",
                                                                      "shop.item.update")
    assert (entry["target_type"], entry["target_id"], entry["at"]) == ("shop_item", item["id"], edited_at)
    common = {"partner": ZOO, "price": 10, "valid_from": item["valid_from"], "valid_until": item["valid_until"],
              "territory_ids": ["mr-satkinsky"], "active": True}
    assert entry["before"] == {**common, "title": "Билет в Челябинский зоопарк", "stock": 5}
    assert entry["after"] == {**common, "title": "Билет (детский)", "stock": 0}


def test_an_edit_on_a_stale_version_says_so_and_gives_the_current_version(world):
    admin, item = persona("admin"), new_item(world)
    service.update_item(admin, item["id"], {"version": 1, "price": 20}, ports=world.shop_ports())

    refusal = caught(lambda: service.update_item(admin, item["id"], {"version": 1, "price": 30},
                                                 ports=world.shop_ports()))

    assert (status_for(refusal)[0], refusal.code) == (409, "stale-version")
    assert refusal.detail == "Поощрение уже изменил другой сотрудник: обновите страницу."
    assert refusal.extra == {"version": 2}


def test_an_edit_ending_validity_at_its_start_is_refused_and_one_second_later_accepted(world):
    admin, item = persona("admin"), new_item(world)
    start = world.clock.now - timedelta(days=1)

    refusal = caught(lambda: service.update_item(admin, item["id"], {"version": 1, "valid_until": iso(start)},
                                                 ports=world.shop_ports()))

    assert (status_for(refusal)[0], refusal.detail) == (422, "Запрос содержит ошибку в одном поле.")
    assert refusal.errors == [{"field": "valid_until", "detail": "Окончание действия должно быть позже начала"}]
    later = iso(start + timedelta(seconds=1))
    assert service.update_item(admin, item["id"], {"version": 1, "valid_until": later},
                               ports=world.shop_ports())["valid_until"] == later


class StockMovesOnWrite:
    """The catalogue while residents keep ordering: before each of the first ``times`` writes of an
    edit, another resident buys one."""

    def __init__(self, world: FakeShopWorld, times: int) -> None:
        self.world, self.times, self.bought = world, times, 0

    def __getattr__(self, name):
        return getattr(self.world.catalogue, name)

    def replace(self, item, expected_version, seen_stock):
        if self.bought < self.times:
            rival = resident(f"rival-{self.bought}")
            grant(self.world, rival.subject, 10)
            order(self.world, rival, item["item_id"], key=f"rival-key-{self.bought:04d}")
            self.bought += 1
        return self.world.catalogue.replace(item, expected_version, seen_stock)


def test_an_edit_while_a_resident_orders_is_retried_and_the_order_is_not_lost(world):
    item = new_item(world, price=10, stock=5)
    ports = replace(world.shop_ports(), catalogue=StockMovesOnWrite(world, times=1))

    updated = service.update_item(persona("admin"), item["id"], {"version": 1, "price": 15}, ports=ports)

    assert (updated["price"], updated["stock"], updated["version"]) == (15, 4, 2)


def test_an_edit_that_keeps_losing_to_orders_gives_up_with_a_503(world):
    item = new_item(world, price=10, stock=20)
    ports = replace(world.shop_ports(), catalogue=StockMovesOnWrite(world, times=100))

    status, code, detail = refused(lambda: service.update_item(persona("admin"), item["id"],
                                                               {"version": 1, "price": 15}, ports=ports))

    assert (status, detail) == (503, "Поощрение сейчас часто заказывают, повторите сохранение.")
    assert world.catalogue.get(item["id"])["price"] == 10


# ------------------------------------------------------------------ ordering


def test_an_order_shows_every_field_and_its_debit_is_dated_to_the_millisecond(world):
    buyer = resident("buyer-satka")
    grant(world, buyer.subject, 50)
    item = new_item(world, price=30, stock=2, partner="Парк культуры")
    world.clock.advance(seconds=1, microseconds=234_000)

    placed, created = order(world, buyer, item["id"])

    window = get_settings().order_cancel_window_minutes
    assert created is True
    assert placed == {
        "id": placed["id"], "item_id": item["id"], "title": "Билет в Челябинский зоопарк", "partner": "Парк культуры",
        "price": 30, "status": "active", "status_title": "оформлен", "code": placed["code"],
        "created_at": iso(world.clock.now), "cancel_until": iso(world.clock.now + timedelta(minutes=window)),
        "cancelled_at": None, "redeemed_at": None}
    [debit] = [e for e in world.points.entries(buyer.subject) if e["kind"] == "order"]
    assert (debit["points"], debit["at"]) == (-30, int(world.clock.now.timestamp() * 1000))


def test_a_retry_after_the_last_item_and_point_were_spent_returns_the_first_order(world):
    # Given a resident who spent all 30 points on the last item
    buyer = resident("last-one-satka")
    grant(world, buyer.subject, 30)
    item = new_item(world, price=30, stock=1)
    first, _ = order(world, buyer, item["id"], key="last-item-key-01")

    # When the phone retries the same request
    again = order(world, buyer, item["id"], key="last-item-key-01")

    # Then it gets its order back, not "out of stock" or "insufficient points"
    assert again == (first, False)


class SameKeyRace:
    """The orders while a retry of the same request is in flight: the first read of the order finds
    nothing, because the other request writes it just after."""

    def __init__(self, world: FakeShopWorld, buyer, item_id: str, key: str) -> None:
        self.world, self.first = world, None
        self.other = lambda: order(world, buyer, item_id, key=key)

    def __getattr__(self, name):
        return getattr(self.world.orders, name)

    def get(self, order_id):
        if self.first is None:
            self.first, _ = self.other()
            return None
        return self.world.orders.get(order_id)


def test_two_requests_with_one_idempotency_key_at_once_make_one_order(world):
    buyer = resident("double-tap-satka")
    grant(world, buyer.subject, 100)
    item = new_item(world, price=30, stock=5)
    race = SameKeyRace(world, buyer, item["id"], "double-tap-0001")

    placed = order(world, buyer, item["id"], key="double-tap-0001", ports=replace(world.shop_ports(), orders=race))

    assert placed == (race.first, False)
    assert world.points.balance(buyer.subject) == 70 and world.catalogue.get(item["id"])["stock"] == 4


def test_the_same_key_racing_for_another_item_is_refused_as_reused(world):
    buyer = resident("two-items-satka")
    grant(world, buyer.subject, 100)
    first_item, other_item = new_item(world, price=30), new_item(world, price=20)
    race = SameKeyRace(world, buyer, first_item["id"], "two-items-0001")

    status, code, _ = refused(lambda: order(world, buyer, other_item["id"], key="two-items-0001",
                                            ports=replace(world.shop_ports(), orders=race)))

    assert (status, code) == (409, "idempotency-key-reused")
    assert world.points.balance(buyer.subject) == 70


class BusyTransactions:
    """The orders while another transaction keeps holding the item or the account: every
    transaction is cancelled with DynamoDB's TransactionConflict."""

    def __init__(self, world: FakeShopWorld) -> None:
        self.world, self.tries = world, 0

    def __getattr__(self, name):
        return getattr(self.world.orders, name)

    def place(self, order, account_version, at_ms):
        self.tries += 1
        raise Cancelled(("None", "None", "TransactionConflict", "None"))

    def cancel(self, order, now_iso, at_ms):
        self.tries += 1
        raise Cancelled(("TransactionConflict", "None", "None"))


def test_an_order_that_keeps_meeting_other_transactions_gives_up_with_a_503(world):
    buyer = resident("busy-satka")
    grant(world, buyer.subject, 100)
    item = new_item(world, price=30)
    busy = BusyTransactions(world)

    status, code, detail = refused(lambda: order(world, buyer, item["id"], ports=replace(world.shop_ports(),
                                                                                        orders=busy)))

    assert (status, detail) == (503, "Слишком много одновременных заказов, повторите попытку.")
    assert busy.tries == service.ORDER_ATTEMPTS
    assert world.points.balance(buyer.subject) == 100


def test_my_orders_come_in_pages_newest_first(world):
    buyer = resident("pages-satka")
    grant(world, buyer.subject, 30)
    item = new_item(world, price=10)
    placed = []
    for i in range(3):
        placed.append(order(world, buyer, item["id"], key=f"page-key-{i:04d}")[0])
        world.clock.advance(minutes=1)

    first = service.my_orders(buyer, 2, None, ports=world.shop_ports())
    second = service.my_orders(buyer, 2, first["next_cursor"], ports=world.shop_ports())

    assert first["items"] == [placed[2], placed[1]] and first["next_cursor"]
    assert second == {"items": [placed[0]], "next_cursor": None}


@pytest.mark.parametrize("order_id", ["not-an-order", "A" * 26])
def test_an_order_id_that_is_malformed_or_unknown_is_not_found(world, order_id):
    assert refused(lambda: service.my_order(resident("lost-satka"), order_id, ports=world.shop_ports())) == (
        404, "order-not-found", "Заказ не найден.")


# ------------------------------------------------------------------ cancelling


def test_a_cancel_in_the_last_second_of_the_window_shows_the_whole_cancelled_order(world):
    buyer = resident("last-second-satka")
    grant(world, buyer.subject, 30)
    placed, _ = order(world, buyer, new_item(world, price=30)["id"])
    world.clock.advance(minutes=get_settings().order_cancel_window_minutes, seconds=-1)

    cancelled = service.cancel_order(buyer, placed["id"], ports=world.shop_ports())

    assert cancelled == {**placed, "status": "cancelled", "status_title": "отменён",
                         "cancelled_at": iso(world.clock.now)}
    assert world.points.balance(buyer.subject) == 30


class RedeemedWhileCancelling:
    """The orders while the cashier scans the code at the moment the resident cancels."""

    def __init__(self, world: FakeShopWorld) -> None:
        self.world = world

    def __getattr__(self, name):
        return getattr(self.world.orders, name)

    def cancel(self, order, now_iso, at_ms):
        service.redeem(persona("partner"), {"code": order["code"]}, ports=self.world.shop_ports())
        return self.world.orders.cancel(order, now_iso, at_ms)


def test_a_cancel_that_loses_to_the_cashier_says_the_order_was_used(world):
    buyer = resident("race-satka")
    grant(world, buyer.subject, 30)
    placed, _ = order(world, buyer, new_item(world, price=30)["id"])
    ports = replace(world.shop_ports(), orders=RedeemedWhileCancelling(world))

    assert refused(lambda: service.cancel_order(buyer, placed["id"], ports=ports)) == (
        409, "order-redeemed", "Заказ уже использован у партнёра, отменить его нельзя.")
    assert world.points.balance(buyer.subject) == 0


def test_a_cancel_that_meets_another_transaction_asks_to_retry_and_changes_nothing(world):
    buyer = resident("busy-cancel-satka")
    grant(world, buyer.subject, 30)
    placed, _ = order(world, buyer, new_item(world, price=30)["id"])
    ports = replace(world.shop_ports(), orders=BusyTransactions(world))

    assert refused(lambda: service.cancel_order(buyer, placed["id"], ports=ports)) == (
        503, "unavailable", "Не удалось отменить заказ, повторите попытку.")
    assert service.my_order(buyer, placed["id"], ports=world.shop_ports())["status"] == "active"
    assert world.points.balance(buyer.subject) == 0


# ------------------------------------------------------------------ redeeming


def test_a_redemption_answers_the_cashier_and_is_audited_without_the_resident(world):
    buyer = resident("guest-satka")
    grant(world, buyer.subject, 10)
    placed, _ = order(world, buyer, new_item(world, price=10)["id"])
    cashier = persona("partner")
    world.clock.advance(minutes=3)

    done = service.redeem(cashier, {"code": placed["code"]}, ports=world.shop_ports())

    now = iso(world.clock.now)
    assert done == {"order_id": placed["id"], "item_id": placed["item_id"], "title": "Билет в Челябинский зоопарк",
                    "partner": ZOO, "status": "redeemed", "status_title": "использован", "redeemed_at": now}
    [entry] = [e for e in world.audit.entries() if e["action"] == "shop.redeem"]
    assert (entry["actor"], entry["actor_role"], entry["target_type"], entry["target_id"]) == (
        cashier.subject, "partner", "shop_order", placed["id"])
    assert entry["before"] == {"status": "active"}
    assert entry["after"] == {"status": "redeemed", "item_id": placed["item_id"], "partner": ZOO}
    assert (entry["comment"], entry["at"]) == (None, now)
    assert buyer.subject not in str(entry)
    assert world.orders.get(placed["id"])["redeemed_by"] == cashier.subject
    assert service.my_order(buyer, placed["id"], ports=world.shop_ports())["redeemed_at"] == now


def test_the_administrator_redeems_with_a_reason_that_goes_to_the_audit_log(world):
    buyer = resident("support-satka")
    grant(world, buyer.subject, 20)
    item = new_item(world, price=10)
    first, _ = order(world, buyer, item["id"], key="support-key-0001")
    admin = persona("admin")

    assert refused(lambda: service.redeem(admin, {"code": first["code"]}, ports=world.shop_ports()))[:2] == (
        422, "invalid-input")
    done = service.redeem(admin, {"code": first["code"], "reason": "Касса не сканирует QR"},
                          ports=world.shop_ports())

    assert done["status"] == "redeemed"
    [entry] = [e for e in world.audit.entries() if e["action"] == "shop.redeem"]
    assert (entry["actor_role"], entry["comment"]) == ("admin", "Касса не сканирует QR")


def test_a_cashier_who_is_also_administrator_redeems_as_the_cashier_without_a_reason(world):
    buyer = resident("two-roles-satka")
    grant(world, buyer.subject, 10)
    placed, _ = order(world, buyer, new_item(world, price=10)["id"])
    cashier = persona("partner", roles=["partner", "admin"])

    done = service.redeem(cashier, {"code": placed["code"]}, ports=world.shop_ports())

    assert done["status"] == "redeemed"
    assert [e["actor_role"] for e in world.audit.entries() if e["action"] == "shop.redeem"] == ["partner"]
