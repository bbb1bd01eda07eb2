"""A moderator signs in to the admin site in a real browser, lands on their first section
(web/admin/src/shell/nav.ts landingFor) and sees who they are; a token the API refuses sends the
person back to sign-in with the session gone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.stack import LocalStack

REPO = Path(__file__).resolve().parents[2]
SCREENSHOTS = REPO / "build" / "screenshots"

pytestmark = [pytest.mark.browser, pytest.mark.stack]


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    context = browser.new_context(locale="ru-RU", viewport={"width": 1100, "height": 800})
    page = context.new_page()
    # Any CSP violation or script error shows up here and fails the test. The browser's own
    # "Failed to load resource" lines for expected API refusals (401) are not site errors.
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on(
        "console",
        lambda msg: (
            errors.append(msg.text)
            if msg.type == "error" and not msg.text.startswith("Failed to load resource")
            else None
        ),
    )
    yield page
    context.close()
    assert errors == []


def test_moderator_signs_in_sees_profile_and_signs_out(local_stack: LocalStack, page: Page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    # Given the sign-in page, served under a strict content security policy
    response = page.goto(local_stack.admin_url + "/")
    assert response is not None and response.ok
    csp = response.headers["content-security-policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    expect(page).to_have_title("Вход в кабинет — Активный житель 74")
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в кабинет")
    persona = page.get_by_role("button", name="Модератор Саткинского района")
    expect(persona).to_be_visible()
    page.screenshot(path=SCREENSHOTS / "admin-signin.png", full_page=True)

    # When the moderator of the Satka district signs in
    persona.click()

    # Then they land on their first section, the polls, in the moderator's cabinet
    expect(page).to_have_url(local_stack.admin_url + "/dashboard.html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Опросы")
    expect(page.locator(".site-title")).to_have_text("Активный житель 74 — кабинет модератора")
    expect(page.locator("#status")).to_have_text("")

    # and their profile shows name, role title and territories
    page.get_by_role("navigation", name="Разделы кабинета").get_by_role("link", name="Профиль").click()
    expect(page).to_have_url(local_stack.admin_url + "/me.html")
    profile = page.get_by_role("region", name="Профиль")
    expect(profile).to_be_visible()
    expect(page.locator("#profile-name")).to_have_text("Ирина Соколова (модератор, Саткинский район)")
    expect(page.locator("#profile-roles")).to_have_text("Модератор муниципалитета")
    expect(page.locator("#profile-scope")).to_have_text("Саткинский муниципальный район")
    expect(profile).to_contain_text("Входит в: Саткинский муниципальный район")
    expect(page.locator("#resident-note")).to_be_hidden()
    expect(page.get_by_role("alert")).to_be_hidden()
    page.screenshot(path=SCREENSHOTS / "admin-profile.png", full_page=True)

    # When they sign out, they are back at the sign-in page and the token is gone
    page.get_by_role("button", name="Выйти").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в кабинет")
    assert page.evaluate("() => sessionStorage.length") == 0

    # And the profile page no longer opens without signing in again
    page.goto(local_stack.admin_url + "/me.html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в кабинет")


def test_a_refused_token_sends_the_person_back_to_sign_in(local_stack: LocalStack, page: Page):
    # Given a session whose token the API does not accept
    page.goto(local_stack.admin_url + "/")
    page.evaluate(
        """() => sessionStorage.setItem("aj74.admin.session", JSON.stringify({token: "not-a-token", name: "x"}))"""
    )

    # When the profile page asks the API who this is
    page.goto(local_stack.admin_url + "/me.html")

    # Then the API's 401 ends the session and the person is back at sign-in, offered the personas again
    expect(page).to_have_url(local_stack.admin_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход в кабинет")
    expect(page.get_by_role("button", name="Модератор Саткинского района")).to_be_visible()
    assert page.evaluate("() => sessionStorage.getItem('aj74.admin.session')") is None
