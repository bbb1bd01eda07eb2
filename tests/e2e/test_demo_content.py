"""The demo content `make run` seeds, as a newcomer finds it: in every demo city a resident's feed has
local news, an event, a missing-person notice and an active МЧС bulletin, the region-wide poll is
open (drafted by one approver, approved by the other), and the shop offers local rewards.

Also over HTTP: a draft whose question repeats an option is refused at that option."""

from __future__ import annotations

import time
from datetime import UTC, datetime

import pytest
from aj74.territories import territory_tree

from infra.local.seed import CITIES, REGIONAL_POLL_TITLE, demo_feed

pytestmark = pytest.mark.stack

FEED_TYPES = {"news", "event", "missing_person", "bulletin"}


@pytest.fixture(scope="module")
def api(persona_api):
    return persona_api


def feed(api, persona: str) -> list[dict]:
    response = api("GET", "/v1/feed", persona, limit="50")
    assert response.status_code == 200, response.text
    return response.json()["items"]


def eventually(read, check, timeout: float = 30.0):
    """The last value ``read`` returned once ``check`` holds for it (the scheduler publishes in ticks)."""
    deadline = time.monotonic() + timeout
    while True:
        value = read()
        if check(value) or time.monotonic() > deadline:
            return value
        time.sleep(0.5)


@pytest.mark.parametrize("city", list(CITIES))
def test_a_resident_of_every_demo_city_reads_local_news_an_event_a_missing_person_and_a_bulletin(api, city):
    persona = CITIES[city]["resident"]
    local = {body["title"]: body["type"] for body in demo_feed(datetime.now(UTC))[city]}

    items = eventually(lambda: feed(api, persona), lambda got: set(local) <= {i["title"] for i in got})

    shown = {i["title"]: i["type"] for i in items}
    assert {t: shown.get(t) for t in local} == local
    assert set(local.values()) == FEED_TYPES
    assert (items[0]["type"], items[0]["pinned"]) == ("bulletin", True), "the active bulletin is pinned on top"


def test_each_citys_bulletin_stays_in_its_city(api):
    bulletins = {city: next(b["title"] for b in bodies if b["type"] == "bulletin")
                 for city, bodies in demo_feed(datetime.now(UTC)).items()}
    for city, spec in CITIES.items():
        shown = {i["title"] for i in eventually(lambda p=spec["resident"]: feed(api, p), lambda got: True)}
        assert {c for c, title in bulletins.items() if title in shown} == {city}


@pytest.mark.parametrize("city", list(CITIES))
def test_the_region_wide_poll_is_open_for_every_demo_resident(api, city):
    persona = CITIES[city]["resident"]

    polls = eventually(lambda: api("GET", "/v1/polls", persona, state="open").json()["items"],
                       lambda got: REGIONAL_POLL_TITLE in {p["title"] for p in got})

    regional = next(p for p in polls if p["title"] == REGIONAL_POLL_TITLE)
    assert regional["state"] == "open"
    assert any(p["title"] != REGIONAL_POLL_TITLE for p in polls), f"{city} also has a local open poll"


def test_the_region_wide_poll_was_approved_by_the_second_approver(api):
    polls = api("GET", "/v1/admin/polls", "approver-2", state="open", limit="50").json()["items"]
    regional = next(p for p in polls if p["title"] == REGIONAL_POLL_TITLE)

    history = api("GET", f"/v1/admin/polls/{regional['id']}", "approver-2").json()["history"]

    approval = next(h for h in history if h["to"] == "approved")
    assert approval["actor"] == "staff-approver-2"
    assert next(h for h in history if h["to"] == "in_review")["actor"] == "staff-approver"


@pytest.mark.parametrize("city", list(CITIES))
def test_the_shop_offers_local_rewards_in_every_demo_city(api, city):
    tree = territory_tree()
    home = tree.get(CITIES[city]["territory"])
    local_names = {t.name for t in tree.chain(home.id)} - {tree.root.name}

    response = api("GET", "/v1/shop/items", CITIES[city]["resident"])

    assert response.status_code == 200, response.text
    local = [i for i in response.json()["items"] if local_names & set(i["territories"])]
    assert local, f"no reward of {city} in the shop"
    assert all(i["stock"] > 0 and i["price"] > 0 for i in local)


def test_the_partners_rewards_are_there_for_their_cashiers(api):
    partners = {i["partner"] for i in api("GET", "/v1/shop/items", "resident-chelyabinsk").json()["items"]}

    assert {"Челябинский зоопарк", "Парковочное пространство г. Челябинска"} <= partners


def test_a_repeated_option_is_refused_over_http_at_its_path(api):
    body = {"title": "Благоустройство двора", "territory_ids": ["gp-satka"],
            "opens_at": "2030-06-01T09:00:00+05:00", "closes_at": "2030-06-10T21:00:00+05:00",
            "questions": [{"text": "Что сделать?", "kind": "single",
                           "options": [{"text": "Детская площадка"}, {"text": " детская площадка"}]}]}

    response = api("POST", "/v1/admin/polls", "moderator-satka", body)

    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["errors"] == [{"field": "questions.0.options.1.text",
                                  "detail": "Такой вариант ответа уже есть в этом вопросе"}]
    assert problem["detail"] == "Запрос содержит ошибку в одном поле."
