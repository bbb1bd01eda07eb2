"""A resident's receipt from a poll the local stack really finalised is checked in the browser: the
page fetches the proof, rebuilds the leaf (commitment and options) and hashes it with WebCrypto and
says the vote was counted unchanged; a tampered receipt is refused, and options other than the
published ones are named as such; the published list recounts to the published totals and root."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from playwright.sync_api import Browser, Page, expect

from infra.local.stack import LocalStack

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
    context = browser.new_context(locale="ru-RU")
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource") else None)
    # Signed in as the first resident, the way the sign-in page stores a session.
    page.goto(local_stack.admin_url + "/")
    page.evaluate("t => sessionStorage.setItem('aj74.admin.session', JSON.stringify({token: t}))", finalised["token"])
    yield page
    context.close()
    assert errors == []


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

    # and options other than the published ones (what a vote moved in storage looks like to its
    # voter) are refused as such: the page compares them and rebuilds the leaf from the receipt
    other = "q1-o2" if receipt["option_ids"] == ["q1-o1"] else "q1-o1"
    page.get_by_label("Варианты из квитанции").fill(other)
    page.get_by_role("button", name="Проверить голос").click()
    expect(page.locator("#receipt-verdict")).to_contain_text(
        "Варианты в опубликованном списке не совпадают с вашей квитанцией", timeout=20_000)
    expect(page.locator("#receipt-verdict")).to_contain_text(f"в квитанции — {other}")

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
