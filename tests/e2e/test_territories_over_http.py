"""The territory registry over HTTP against the local stack (issue 17): the rollout zone in the
tree, residents of Аша seeing their district's and the region's polls only, the IT administrator
adding a settlement whose residents vote at once, 403 for moderators, 409 for a referenced
territory, every change in the audit log, and turnout in staff results."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.test_authorization_matrix import Api, iso, wait_for_state

pytestmark = [pytest.mark.stack]

ROLLOUT = {
    "mr-ashinsky": {"Аша", "Миньяр", "Сим", "Кропачёво"},
    "mr-katav-ivanovsky": {"Катав-Ивановск", "Юрюзань"},
    "mr-kusinsky": {"Куса", "Магнитка"},
    "mr-nyazepetrovsky": {"Нязепетровск"},
    "mr-satkinsky": {"Сатка", "Бакал", "Бердяуш", "Межевой", "Сулея"},
}


def poll_body(title: str, territories: list[str]) -> dict:
    now = datetime.now(UTC)
    return {"title": title, "description": "Опрос для проверки реестра территорий.", "territory_ids": territories,
            "opens_at": iso(now + timedelta(seconds=2)), "closes_at": iso(now + timedelta(days=2)), "min_age": 16,
            "results_visibility": "after_vote",
            "questions": [{"text": "Что важнее?", "kind": "single",
                           "options": [{"text": "Дороги"}, {"text": "Освещение"}]}]}


@pytest.fixture(scope="module")
def world(local_stack):
    api = Api(local_stack.api_url)
    approver, second = api.token(persona="approver"), api.token(persona="approver-2")
    tag = uuid.uuid4().hex[:6]
    polls = {}
    for key, territories in (("asha", ["mr-ashinsky"]), ("region", ["chelyabinsk-oblast"]),
                             ("satka", ["mr-satkinsky"])):
        poll = api.ok("POST", "/v1/admin/polls", approver, poll_body(f"Опрос {key} {tag}", territories))
        api.ok("POST", f"/v1/admin/polls/{poll['id']}/submit", approver)
        api.ok("POST", f"/v1/admin/polls/{poll['id']}/approve", second)
        polls[key] = poll["id"]
    for poll_id in polls.values():
        wait_for_state(api, approver, f"/v1/admin/polls/{poll_id}", "open", timeout=90)
    return api, polls, tag


def open_poll_ids(api: Api, token: str) -> set[str]:
    ids, cursor = set(), None
    while True:
        page = api.ok("GET", "/v1/polls" + (f"?cursor={cursor}" if cursor else ""), token)
        ids |= {p["id"] for p in page["items"]}
        cursor = page.get("next_cursor")
        if not cursor:
            return ids


def test_the_public_tree_lists_the_rollout_settlements_under_their_districts(local_stack):
    api = Api(local_stack.api_url)
    tree = api.ok("GET", "/v1/territories", None)["territories"]

    for district, towns in ROLLOUT.items():
        under = {t["name"] for t in tree if t["parent_id"] == district and t["kind"] == "urban_settlement"}
        assert under == towns, district
    region = next(t for t in tree if t["id"] == tree[0]["id"])
    assert region["oktmo"] == "75000000"


def test_a_resident_of_asha_sees_the_district_and_region_polls_and_none_of_satka(world):
    api, polls, _ = world
    asha = api.token(sub=f"asha-{uuid.uuid4().hex[:8]}", roles=["resident"], territory_id="gp-asha",
                     birth_year=1980, gender="f")

    seen = open_poll_ids(api, asha)

    assert {polls["asha"], polls["region"]} <= seen and polls["satka"] not in seen
    assert api.call("GET", f"/v1/polls/{polls['satka']}", asha).status_code == 404


def test_a_new_rural_settlement_votes_at_once_and_is_then_referenced(world):
    api, polls, tag = world
    admin = api.token(persona="admin")

    # When the IT administrator adds a rural settlement to Ашинский район
    created = api.ok("POST", "/v1/admin/territories", admin, {
        "name": f"Проверочное {tag} сельское поселение", "kind": "rural_settlement", "parent_id": "mr-ashinsky"})
    settlement = created["id"]
    assert created["parent_name"] == "Ашинский муниципальный район" and created["retired_at"] is None
    assert settlement in {t["id"] for t in api.ok("GET", "/v1/territories", None)["territories"]}

    # Then a resident there votes in the district poll at once
    villager = api.token(sub=f"village-{tag}", roles=["resident"], territory_id=settlement, birth_year=1975,
                         gender="m")
    vote = api.call("POST", f"/v1/polls/{polls['asha']}/ballots", villager,
                    {"answers": [{"question_id": "q1", "option_ids": ["q1-o1"]}]},
                    {"Idempotency-Key": f"village-{tag}"})
    assert vote.status_code == 202, vote.text
    ballot_id = vote.json()["ballot_id"]
    deadline = datetime.now(UTC) + timedelta(seconds=30)
    while api.ok("GET", f"/v1/polls/{polls['asha']}/ballot?ballot_id={ballot_id}", villager)["state"] != "counted":
        assert datetime.now(UTC) < deadline, "the ballot was never counted"

    # And, referenced by that resident now, it cannot be retired: 409 with a Russian reason
    refused = api.call("POST", f"/v1/admin/territories/{settlement}/retire", admin, {})
    assert refused.status_code == 409, refused.text
    assert refused.json()["code"] == "territory-referenced"
    assert "нельзя вывести" in refused.json()["detail"] and "жители" in refused.json()["detail"]


def test_a_moderator_gets_403_on_every_change(world):
    api, _, tag = world
    moderator = api.token(persona="moderator-satka")

    for method, path, body in (
            ("GET", "/v1/admin/territories", None),
            ("POST", "/v1/admin/territories", {"name": f"Чужое {tag}", "kind": "rural_settlement",
                                               "parent_id": "mr-satkinsky"}),
            ("PATCH", "/v1/admin/territories/gp-satka", {"name": "Сатка-2"}),
            ("POST", "/v1/admin/territories/sp-aylinskoye/retire", {})):
        response = api.call(method, path, moderator, body)
        assert response.status_code == 403, (method, path, response.text)
        assert "Администратор" in response.json()["detail"]


def test_rename_population_turnout_and_retire_are_audited(world):
    api, polls, tag = world
    admin, approver = api.token(persona="admin"), api.token(persona="approver")
    spare = api.ok("POST", "/v1/admin/territories", admin, {
        "name": f"Запасное {tag}", "kind": "rural_settlement", "parent_id": "mr-kusinsky"})["id"]

    renamed = api.ok("PATCH", f"/v1/admin/territories/{spare}", admin, {"name": f"Переименованное {tag}"})
    api.ok("PATCH", "/v1/admin/territories/mr-ashinsky", admin, {"population": 60_000, "population_year": 2024})
    retired = api.ok("POST", f"/v1/admin/territories/{spare}/retire", admin, {"comment": "Добавлено по ошибке"})

    assert renamed["name"] == f"Переименованное {tag}" and retired["retired_at"]
    assert spare not in {t["id"] for t in api.ok("GET", "/v1/territories", None)["territories"]}
    registry = api.ok("GET", "/v1/admin/territories", admin)
    assert next(t for t in registry["items"] if t["id"] == spare)["retired_at"] == retired["retired_at"]

    # Turnout: the district poll's ballots over its estimated eligible population (16+)
    turnout = api.ok("GET", f"/v1/admin/polls/{polls['asha']}/results", approver)["turnout"]
    assert turnout["eligible_population"] == round(60_000 * turnout["age_share"]) and turnout["min_age"] == 16
    assert turnout["by_territory"][0]["territory_id"] == "mr-ashinsky" and turnout["share"] is not None

    entries = api.ok("GET", "/v1/admin/audit?limit=50", admin)["items"]
    mine = [(e["action"], e["target_id"]) for e in entries if e["target_type"] == "territory"]
    assert ("territory.create", spare) in mine and ("territory.rename", spare) in mine
    assert ("territory.retire", spare) in mine and ("territory.edit", "mr-ashinsky") in mine
    retire_entry = next(e for e in entries if (e["action"], e["target_id"]) == ("territory.retire", spare))
    assert retire_entry["action_title"] == "вывод из реестра" and retire_entry["comment"] == "Добавлено по ошибке"
