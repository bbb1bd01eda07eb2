"""The pure rules of points and the shop: levels, affordability, the cancel window, codes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from aj74.errors import Conflict, InvalidInput
from aj74.points import rules as points
from aj74.settings import SettingsError, load_settings
from aj74.shop import rules
from aj74.territories import territory_tree

T = (50, 150, 400)
NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


@pytest.mark.parametrize(("lifetime", "name", "to_next"), [
    (0, "Новичок", 50), (49, "Новичок", 1), (50, "Участник", 100), (149, "Участник", 1),
    (150, "Активист", 250), (400, "Активный житель", None), (10_000, "Активный житель", None),
])
def test_levels_follow_lifetime_points(lifetime, name, to_next):
    level = points.level_for(lifetime, T)
    assert level.name == name and level.as_dict(lifetime)["to_next"] == to_next


def test_spending_and_refunds_do_not_change_lifetime_points():
    entries = [{"kind": "ballot", "points": 10}, {"kind": "order", "points": -10}, {"kind": "refund", "points": 10},
               {"kind": "adjustment", "points": 5}]
    assert points.balance_of(entries) == 15 and points.lifetime_of(entries) == 15


def test_an_unaffordable_price_is_a_conflict_with_the_numbers():
    points.require_affordable(100, 100)
    with pytest.raises(Conflict) as exc:
        points.require_affordable(99, 100)
    assert exc.value.code == "insufficient-points" and "нужно 100, на счёте 99" in exc.value.detail
    with pytest.raises(Conflict):
        points.require_non_negative_after(10, -11)


def test_level_thresholds_are_configurable_and_validated():
    base = {"STAGE": "test", "OIDC_ISSUER": "https://i", "OIDC_AUDIENCE": "a", "ADMIN_ORIGIN": "https://a"}
    assert load_settings({**base, "POINTS_LEVEL_THRESHOLDS": "10,20,30"}).points_level_thresholds == (10, 20, 30)
    for bad in ("10,5,30", "0,1,2", "a,b,c", "10,20"):
        with pytest.raises(SettingsError):
            load_settings({**base, "POINTS_LEVEL_THRESHOLDS": bad})


def _order(status="active", minutes_left=10):
    return {"status": status, "cancel_until": NOW + timedelta(minutes=minutes_left)}


def test_the_cancel_window_and_order_status_decide_cancellation():
    rules.require_cancellable(_order(), NOW)
    assert rules.cancel_deadline(NOW, 60) == NOW + timedelta(hours=1)
    for order, code in [(_order(minutes_left=0), "cancel-window-passed"),
                        (_order("cancelled"), "order-already-cancelled"), (_order("redeemed"), "order-redeemed")]:
        with pytest.raises(Conflict) as exc:
            rules.require_cancellable(order, NOW)
        assert exc.value.code == code


def test_order_ids_follow_the_idempotency_key_and_codes_are_random_base32():
    assert rules.order_id_for("res-1", "key-000001") == rules.order_id_for("res-1", "key-000001")
    assert rules.order_id_for("res-1", "key-000001") != rules.order_id_for("res-2", "key-000001")
    codes = {rules.new_redemption_code() for _ in range(1000)}
    assert len(codes) == 1000 and all(rules.CODE_RE.match(c) for c in codes)
    code = next(iter(codes))
    assert rules.normalise_code(" " + "-".join([code[:13].lower(), code[13:]])) == code
    with pytest.raises(InvalidInput):
        rules.normalise_code("123")
    with pytest.raises(InvalidInput):
        rules.check_idempotency_key(None)


def _item(**kw):
    return {"active": True, "valid_from": NOW - timedelta(days=1), "valid_until": NOW + timedelta(days=1), "stock": 3,
            "territory_ids": ["mr-satkinsky"], **kw}


def test_availability_by_dates_stock_and_territory():
    tree = territory_tree()
    assert rules.is_available(_item(), NOW)
    assert not rules.is_available(_item(stock=0), NOW)
    assert not rules.is_available(_item(valid_until=NOW), NOW)
    assert rules.redeemable_in(_item(), "gp-satka", tree)
    assert not rules.redeemable_in(_item(), "go-magnitogorsk", tree)
    with pytest.raises(Conflict) as exc:
        rules.require_orderable(_item(stock=0), "gp-satka", tree, NOW)
    assert exc.value.code == "out-of-stock"
