"""The production sign-in path, end to end on the local stack: the admin site in ``oidc`` mode
runs the authorization-code flow with PKCE (S256) against the development provider as its issuer,
whose persona chooser stands in for the Госуслуги 74 login page.

The stack is this module's own: its admin site is configured for OIDC, and it must be served on
the admin origin the API allows (CORS), which the session's stack already holds in ``dev`` mode.
"""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from playwright.sync_api import Browser, Page, expect

from infra.local.stack import LocalStack
from tests.e2e.browser import PERSONA_BUTTONS
from tests.e2e.conftest import stack_on_free_ports

PERSONA = PERSONA_BUTTONS["moderator-satka"]  # «Модератор Саткинского района»

pytestmark = [pytest.mark.browser, pytest.mark.stack]


@pytest.fixture(scope="module")
def oidc_stack(tmp_path_factory) -> Iterator[LocalStack]:
    stack = stack_on_free_ports(tmp_path_factory.mktemp("oidc-stack"), admin_auth_mode="oidc", seed=False)
    with stack:
        yield stack


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    # CSP enforced (unlike tests.e2e.browser.Person, which bypasses it for axe): the site must be
    # allowed to reach the issuer's discovery and token endpoints under its own policy.
    context = browser.new_context(locale="ru-RU", viewport={"width": 1100, "height": 800})
    page = context.new_page()
    # A CSP violation (the token call blocked by connect-src, say) or a script error fails the test.
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    yield page
    context.close()
    assert errors == []


def open_chooser(stack: LocalStack, page: Page) -> dict[str, list[str]]:
    """From the admin site's sign-in page to the issuer's chooser; the authorization request's query."""
    page.goto(stack.admin_url + "/")
    page.get_by_role("button", name="Войти через Госуслуги 74").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Вход через тестовый поставщик удостоверений")
    assert page.url.startswith(f"{stack.api_url}/dev/authorize?")
    return parse_qs(urlsplit(page.url).query)


def test_a_moderator_signs_in_through_the_issuer_and_lands_on_their_dashboard(oidc_stack: LocalStack, page: Page):
    exchanges = []
    page.on("request", lambda r: exchanges.append(r) if r.url.endswith("/dev/oauth/token") else None)

    # Given the admin site in OIDC mode, When the moderator clicks sign-in
    request = open_chooser(oidc_stack, page)

    # Then the issuer got a code request with an S256 challenge, and never the verifier
    assert request["response_type"] == ["code"] and request["code_challenge_method"] == ["S256"]
    assert len(request["code_challenge"][0]) == 43
    assert request["redirect_uri"] == [oidc_stack.admin_url + "/"]
    assert "code_verifier" not in request and request["state"][0] and request["nonce"][0]

    # When they choose the Satka moderator on the issuer's page
    page.get_by_role("link", name=PERSONA, exact=True).click()

    # Then the site exchanged the code (form-encoded, with the verifier) and shows the moderator's dashboard
    expect(page).to_have_url(oidc_stack.admin_url + "/dashboard.html")
    expect(page.get_by_role("heading", level=1)).to_have_text("Опросы")
    expect(page.get_by_role("alert")).to_be_hidden()
    assert len(exchanges) == 1
    form = parse_qs(exchanges[0].post_data)
    assert exchanges[0].headers["content-type"] == "application/x-www-form-urlencoded"
    assert form["grant_type"] == ["authorization_code"] and len(form["code_verifier"][0]) == 43

    # And the profile is the moderator's: the API accepted the access token from the code flow
    page.get_by_role("navigation", name="Разделы кабинета").get_by_role("link", name="Профиль").click()
    expect(page.locator("#profile-name")).to_have_text("Ирина Соколова (модератор, Саткинский район)")
    expect(page.locator("#profile-scope")).to_have_text("Саткинский муниципальный район")
    assert page.evaluate("() => sessionStorage.getItem('aj74.admin.oidc')") is None


def test_a_callback_with_a_tampered_state_is_refused_in_russian(oidc_stack: LocalStack, page: Page):
    exchanges = []
    page.on("request", lambda r: exchanges.append(r) if r.url.endswith("/dev/oauth/token") else None)

    # Given a sign-in in progress, and the chooser's link for the moderator with its state forged
    request = open_chooser(oidc_stack, page)
    query = {k: v[0] for k, v in request.items()}
    forged = urlencode({**query, "state": "forged-" + query["state"][:8], "persona": "moderator-satka"})

    # When the issuer sends the browser back with a genuine code but the forged state
    page.goto(f"{oidc_stack.api_url}/dev/authorize?{forged}")

    # Then the site refuses in Russian, never exchanges the code, keeps no session and offers to start again
    expect(page.get_by_role("alert")).to_have_text("Ответ на вход не совпадает с запросом. Начните вход заново.")
    expect(page).to_have_url(oidc_stack.admin_url + "/")
    assert exchanges == []
    assert page.evaluate("() => sessionStorage.length") == 0
    expect(page.get_by_role("button", name="Войти через Госуслуги 74")).to_be_visible()
