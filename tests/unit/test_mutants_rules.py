"""The pure rules of points and the shop, pinned where mutation testing found them loose
(`make mutants`, docs/testing.md): each refusal as a client reads it (its ``code``, the numbers it
carries, the field it blames) and as a person reads it (its Russian ``detail``), and the edges of
levels, balances, stock and dates."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aj74.errors import Conflict, Forbidden, InvalidInput
from aj74.points import rules as points
from aj74.shop import rules
from aj74.territories import territory_tree

T = (50, 150, 400)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def refusal(exc) -> tuple:
    return type(exc), exc.code, exc.detail, exc.extra, getattr(exc, "errors", None)


# ------------------------------------------------------------------ points
@pytest.mark.parametrize(("lifetime", "expected"), [
    (0, {"rank": 1, "name": "Новичок", "since": 0, "next_at": 50, "to_next": 50}),
    (50, {"rank": 2, "name": "Участник", "since": 50, "next_at": 150, "to_next": 100}),
    (151, {"rank": 3, "name": "Активист", "since": 150, "next_at": 400, "to_next": 249}),
    (400, {"rank": 4, "name": "Активный житель", "since": 400, "next_at": None, "to_next": None}),
])
def test_a_level_reads_as_its_rank_name_start_and_next_threshold(lifetime, expected):
    assert points.level_for(lifetime, T).as_dict(lifetime) == expected


def test_lifetime_points_are_zero_without_earnings_and_never_negative():
    assert points.lifetime_of([]) == 0
    assert points.lifetime_of([{"kind": "order", "points": -10}]) == 0
    assert points.lifetime_of([{"kind": "adjustment", "points": -5}]) == 0


def test_an_unaffordable_price_carries_the_balance_and_the_price():
    with pytest.raises(Conflict) as exc:
        points.require_affordable(99, 100)

    assert refusal(exc.value) == (Conflict, "insufficient-points", "Недостаточно баллов: нужно 100, на счёте 99.",
                                  {"balance": 99, "price": 100}, None)


def test_a_debit_down_to_exactly_zero_is_allowed():
    points.require_non_negative_after(10, -10)
    points.require_non_negative_after(0, 0)


def test_a_debit_below_zero_is_refused_with_the_balance():
    with pytest.raises(Conflict) as exc:
        points.require_non_negative_after(10, -11)

    assert refusal(exc.value) == (
        Conflict, "insufficient-points", "Списание 11 баллов сделает баланс отрицательным: на счёте 10.",
        {"balance": 10}, None)


# ------------------------------------------------------------------ order ids and codes
def test_an_order_id_is_26_base32_characters_fixed_by_the_account_and_the_key():
    # The id is stored and retried against: it must not change from one release to the next.
    assert rules.order_id_for("res-1", "key-000001") == "VXX5YN4TMQLL6HSGBV3SERA2QA"
    assert rules.ORDER_ID_RE.match(rules.order_id_for("res-1", "key-000001"))


def test_a_badly_formed_code_blames_the_code_field():
    with pytest.raises(InvalidInput) as exc:
        rules.normalise_code("123")

    assert refusal(exc.value) == (
        InvalidInput, "invalid-input", "Неверный формат кода: 26 символов (латинские буквы и цифры 2–7).", {},
        [{"field": "code", "detail": "неверный формат кода"}])


def test_a_missing_idempotency_key_is_refused_naming_the_header():
    with pytest.raises(InvalidInput) as exc:
        rules.check_idempotency_key(None)

    assert refusal(exc.value) == (
        InvalidInput, "invalid-input",
        "Нужен заголовок Idempotency-Key: повтор запроса с тем же ключом не создаст второй заказ.", {},
        [{"field": "Idempotency-Key", "detail": "обязательный заголовок"}])


@pytest.mark.parametrize("key", ["1234567", "x" * 129, "ключ-12345678", "key\n12345678", ""])
def test_an_idempotency_key_outside_8_to_128_printable_ascii_characters_is_refused(key):
    with pytest.raises(InvalidInput) as exc:
        rules.check_idempotency_key(key)

    assert refusal(exc.value) == (
        InvalidInput, "invalid-input", "Idempotency-Key: от 8 до 128 печатных символов ASCII.", {},
        [{"field": "Idempotency-Key", "detail": "от 8 до 128 печатных символов ASCII"}])


@pytest.mark.parametrize("key", ["12345678", "x" * 128, "key 0001"])
def test_an_idempotency_key_of_8_to_128_printable_ascii_characters_is_taken(key):
    assert rules.check_idempotency_key(key) == key


# ------------------------------------------------------------------ availability and ordering
def _item(**kw):
    return {"active": True, "valid_from": NOW - timedelta(days=1), "valid_until": NOW + timedelta(days=1), "stock": 3,
            "territory_ids": ["mr-satkinsky"], **kw}


def test_an_item_is_on_sale_from_its_first_moment_until_before_its_last():
    assert rules.is_available(_item(valid_from=NOW), NOW)
    assert rules.is_available(_item(stock=1), NOW)
    assert not rules.is_available(_item(active=False), NOW)
    assert not rules.is_available(_item(valid_from=NOW + timedelta(seconds=1)), NOW)


@pytest.mark.parametrize(("item", "territory", "expected"), [
    (_item(territory_ids=["mr-satkinsky", "go-magnitogorsk"]), "go-chelyabinsk",
     (Conflict, "item-not-in-territory",
      "Поощрение доступно только жителям: Саткинский муниципальный район, Магнитогорский городской округ.", {}, None)),
    (_item(active=False), "gp-satka",
     (Conflict, "item-not-on-sale", "Поощрение пока недоступно для заказа.", {}, None)),
    (_item(valid_from=NOW + timedelta(seconds=1)), "gp-satka",
     (Conflict, "item-not-on-sale", "Поощрение пока недоступно для заказа.", {}, None)),
    (_item(valid_until=NOW), "gp-satka", (Conflict, "item-expired", "Срок действия поощрения истёк.", {}, None)),
    (_item(stock=0), "gp-satka", (Conflict, "out-of-stock", "Поощрение закончилось: в наличии 0.", {}, None)),
])
def test_an_item_that_cannot_be_ordered_says_why(item, territory, expected):
    tree = territory_tree()

    with pytest.raises(Conflict) as exc:
        rules.require_orderable(item, territory, tree, NOW)

    assert refusal(exc.value) == expected


def test_an_item_can_be_ordered_at_its_first_moment_with_one_left():
    rules.require_orderable(_item(valid_from=NOW, stock=1), "gp-satka", territory_tree(), NOW)


# ------------------------------------------------------------------ cancelling and redeeming
def _order(status="active", minutes_left=10):
    return {"status": status, "cancel_until": NOW + timedelta(minutes=minutes_left),
            "redeemed_at": "2026-11-28T11:00:00Z"}


@pytest.mark.parametrize(("order", "expected"), [
    (_order("cancelled"), (Conflict, "order-already-cancelled", "Заказ уже отменён, баллы возвращены.", {}, None)),
    (_order("redeemed"), (Conflict, "order-redeemed", "Заказ уже использован у партнёра, отменить его нельзя.", {},
                          None)),
    (_order(minutes_left=0), (Conflict, "cancel-window-passed", "Срок отмены заказа истёк.", {}, None)),
])
def test_an_order_that_cannot_be_cancelled_says_why(order, expected):
    with pytest.raises(Conflict) as exc:
        rules.require_cancellable(order, NOW)

    assert refusal(exc.value) == expected


@pytest.mark.parametrize(("order", "expected"), [
    (_order("redeemed"), (Conflict, "code-used", "Код уже использован.", {"redeemed_at": "2026-11-28T11:00:00Z"},
                          None)),
    (_order("cancelled"), (Conflict, "order-cancelled", "Заказ отменён, код недействителен.", {}, None)),
])
def test_a_code_that_cannot_be_redeemed_says_why(order, expected):
    with pytest.raises(Conflict) as exc:
        rules.require_redeemable(order)

    assert refusal(exc.value) == expected


def test_an_active_order_is_redeemable():
    rules.require_redeemable(_order())


@pytest.mark.parametrize(("role", "partner", "reason", "expected"), [
    ("partner", None, None, (
        Forbidden, "partner-unbound", "Учётная запись кассира не привязана к партнёру: обратитесь к администратору "
        "Министерства информационных технологий.", {}, None)),
    ("partner", "Кофейня", None, (
        Forbidden, "partner-mismatch", "Код выдан на поощрение партнёра «Музей», а вы кассир партнёра «Кофейня»: "
        "погасить его может только касса этого партнёра.", {}, None)),
    ("admin", None, "  ", (
        InvalidInput, "invalid-input", "Укажите причину: погашение кода администратором записывается в журнал аудита.",
        {}, [{"field": "reason", "detail": "обязательное поле для администратора"}])),
    ("admin", None, None, (
        InvalidInput, "invalid-input", "Укажите причину: погашение кода администратором записывается в журнал аудита.",
        {}, [{"field": "reason", "detail": "обязательное поле для администратора"}])),
    ("moderator", "Музей", "support", (
        Forbidden, "role-required", "Погасить код может кассир партнёра или администратор.", {}, None)),
])
def test_who_may_redeem_a_code(role, partner, reason, expected):
    with pytest.raises((Forbidden, InvalidInput)) as exc:
        rules.require_redeemer(role, partner, "Музей", reason)

    assert refusal(exc.value) == expected


@pytest.mark.parametrize(("role", "partner", "reason"), [("partner", "Музей", None), ("admin", None, "касса зависла")])
def test_the_partners_cashier_and_an_admin_with_a_reason_may_redeem(role, partner, reason):
    rules.require_redeemer(role, partner, "Музей", reason)
