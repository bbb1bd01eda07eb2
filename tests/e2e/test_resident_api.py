"""What the resident web app reads over HTTP on the local stack: a poll says whether I can vote and
why not before I open it, how many have taken part, its image and its codes' labels; an answer
error names the question by its text; an order's Location is a route that reads it back (another
resident's is 404); the feed's codes come with Russian labels; the resident app's origin gets CORS."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
import requests

from tests.e2e.browser import wait_for

pytestmark = pytest.mark.stack


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


class Api:
    def __init__(self, base: str, origin: str) -> None:
        self.base, self.origin = base, origin

    def token(self, **body) -> str:
        response = requests.post(f"{self.base}/dev/token", json=body, timeout=10)
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def call(self, method: str, path: str, token: str, body=None, headers=None) -> requests.Response:
        return requests.request(method, f"{self.base}{path}", json=body, timeout=30, headers={
            "Authorization": f"Bearer {token}", "Origin": self.origin, **(headers or {})})

    def ok(self, method: str, path: str, token: str, body=None, headers=None) -> dict:
        response = self.call(method, path, token, body, headers)
        assert response.status_code in (200, 201, 202), response.text
        return response.json()




@pytest.fixture(scope="module")
def world(local_stack):
    api = Api(local_stack.api_url, local_stack.resident_url)
    moderator, approver, admin = (api.token(persona=p) for p in ("moderator-satka", "approver", "admin"))
    now = datetime.now(UTC)
    draft = api.ok("POST", "/v1/admin/polls", moderator, {
        "title": "Какой двор благоустроить первым?", "territory_ids": ["mr-satkinsky"],
        "opens_at": iso(now + timedelta(seconds=3)), "closes_at": iso(now + timedelta(hours=2)), "min_age": 14,
        "results_visibility": "after_vote",
        "questions": [
            {"text": "Какой двор?", "kind": "single",
             "options": [{"text": "Пролетарская, 4"}, {"text": "Солнечная, 9"}]},
            {"text": "Что в нём сделать?", "kind": "multiple", "max_choices": 2,
             "options": [{"text": "Освещение"}, {"text": "Площадку"}, {"text": "Парковку"}]}]})
    poll_id = draft["id"]
    api.ok("POST", f"/v1/admin/polls/{poll_id}/submit", moderator, {})
    api.ok("POST", f"/v1/admin/polls/{poll_id}/approve", approver, {})
    item = api.ok("POST", "/v1/admin/shop/items", admin, {
        "title": "Билет в бассейн «Дельфин»", "partner": "МБУ «Дельфин»", "price": 10, "stock": 10,
        "territory_ids": ["mr-satkinsky"], "valid_from": iso(now - timedelta(days=1)),
        "valid_until": iso(now + timedelta(days=30))})
    run = uuid.uuid4().hex[:8]
    tokens = {
        "adult": api.token(sub=f"resident-api-adult-{run}", territory_id="gp-satka", birth_year=1985, gender="f"),
        "teen": api.token(sub=f"resident-api-teen-{run}", territory_id="gp-satka",
                          birth_year=now.year - 15, gender="m"),
        "child": api.token(sub=f"resident-api-child-{run}", territory_id="gp-satka", birth_year=2015, gender="m"),
        "other": api.token(sub=f"resident-api-other-{run}", territory_id="gp-satka", birth_year=1990, gender="f"),
    }
    wait_for(lambda: api.ok("GET", f"/v1/polls/{poll_id}", tokens["adult"])["state"] == "open", 30,
             "the scheduler to open the poll")
    return api, tokens, {"poll": poll_id, "item": item["id"]}


def test_the_poll_list_says_who_can_vote_and_why_not_before_the_poll_is_opened(world):
    api, tokens, ids = world

    def listed(who: str) -> dict:
        page = api.call("GET", "/v1/polls", tokens[who])
        assert page.headers["Access-Control-Allow-Origin"] == api.origin
        return next(p for p in page.json()["items"] if p["id"] == ids["poll"])

    adult, teen, child = listed("adult"), listed("teen"), listed("child")

    assert adult["can_vote"] is True and adult["cannot_vote_reason"] is None
    assert teen["can_vote"] is True  # 14–17 are admitted by a poll from 14
    assert child["can_vote"] is False
    assert child["cannot_vote_reason"] == {"code": "age", "detail": "Опрос для участников от 14 лет."}
    assert adult["participants"] == {"count": 0, "step": 10, "final": False}
    assert adult["state_title"] == "идёт голосование" and adult["image"] is None
    assert [q["kind_title"] for q in adult["questions"]] == ["один вариант", "несколько вариантов"]


def test_a_ballot_can_be_changed_and_an_answer_error_names_the_question(world):
    api, tokens, ids = world
    path = f"/v1/polls/{ids['poll']}/ballots"

    half = api.call("POST", path, tokens["teen"], {"answers": [{"question_id": "q1", "option_ids": ["q1-o1"]}]})
    first = api.ok("POST", path, tokens["teen"], {"answers": [
        {"question_id": "q1", "option_ids": ["q1-o1"]}, {"question_id": "q2", "option_ids": ["q2-o1"]}]})
    poll = wait_for(lambda: (p := api.ok("GET", f"/v1/polls/{ids['poll']}", tokens["teen"]))["voted"] and p, 30,
                    "the ballot to be counted")

    assert half.status_code == 422
    assert {"field": "answers", "detail": "нет ответа на вопрос «Что в нём сделать?»"} in half.json()["errors"]
    assert first["state_title"] == "принят"
    assert poll["can_vote"] is True  # may change the ballot until close
    state = api.ok("GET", f"/v1/polls/{ids['poll']}/ballot?ballot_id={first['ballot_id']}", tokens["teen"])
    assert (state["state"], state["state_title"]) == ("counted", "засчитан")


def test_an_orders_location_reads_it_back_and_only_for_its_owner(world):
    api, tokens, ids = world
    me = api.ok("GET", "/v1/me", tokens["adult"])["id"]
    api.ok("POST", "/v1/admin/points/adjustments", api.token(persona="admin"),
           {"account": me, "points": 10, "reason": "Начисление для проверки заказа"})

    placed = api.call("POST", "/v1/shop/orders", tokens["adult"], {"item_id": ids["item"]},
                      {"Idempotency-Key": f"resident-api-{uuid.uuid4()}"})
    assert placed.status_code == 201, placed.text
    location = placed.headers["Location"]
    mine = api.call("GET", location, tokens["adult"])
    others = api.call("GET", location, tokens["other"])

    assert mine.status_code == 200 and mine.json() == placed.json()
    assert mine.json()["status_title"] == "оформлен"
    assert others.status_code == 404 and others.json()["code"] == "order-not-found"
    points = api.ok("GET", "/v1/me/points", tokens["adult"])
    assert all(e["kind_title"] for e in points["entries"])


def test_the_openapi_document_declares_the_idempotency_key_of_an_order(local_stack):
    document = requests.get(f"{local_stack.api_url}/v1/openapi.json", timeout=10).json()

    params = document["paths"]["/v1/shop/orders"]["post"]["parameters"]
    assert {"name": "Idempotency-Key", "in": "header", "required": True}.items() <= next(
        p for p in params if p["name"] == "Idempotency-Key").items()
    assert "get" in document["paths"]["/v1/me/orders/{order_id}"]


def test_feed_codes_come_with_their_russian_labels(world, local_stack):
    api, tokens, _ = world
    emergency = api.token(persona="emergency")
    api.ok("POST", "/v1/admin/content", emergency, {
        "type": "bulletin", "title": "Штормовое предупреждение", "body": "Ветер до 25 м/с.", "severity": "warning",
        "territory_ids": ["mr-satkinsky"], "expires_at": iso(datetime.now(UTC) + timedelta(hours=6))})

    def bulletin():
        items = api.ok("GET", "/v1/feed", tokens["adult"])["items"]
        return next((i for i in items if i["title"] == "Штормовое предупреждение"), None)

    card = wait_for(bulletin, 30, "the bulletin in the feed")
    assert (card["type_title"], card["severity_title"]) == ("бюллетень МЧС", "Предупреждение")
