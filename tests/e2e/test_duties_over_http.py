"""Separation of duties over HTTP against the local stack (issue 13): four eyes on every version
of a poll, no self-granted approval rights and a second administrator for every such grant,
revocation that holds on every route at once, cashiers bound to their partners, and a body of
nested brackets answered with a 400."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.e2e.test_authorization_matrix import Api, iso

pytestmark = [pytest.mark.stack, pytest.mark.slow]

ZOO, PARKING = "Челябинский зоопарк", "Парковочное пространство г. Челябинска"


def refused(response: requests.Response, status: int = 403) -> str:
    """The Russian reason of a problem response with ``status``."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    detail = response.json()["detail"]
    assert any("а" <= c.lower() <= "я" for c in detail), detail
    return detail


@pytest.fixture(scope="module")
def api(local_stack) -> Api:
    return Api(local_stack.api_url)


def poll_body(title: str) -> dict:
    now = datetime.now(UTC)
    return {"title": title, "territory_ids": ["gp-satka"], "opens_at": iso(now + timedelta(days=1)),
            "closes_at": iso(now + timedelta(days=8)), "min_age": 14, "results_visibility": "after_close",
            "questions": [{"text": "Где поставить скамейки?", "kind": "single",
                           "options": [{"text": "У пруда"}, {"text": "У школы"}]}]}


# ------------------------------------------------------------------ four eyes
def test_an_approver_who_rewrote_a_rejected_poll_cannot_approve_it_alone(api):
    moderator, approver = api.token(persona="moderator-satka"), api.token(persona="approver")
    second = api.token(persona="approver-2")
    # Given a moderator's poll that the approver rejected
    poll = api.ok("POST", "/v1/admin/polls", moderator, poll_body("Скамейки у пруда"))
    api.ok("POST", f"/v1/admin/polls/{poll['id']}/submit", moderator)
    rejected = api.ok("POST", f"/v1/admin/polls/{poll['id']}/reject", approver, {"comment": "Расширьте опрос"})

    # When the approver rewrites it (the whole region), submits it and approves it
    edited = api.ok("PATCH", f"/v1/admin/polls/{poll['id']}", approver,
                    {"version": rejected["version"], "title": "Скамейки во всей области",
                     "territory_ids": ["chelyabinsk-oblast"]})
    api.ok("POST", f"/v1/admin/polls/{poll['id']}/submit", approver)
    alone = api.call("POST", f"/v1/admin/polls/{poll['id']}/approve", approver, {})

    # Then the approval is refused with the reason, the edit is on record, and a second approver approves
    assert "другой согласующий" in refused(alone)
    assert [h["actor"] for h in edited["history"] if h["action"] == "edit"] == ["staff-approver"]
    audit = api.ok("GET", f"/v1/admin/audit?poll_id={poll['id']}", second)
    assert "Правка согласующего" in json.dumps(audit, ensure_ascii=False)
    approved = api.ok("POST", f"/v1/admin/polls/{poll['id']}/approve", second, {})
    assert approved["state"] == "approved"
    assert approved["history"][-1]["actor"] == "staff-approver-2"


def test_an_approver_who_rewrote_a_news_item_cannot_approve_it_alone(api):
    moderator, approver = api.token(persona="moderator-satka"), api.token(persona="approver")
    item = api.ok("POST", "/v1/admin/content", moderator,
                  {"type": "news", "title": "Ремонт дороги", "body": "С понедельника.", "territory_ids": ["gp-satka"]})
    api.ok("POST", f"/v1/admin/content/{item['id']}/submit", moderator)
    rejected = api.ok("POST", f"/v1/admin/content/{item['id']}/reject", approver, {"comment": "Уточните"})
    api.ok("PATCH", f"/v1/admin/content/{item['id']}", approver, {"version": rejected["version"],
                                                                   "title": "Ремонт дороги на улице Пролетарской"})
    api.ok("POST", f"/v1/admin/content/{item['id']}/submit", approver)

    assert "другой согласующий" in refused(api.call("POST", f"/v1/admin/content/{item['id']}/approve", approver, {}))
    assert api.ok("POST", f"/v1/admin/content/{item['id']}/approve", api.token(persona="approver-2"),
                  {})["state"] == "approved"


# ------------------------------------------------------------------ grants
def test_the_admin_cannot_grant_themselves_approver(api):
    admin = api.token(persona="admin")

    response = api.call("PUT", "/v1/admin/staff/staff-it-admin", admin, {"roles": ["admin", "approver"]})

    assert "Нельзя назначить себе" in refused(response)
    assert api.ok("GET", "/v1/me", admin)["roles"] == ["admin"]


def test_granting_approver_takes_a_second_administrator(api):
    admin, other_admin = api.token(persona="admin"), api.token(sub="e2e-admin-2", roles=["admin"])
    subject = f"e2e-approver-{uuid.uuid4().hex[:8]}"
    newcomer = api.token(sub=subject, roles=["resident"], territory_id="gp-satka")
    # When one admin grants approver
    pending = api.call("PUT", f"/v1/admin/staff/{subject}", admin,
                       {"roles": ["approver"], "scope_territory_ids": ["chelyabinsk-oblast"]})

    # Then it waits: nothing changes, and the requester cannot confirm it
    assert pending.status_code == 202, pending.text
    assert pending.json()["pending"]["roles"] == ["approver"]
    assert "approver" not in api.ok("GET", "/v1/me", newcomer)["roles"]
    assert "другой администратор" in refused(api.call("POST", f"/v1/admin/staff/{subject}/confirm", admin))

    # When a second admin confirms, the role holds at once
    confirmed = api.ok("POST", f"/v1/admin/staff/{subject}/confirm", other_admin)
    assert confirmed["roles"] == ["approver"] and confirmed["pending"] is None
    assert "approver" in api.ok("GET", "/v1/me", newcomer)["roles"]
    assert refused(api.call("POST", f"/v1/admin/staff/{subject}/confirm", other_admin), 409)


# ------------------------------------------------------------------ partners
@pytest.fixture(scope="module")
def codes(api):
    """Active orders of a Сатка resident: two of the parking operator's item, one of the zoo's."""
    # A Сатка resident of this module's own: orders are limited per resident per minute, and other
    # modules on this stack order as the resident-satka persona.
    admin = api.token(persona="admin")
    resident = api.token(sub=f"duties-resident-{uuid.uuid4().hex[:8]}", roles=["resident"], territory_id="gp-satka",
                         birth_year=1985, gender="f")
    now = datetime.now(UTC)
    items = {}
    for partner in (ZOO, PARKING):
        items[partner] = api.ok("POST", "/v1/admin/shop/items", admin, {
            "title": f"Поощрение: {partner}", "partner": partner, "price": 1, "stock": 10,
            "territory_ids": ["mr-satkinsky"], "valid_from": iso(now - timedelta(days=1)),
            "valid_until": iso(now + timedelta(days=30))})["id"]
    account = api.ok("GET", "/v1/me", resident)["id"]
    api.ok("POST", "/v1/admin/points/adjustments", admin,
           {"account": account, "points": 10, "reason": "Начисление для проверки касс"})

    def order(partner: str) -> str:
        return api.ok("POST", "/v1/shop/orders", resident, {"item_id": items[partner]},
                      {"Idempotency-Key": f"sod-{uuid.uuid4()}"})["code"]

    return {"parking": order(PARKING), "parking-2": order(PARKING), "zoo": order(ZOO), "zoo-2": order(ZOO)}


def test_the_zoo_cashier_is_refused_a_parking_code_which_the_parking_cashier_redeems(api, codes):
    zoo, parking = api.token(persona="partner"), api.token(persona="partner-parking")

    detail = refused(api.call("POST", "/v1/shop/redeem", zoo, {"code": codes["parking"]}))

    assert PARKING in detail
    assert api.ok("POST", "/v1/shop/redeem", parking, {"code": codes["parking"]})["status"] == "redeemed"
    assert api.ok("POST", "/v1/shop/redeem", zoo, {"code": codes["zoo"]})["status"] == "redeemed"


def test_the_admin_redeems_at_the_counter_only_with_a_reason_on_record(api, codes):
    admin = api.token(persona="admin")

    refused(api.call("POST", "/v1/shop/redeem", admin, {"code": codes["parking-2"]}), 422)
    reason = "Касса парковки не работает, житель на месте"
    redeemed = api.ok("POST", "/v1/shop/redeem", admin, {"code": codes["parking-2"], "reason": reason})

    audit = api.ok("GET", "/v1/admin/audit", admin)
    assert reason in json.dumps(audit, ensure_ascii=False), redeemed


def test_a_revoked_cashier_is_refused_at_once(api, codes):
    admin = api.token(persona="admin")
    subject = f"e2e-cashier-{uuid.uuid4().hex[:8]}"
    cashier = api.token(sub=subject, roles=["partner"], partner=ZOO, territory_id="vr-tsentralny")
    # Given a cashier whose token still says partner, When the admin revokes every staff role
    api.ok("PUT", f"/v1/admin/staff/{subject}", admin, {"roles": []})

    # Then redemption is refused, and the profile shows no staff role
    detail = refused(api.call("POST", "/v1/shop/redeem", cashier, {"code": codes["zoo-2"]}))
    assert "Действие доступно только ролям" in detail
    assert api.ok("GET", "/v1/me", cashier)["roles"] == []


def test_a_revoked_approver_loses_the_staff_views_of_residents_routes_too(api):
    admin = api.token(persona="admin")
    subject = f"e2e-revoked-{uuid.uuid4().hex[:8]}"
    token = api.token(sub=subject, roles=["approver"], scope_territory_ids=["chelyabinsk-oblast"],
                      territory_id="vr-tsentralny")
    # Given a Сатка poll that is open: staff see its (not yet published) ballot list as "not final"
    polls = api.ok("GET", "/v1/admin/polls?state=open", token)["items"]
    satka = next(p for p in polls if p["territory_ids"] == ["gp-satka"])
    assert api.call("GET", f"/v1/polls/{satka['id']}/ballots/published", token).status_code == 409

    # When the admin revokes the approver's roles
    api.ok("PUT", f"/v1/admin/staff/{subject}", admin, {"roles": []})

    # Then every route treats them as the Челябинск resident they are: no staff list, no staff view
    refused(api.call("GET", "/v1/admin/polls", token))
    assert api.call("GET", f"/v1/polls/{satka['id']}/ballots/published", token).status_code == 404


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("path", ["/v1/admin/polls", "/v1/admin/content"])
def test_a_body_of_nested_brackets_is_a_400(api, path):
    moderator = api.token(persona="moderator-satka")

    response = api.call("POST", path, moderator, data=b"[" * 60_000, headers={"Content-Type": "application/json"})

    assert "вложено слишком глубоко" in refused(response, 400)


def test_the_role_titles_are_served_for_the_admin_site(api):
    items = api.ok("GET", "/v1/roles", None)["items"]

    titles = {r["role"]: r["title"] for r in items}
    assert titles["approver"] == "Согласующий (Управление по внутренней политике)"
    assert {r["role"] for r in items if r["grant_confirmed"]} == {"approver", "admin"}
