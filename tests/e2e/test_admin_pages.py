"""Every page of the admin site in a real browser: axe-core finds no serious or critical violation
on any of them (the list is the site's folder, so a new page is checked from its first commit), and
the catalogue page (shop.html) works for the IT admin and keeps a Магнитогорск moderator off a
Сатка-only item, showing the API's reason."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect

from infra.local.stack import LocalStack
from tests.e2e.browser import REPO, XSS, Person, api_call, api_token, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.stack]

PAGES = sorted(p.name for p in (REPO / "admin_site").glob("*.html"))
# Who opens each page, and with what query; a page not listed is opened by the approver as is.
VISITS = {
    "index.html": (None, "/"),
    "me.html": ("moderator-satka", "/me.html"),
    "dashboard.html": ("moderator-satka", "/dashboard.html"),
    "poll.html": ("moderator-satka", "/poll.html"),
    "results.html": ("moderator-satka", "/results.html?id={open}"),
    "review.html": ("approver", "/review.html"),
    "audit.html": ("approver", "/audit.html"),
    "staff.html": ("admin", "/staff.html"),
    "shop.html": ("admin", "/shop.html"),
    "verify.html": ("approver", "/verify.html"),
}


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def local_minutes(dt: datetime) -> str:
    """``dt`` as the catalogue's datetime-local inputs take it (minutes, the browser's local time)."""
    return dt.astimezone().strftime("%Y-%m-%dT%H:%M")


@pytest.fixture(scope="module")
def open_poll(local_stack: LocalStack) -> str:
    """An open Сатка poll, for the results page."""
    moderator, approver = api_token(local_stack, persona="moderator-satka"), api_token(local_stack, persona="approver")
    now = datetime.now(UTC)
    poll = api_call(local_stack, "POST", "/v1/admin/polls", moderator, {
        "title": "Ремонт библиотеки", "territory_ids": ["mr-satkinsky"], "opens_at": iso(now),
        "closes_at": iso(now + timedelta(hours=2)), "min_age": 14, "results_visibility": "after_close",
        "questions": [{"text": "Что отремонтировать первым?", "kind": "single",
                       "options": [{"text": "Читальный зал"}, {"text": "Детский отдел"}]}]})
    api_call(local_stack, "POST", f"/v1/admin/polls/{poll['id']}/submit", moderator)
    api_call(local_stack, "POST", f"/v1/admin/polls/{poll['id']}/approve", approver)
    wait_for(lambda: api_call(local_stack, "GET", f"/v1/admin/polls/{poll['id']}", approver)["state"] == "open",
             30, "the poll to open")
    return poll["id"]


def test_every_admin_page_is_listed_here():
    # index.html, me.html, shop.html and verify.html among them: the folder, not a hand-kept list
    assert {"index.html", "me.html", "shop.html", "verify.html"} <= set(PAGES)


@pytest.mark.parametrize("page_name", PAGES)
def test_axe_finds_nothing_serious_on_the_page(page_name: str, local_stack: LocalStack, browser: Browser,
                                               request: pytest.FixtureRequest):
    persona, path = VISITS.get(page_name, ("approver", f"/{page_name}"))
    if "{open}" in path:
        path = path.format(open=request.getfixturevalue("open_poll"))
    person = Person(browser, local_stack, persona)

    person.open(path)

    person.check()
    person.close()


def test_the_it_admin_lists_creates_and_restocks_an_item(local_stack: LocalStack, browser: Browser):
    # Given the IT admin on the catalogue page
    admin = Person(browser, local_stack, "admin")
    page = admin.open("/shop.html")
    expect(page.locator("#catalogue")).to_be_visible()
    title = f"Билет в бассейн {uuid.uuid4().hex[:6]} {XSS}"
    now = datetime.now()

    # When they add an item whose title carries markup
    page.get_by_label("Название").fill(title)
    page.get_by_label("Описание").fill(f"Одно посещение. {XSS}")
    page.get_by_label("Партнёр").fill("МБУ «Дельфин»")
    page.get_by_label("Цена, баллов").fill("40")
    page.get_by_label("В наличии, шт.").fill("25")
    page.get_by_label("Действует с").fill(local_minutes(now - timedelta(days=1)))
    page.get_by_label("Действует до").fill(local_minutes(now + timedelta(days=30)))
    page.get_by_label("Территории").fill("mr-satkinsky")
    page.get_by_role("button", name="Сохранить").click()

    # Then it is listed, its title shown as text, and nothing ran
    expect(page.locator("#status")).to_have_text("Поощрение добавлено в каталог.")
    row = page.locator("#item-rows tr").filter(has_text=title)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(3)).to_have_text("25")
    expect(row.locator("td").nth(5)).to_have_text("Саткинский муниципальный район")
    admin.check()

    # When they change its stock
    page.get_by_role("button", name=f"Изменить: {title}").click()
    expect(page.get_by_label("Название")).to_have_value(title)
    page.get_by_label("В наличии, шт.").fill("7")
    page.get_by_role("button", name="Сохранить").click()

    # Then the list shows the new stock
    expect(page.locator("#status")).to_have_text("Изменения сохранены.")
    expect(page.locator("#item-rows tr").filter(has_text=title).locator("td").nth(3)).to_have_text("7")
    admin.check()
    admin.close()


def test_a_magnitogorsk_moderator_cannot_edit_a_satka_only_item(local_stack: LocalStack, browser: Browser):
    # Given a Магнитогорск item that the Магнитогорск moderator opens for editing
    admin_token = api_token(local_stack, persona="admin")
    now = datetime.now(UTC)
    title = f"Абонемент в спортзал {uuid.uuid4().hex[:6]}"
    item = api_call(local_stack, "POST", "/v1/admin/shop/items", admin_token, {
        "title": title, "partner": "ФОК «Металлург»", "price": 60, "stock": 50, "territory_ids": ["go-magnitogorsk"],
        "valid_from": iso(now - timedelta(days=1)), "valid_until": iso(now + timedelta(days=30))})
    moderator = Person(browser, local_stack, "moderator-magnitogorsk")
    page = moderator.open("/shop.html")
    page.get_by_role("button", name=f"Изменить: {title}").click()
    page.get_by_label("В наличии, шт.").fill("3")

    # When the IT admin meanwhile makes it a Сатка-only item, and the moderator saves
    api_call(local_stack, "PATCH", f"/v1/admin/shop/items/{item['id']}", admin_token,
             {"version": item["version"], "territory_ids": ["mr-satkinsky"]})
    page.get_by_role("button", name="Сохранить").click()

    # Then the page shows the API's reason, and the item is unchanged
    expect(page.locator("#error")).to_contain_text(
        "Территории вне вашей зоны ответственности: Саткинский муниципальный район")
    stored = api_call(local_stack, "GET", f"/v1/admin/shop/items/{item['id']}", admin_token)
    assert stored["stock"] == 50 and stored["territory_ids"] == ["mr-satkinsky"]

    # and a new Сатка item is refused the same way; once reloaded the list no longer shows the item
    page.get_by_role("button", name="Очистить форму").click()
    page.get_by_label("Название").fill("Билет в музей")
    page.get_by_label("Партнёр").fill("Саткинский краеведческий музей")
    page.get_by_label("Цена, баллов").fill("20")
    page.get_by_label("В наличии, шт.").fill("10")
    page.get_by_label("Действует с").fill(local_minutes(now - timedelta(days=1)))
    page.get_by_label("Действует до").fill(local_minutes(now + timedelta(days=30)))
    page.get_by_label("Территории").fill("mr-satkinsky")
    page.get_by_role("button", name="Сохранить").click()
    expect(page.locator("#error")).to_contain_text("вне вашей зоны ответственности: Саткинский")
    page = moderator.open("/shop.html")
    expect(page.locator("#item-rows")).not_to_contain_text(title)
    moderator.check()
    moderator.close()
