"""Every page of the admin site in a real browser, at a desktop's 1280 px and a phone's 390 px:
axe-core finds no serious or critical violation, the page never scrolls sideways, and screenshots
go to build/screenshots/<page>-<width>.png (full page) and docs/screenshots/<page>-<width>.webp (the
first screen, committed). The list is the site's folder (web/admin/*.html), and
who opens a page follows the roles web/admin/src/shell/nav.ts gives its section, so a new page is
checked from its first commit. The audit log reads as Russian sentences; the catalogue page
(shop.html) shows staff-entered markup as text and keeps a Магнитогорск moderator off a Сатка-only item."""

from __future__ import annotations

import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, expect

from infra.local.stack import LocalStack
from tests.e2e.browser import PHONE_WIDTH, REPO, XSS, Person, api_call, api_token, local_input, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.stack]

SITE = REPO / "web" / "admin"
PAGES = sorted(p.name for p in SITE.glob("*.html"))
WIDTHS = (1280, PHONE_WIDTH)
# The development personas that hold each role (tests/e2e/browser.py PERSONA_BUTTONS).
PERSONA_OF_ROLE = {"moderator": "moderator-satka", "approver": "approver", "admin": "admin", "analyst": "analyst",
                   "emergency": "emergency", "partner": "partner"}
# Pages outside the navigation: who opens them (None: nobody signed in) and with what query.
OFF_NAV = {
    "index.html": (None, "/"),
    "verify.html": (None, "/verify.html"),
    "api.html": (None, "/api.html"),
    "me.html": ("moderator-satka", "/me.html"),
    "poll.html": ("moderator-satka", "/poll.html"),
    "results.html": ("moderator-satka", "/results.html?id={open}"),
}


def nav_roles() -> dict[str, list[str]]:
    """Each section's page and its roles, read from nav.ts's SECTIONS (`{ href: "/x.html", …, roles: … }`)."""
    source = (SITE / "src" / "shell" / "nav.ts").read_text(encoding="utf-8")
    named = {m.group(1): re.findall(r'"(\w+)"', m.group(2))
             for m in re.finditer(r"const (\w+): Role\[\] = \[([^\]]*)\]", source)}
    sections = {}
    for m in re.finditer(r'\{\s*href:\s*"/([\w-]+\.html)"[^}]*?roles:\s*(\w+|\[[^\]]*\])\s*\}', source):
        roles = m.group(2)
        sections[m.group(1)] = named.get(roles, []) if not roles.startswith("[") else re.findall(r'"(\w+)"', roles)
    return sections


def visit(page_name: str) -> tuple[str | None, str]:
    if page_name in OFF_NAV:
        return OFF_NAV[page_name]
    roles = nav_roles().get(page_name)
    assert roles, f"{page_name} is neither in nav.ts nor in OFF_NAV of this test"
    return PERSONA_OF_ROLE[roles[0]], f"/{page_name}"


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture(scope="module")
def open_poll(local_stack: LocalStack) -> str:
    """An open Сатка poll, for the results page (and its approval, for the audit log)."""
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


def test_every_page_of_the_site_is_visited():
    # the folder, not a hand-kept list; each page has a visitor (a nav.ts section or OFF_NAV)
    assert {"index.html", "me.html", "verify.html", "api.html", "audit.html", "staff.html"} <= set(PAGES)
    assert nav_roles()["audit.html"] == ["moderator", "approver", "admin", "analyst"]
    for name in PAGES:
        visit(name)


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("page_name", PAGES)
def test_the_page_passes_axe_and_fits_the_screen(page_name: str, width: int, local_stack: LocalStack,
                                                 browser: Browser, request: pytest.FixtureRequest):
    persona, path = visit(page_name)
    if "{open}" in path:
        path = path.format(open=request.getfixturevalue("open_poll"))
    person = Person(browser, local_stack, persona, width=width)

    person.open(path)

    person.check(f"{page_name.removesuffix('.html')}-{width}")
    person.document(f"{page_name.removesuffix('.html')}-{width}")
    person.assert_no_page_scroll()
    person.close()


def test_the_audit_log_reads_as_russian_sentences(local_stack: LocalStack, browser: Browser, open_poll: str):
    # Given the approver who approved a poll, on the audit log filtered to that poll
    approver = Person(browser, local_stack, "approver")
    page = approver.open(f"/audit.html?poll_id={open_poll}")

    # Then each entry is a sentence: time in Chelyabinsk, who with their role's title, what
    entries = page.locator("#audit-list .audit-entry")
    expect(entries.first).to_be_visible()
    approval = entries.filter(has_text=re.compile("— Согласование: опрос"))
    expect(approval).to_have_count(1)
    expect(approval).to_contain_text("(Согласующий (Управление по внутренней политике))")
    assert re.search(r"\d\d\.\d\d\.\d{4} \d\d:\d\d", approval.inner_text())
    # and no English role code or raw JSON is shown until asked for
    roles = page.locator("#audit-list .audit-role").all_inner_texts()
    assert roles and not [r for r in roles if re.search("[A-Za-z]", r)], roles
    assert "{" not in page.locator("#audit-list").inner_text()
    sentences = page.locator("#audit-list .audit-sentence").all_inner_texts()
    codes = [t for t in sentences if re.search(r"\b[a-z]+[._][a-z_]+\b", t)]
    assert codes == [], codes
    approval.locator("summary").click()
    expect(approval.locator(".raw-entry")).to_contain_text('"actor_role": "approver"')
    approver.check()
    approver.close()


def test_the_it_admin_lists_creates_and_restocks_an_item(local_stack: LocalStack, browser: Browser):
    # Given the IT admin on the catalogue page
    admin = Person(browser, local_stack, "admin")
    page = admin.open("/shop.html")
    expect(page.locator("#catalogue")).to_be_visible()
    title = f"Билет в бассейн {uuid.uuid4().hex[:6]} {XSS}"
    now = datetime.now(UTC)

    # When they add an item whose title carries markup
    page.locator("#new-item").click()
    page.get_by_label("Название").fill(title)
    page.get_by_label("Описание").fill(f"Одно посещение. {XSS}")
    page.get_by_label("Партнёр", exact=True).fill("МБУ «Дельфин»")
    page.get_by_label("Цена, баллов").fill("40")
    page.get_by_label("В наличии, шт.").fill("25")
    page.get_by_label("Действует с").fill(local_input(now - timedelta(days=1)))
    page.get_by_label("Действует до").fill(local_input(now + timedelta(days=30)))
    page.locator("#territory_ids").get_by_label("Саткинский муниципальный район").check()
    page.locator("#save").click()

    # Then it is listed, its title shown as text, and nothing ran
    expect(page.locator("#shop-done")).to_contain_text("добавлено в каталог")
    row = page.locator("#items tbody tr").filter(has_text=title)
    expect(row).to_have_count(1)
    expect(row.locator("td").nth(2)).to_have_text("25")
    expect(row).to_contain_text("Саткинский муниципальный район")
    admin.check()

    # When they change its stock
    page.get_by_role("button", name=f"Изменить: {title}").click()
    expect(page.get_by_label("Название")).to_have_value(title)
    page.get_by_label("В наличии, шт.").fill("7")
    page.locator("#save").click()

    # Then the list shows the new stock
    expect(page.locator("#shop-done")).to_contain_text("сохранены")
    expect(page.locator("#items tbody tr").filter(has_text=title).locator("td").nth(2)).to_have_text("7")
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
    # the picker offers only the moderator's own territories: Сатка is not among them
    expect(page.locator("#territory_ids").get_by_label("Саткинский муниципальный район")).to_have_count(0)

    # When the IT admin meanwhile makes it a Сатка-only item, and the moderator saves
    api_call(local_stack, "PATCH", f"/v1/admin/shop/items/{item['id']}", admin_token,
             {"version": item["version"], "territory_ids": ["mr-satkinsky"]})
    page.locator("#save").click()

    # Then the page shows the API's refusal, and the item is unchanged
    expect(page.locator("#item-form")).to_contain_text("Саткинский муниципальный район")
    expect(page.locator("#editor-error")).to_be_visible()
    stored = api_call(local_stack, "GET", f"/v1/admin/shop/items/{item['id']}", admin_token)
    assert stored["stock"] == 50 and stored["territory_ids"] == ["mr-satkinsky"]

    # and once reloaded the list no longer shows the item
    page = moderator.open("/shop.html")
    expect(page.locator("#catalogue")).not_to_contain_text(title)
    moderator.check()
    moderator.close()


def test_the_it_admin_assigns_a_moderator_and_confirms_a_pending_grant(local_stack: LocalStack, browser: Browser):
    suffix = uuid.uuid4().hex[:6]
    moderator, approver = f"staff-e2e-mod-{suffix}", f"staff-e2e-appr-{suffix}"
    # Given a grant of the approver's role that another administrator asked for (it waits: four eyes)
    other_admin = api_token(local_stack, sub=f"staff-e2e-admin-{suffix}", roles=["admin"], territory_id="gp-satka",
                            birth_year=1980, gender="m")
    api_call(local_stack, "PUT", f"/v1/admin/staff/{approver}", other_admin,
             {"roles": ["approver"], "scope_territory_ids": [], "display_name": f"Пётр Согласов {suffix}",
              "partner": None})
    admin = Person(browser, local_stack, "admin", width=PHONE_WIDTH)
    page = admin.open("/staff.html")

    # When the IT admin opens a new staff member, names them, gives the moderator's role and picks
    # Сатка from the territory tree (no typed codes)
    page.get_by_label("Учётная запись сотрудника").fill(moderator)
    page.get_by_role("button", name="Открыть").click()
    expect(page.locator("#staff-form")).to_be_visible()
    page.get_by_label("Имя для журнала").fill(f"Мария Модераторова {suffix} {XSS}")
    page.get_by_label("Модератор муниципалитета").check()
    page.locator("#s-scope").get_by_label("Саткинский муниципальный район").check()
    page.get_by_role("button", name="Сохранить назначение").click()

    # Then it applies at once, is listed with the role's title and the territory's name
    expect(page.locator("#staff-done")).to_contain_text("Назначение сохранено")
    row = page.locator("#staff-rows tr").filter(has_text=f"Мария Модераторова {suffix}")
    expect(row).to_contain_text("Модератор муниципалитета")
    expect(row).to_contain_text("Саткинский муниципальный район")

    # When they confirm the grant the other administrator asked for
    pending = page.locator("#staff-rows tr").filter(has_text=f"Пётр Согласов {suffix}")
    expect(pending).to_contain_text("Ждёт подтверждения: Согласующий (Управление по внутренней политике)")
    pending.get_by_role("button", name="Подтвердить").click()

    # Then it applies, and the page fits the phone (the table scrolls in its own box)
    expect(page.locator("#staff-done")).to_contain_text("Назначение подтверждено")
    expect(pending).not_to_contain_text("Ждёт подтверждения")
    expect(pending).to_contain_text("Согласующий (Управление по внутренней политике)")
    stored = api_call(local_stack, "GET", f"/v1/admin/staff/{approver}", other_admin)
    assert stored["roles"] == ["approver"] and stored["pending"] is None
    expect(page.locator("#status")).to_have_text("")
    admin.assert_no_page_scroll()
    admin.check("staff-assigned-390")
    admin.close()
