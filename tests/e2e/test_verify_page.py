"""A resident's receipt from a poll the local stack really finalised is checked in the browser, by
anyone, without signing in: the page fetches the proof from the public routes, rebuilds the leaf
(commitment and options) and hashes it with WebCrypto and says the vote was counted unchanged; a
tampered receipt is refused, and options other than the published ones are named (by their texts,
never ids); the published list recounts to the published totals and root; nothing scrolls sideways
on a phone. The public routes answer a final poll's result, list and proofs without a token, and
nothing for a poll that is not final."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from infra.local.stack import LocalStack
from tests.e2e.browser import BROWSER_ZONE, PHONE_WIDTH, Person

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def token(api: str, **body) -> str:
    response = requests.post(f"{api}/dev/token", json=body, timeout=10)
    assert response.status_code == 200, response.text
    return response.json()["access_token"]


def call(method: str, url: str, bearer: str, body=None) -> requests.Response:
    return requests.request(method, url, json=body, timeout=30, headers={"Authorization": f"Bearer {bearer}"})


@pytest.fixture(scope="module")
def finalised(local_stack: LocalStack) -> dict:
    """A Satka poll closing ~20 s from now, three residents' ballots, waited on until final."""
    api = local_stack.api_url
    moderator, approver = token(api, persona="moderator-satka"), token(api, persona="approver")
    now = datetime.now(UTC)
    draft = call("POST", f"{api}/v1/admin/polls", moderator, {
        "title": "Проверка квитанций", "territory_ids": ["mr-satkinsky"], "opens_at": iso(now - timedelta(seconds=1)),
        "closes_at": iso(now + timedelta(seconds=20)), "min_age": 16, "results_visibility": "after_vote",
        "questions": [{"text": "Что важнее?", "kind": "single", "options": [{"text": "Свет"}, {"text": "Лавки"}]}]})
    assert draft.status_code == 201, draft.text
    poll_id = draft.json()["id"]
    assert call("POST", f"{api}/v1/admin/polls/{poll_id}/submit", moderator, {}).status_code == 200
    assert call("POST", f"{api}/v1/admin/polls/{poll_id}/approve", approver, {}).status_code == 200

    def state() -> str:
        return call("GET", f"{api}/v1/admin/polls/{poll_id}", approver).json()["state"]

    deadline = time.monotonic() + 30
    while state() != "open":
        assert time.monotonic() < deadline, "the scheduler did not open the poll"
        time.sleep(0.5)
    receipts, residents = [], []
    for i in range(3):
        resident = token(api, sub=f"verify-page-{poll_id}-{i}", roles=["resident"], territory_id="gp-satka",
                         birth_year=1980, gender="f")
        cast = call("POST", f"{api}/v1/polls/{poll_id}/ballots", resident,
                    {"answers": [{"question_id": "q1", "option_ids": [f"q1-o{1 + i % 2}"]}]})
        assert cast.status_code == 202, cast.text
        receipts.append(cast.json()["receipt"])
        residents.append(resident)
    deadline = time.monotonic() + 90
    while state() != "final":
        assert time.monotonic() < deadline, "the scheduler did not finalise the poll"
        time.sleep(1)
    return {"poll_id": poll_id, "receipts": receipts, "token": residents[0]}


@pytest.fixture
def page(browser: Browser, local_stack: LocalStack, finalised: dict) -> Iterator[Page]:
    # Nobody signed in: the check needs no account.
    context = browser.new_context(locale="ru-RU", timezone_id=BROWSER_ZONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    yield page
    context.close()
    assert errors == []


def test_the_public_routes_serve_a_final_poll_without_a_token(local_stack: LocalStack, finalised: dict):
    api, poll_id = local_stack.api_url, finalised["poll_id"]
    receipt = finalised["receipts"][0]

    result = requests.get(f"{api}/v1/public/polls/{poll_id}/result", timeout=10)
    assert result.status_code == 200, result.text
    body = result.json()
    assert body["total_ballots"] == 3 and body["tree_size"] == 3 and body["title"] == "Проверка квитанций"
    assert [o["text"] for o in body["questions"][0]["options"]] == ["Свет", "Лавки"]
    assert sorted(o["count"] for o in body["questions"][0]["options"]) == [1, 2]

    listed = requests.get(f"{api}/v1/public/polls/{poll_id}/ballots/published", timeout=10).json()
    assert listed["merkle_root"] == body["merkle_root"] and len(listed["items"]) == 3
    assert set(listed["items"][0]) == {"commitment", "option_ids"}  # nothing about the voter

    proof = requests.get(f"{api}/v1/public/polls/{poll_id}/proof", params={"receipt": receipt["commitment"]},
                         timeout=10)
    assert proof.status_code == 200 and proof.json()["merkle_root"] == body["merkle_root"]
    missing = requests.get(f"{api}/v1/public/polls/{poll_id}/proof", params={"receipt": "0" * 64}, timeout=10)
    assert missing.status_code == 404 and missing.headers["content-type"].startswith("application/problem+json")
    assert requests.get(f"{api}/v1/public/polls/{poll_id}/proof", timeout=10).status_code == 422


def test_the_public_routes_say_nothing_of_a_poll_not_final(local_stack: LocalStack):
    api = local_stack.api_url
    moderator = token(api, persona="moderator-satka")
    now = datetime.now(UTC)
    draft = call("POST", f"{api}/v1/admin/polls", moderator, {
        "title": "Черновик", "territory_ids": ["mr-satkinsky"], "opens_at": iso(now + timedelta(days=1)),
        "closes_at": iso(now + timedelta(days=2)), "min_age": 16, "results_visibility": "after_close",
        "questions": [{"text": "Да?", "kind": "single", "options": [{"text": "Да"}, {"text": "Нет"}]}]}).json()
    for path in ("result", "ballots/published", f"proof?receipt={'a' * 64}"):
        response = requests.get(f"{api}/v1/public/polls/{draft['id']}/{path}", timeout=10)
        assert response.status_code == 404, (path, response.text)
    assert requests.get(f"{api}/v1/public/polls/not-a-poll/result", timeout=10).status_code in (404, 422)


def test_a_real_receipt_is_verified_in_the_browser(page: Page, local_stack: LocalStack, finalised: dict):
    receipt = finalised["receipts"][0]

    # Given the verification page with the poll id, the receipt's commitment and its options
    page.goto(local_stack.admin_url + "/verify.html")
    page.get_by_label("Идентификатор опроса").fill(finalised["poll_id"])
    page.get_by_label("Обязательство из квитанции").fill(receipt["commitment"])
    page.get_by_label("Варианты из квитанции").fill(",".join(receipt["option_ids"]))

    # When the resident checks it
    page.get_by_role("button", name="Проверить голос").click()

    # Then the page, having hashed the proof itself, says the vote was counted unchanged
    expect(page.locator("#receipt-verdict")).to_have_text("Голос учтён без изменений", timeout=20_000)
    expect(page.locator("#receipt-details")).to_contain_text("из 3")

    # and names the choice by its text
    mine, other = ("Свет", "Лавки") if receipt["option_ids"] == ["q1-o1"] else ("Лавки", "Свет")
    expect(page.locator("#receipt-details")).to_contain_text(f"Ваш выбор: «{mine}»")

    # and options other than the published ones (what a vote moved in storage looks like to its
    # voter) are refused as such: the page compares them and rebuilds the leaf from the receipt
    other_id = "q1-o2" if receipt["option_ids"] == ["q1-o1"] else "q1-o1"
    page.get_by_label("Варианты из квитанции").fill(other_id)
    page.get_by_role("button", name="Проверить голос").click()
    expect(page.locator("#receipt-verdict")).to_contain_text(
        "Варианты в опубликованном списке не совпадают с вашей квитанцией", timeout=20_000)
    expect(page.locator("#receipt-verdict")).to_contain_text(f"в списке — «{mine}», в квитанции — «{other}»")
    assert "q1-o" not in page.locator("#main").inner_text()

    # and a commitment with one changed digit is not confirmed
    page.get_by_label("Варианты из квитанции").fill(",".join(receipt["option_ids"]))
    forged = receipt["commitment"][:-1] + ("0" if receipt["commitment"][-1] != "0" else "1")
    page.get_by_label("Обязательство из квитанции").fill(forged)
    page.get_by_role("button", name="Проверить голос").click()
    expect(page.locator("#receipt-verdict")).to_contain_text("Голос не подтверждён", timeout=20_000)

    # and the published list recounts to the published totals and root
    page.get_by_role("button", name="Пересчитать итоги").click()
    expect(page.locator("#recount-verdict")).to_have_text("Пересчёт совпал с опубликованными итогами и корнем",
                                                          timeout=20_000)
    expect(page.locator("#recount-details")).to_contain_text("Голосов: 3")
    # and the result is shown with the options' texts and both counts
    result = page.locator("#result")
    expect(result).to_contain_text("Итоги опроса «Проверка квитанций»")
    expect(result.locator("tbody tr").filter(has_text="Свет").locator("td").nth(3)).to_have_text(
        str(receipts_for(finalised, "q1-o1")))


def receipts_for(finalised: dict, option_id: str) -> int:
    return sum(r["option_ids"] == [option_id] for r in finalised["receipts"])


def test_a_pasted_receipt_is_checked_on_a_phone_without_sideways_scroll(browser: Browser, local_stack: LocalStack,
                                                                       finalised: dict):
    # Given a resident on a phone, not signed in, who pastes the receipt the app gave them
    person = Person(browser, local_stack, None, width=PHONE_WIDTH)
    page = person.open("/verify.html")
    page.get_by_label("Квитанция голоса").fill(json.dumps(finalised["receipts"][1]))
    expect(page.get_by_label("Идентификатор опроса")).to_have_value(finalised["poll_id"])

    # When they check it
    page.get_by_role("button", name="Проверить голос").click()

    # Then it is confirmed, the page does not scroll sideways, and axe finds nothing serious
    expect(page.locator("#receipt-verdict")).to_have_text("Голос учтён без изменений", timeout=20_000)
    expect(page.locator("#status")).to_have_text("")
    wide = page.evaluate("""() => [...document.querySelectorAll('body *')]
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5 && !e.closest('.table-wrap'))
        .map(e => `${e.tagName}.${e.className}#${e.id}`)""")
    assert wide == [], wide
    person.assert_no_page_scroll()
    person.check("verify-receipt-390")
    person.close()
