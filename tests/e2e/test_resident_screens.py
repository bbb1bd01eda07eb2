"""Every screen of the resident app in a real browser, on a 390 px phone and a 1280 px desktop, each
also narrowed to 320 px (the narrowest phone the issue names; Resident.check does it): axe-core
finds nothing at all, the screen never scrolls sideways, there are no script errors, and the 390 px
first screen of each lands in
docs/screenshots/resident-<screen>-390.webp (full pages of every width in build/screenshots).
The list is the app's route table (web/resident/src/main.tsx), so a new screen must be added here."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest

from infra.local.stack import LocalStack
from tests.e2e.browser import REPO, XSS, Resident, api_call, api_get, api_token, wait_for

pytestmark = [pytest.mark.browser, pytest.mark.stack]

WIDTHS = (390, 1280)
# Screen → the hash path it opens (ids filled in from the demo content) and who opens it.
SCREENS = {
    "signin": ("/signin", None),
    "polls": ("/polls", "resident-satka"),
    "poll": ("/polls/{open}", "resident-satka"),
    "poll-teen": ("/polls/{adult}", "resident-satka-teen"),
    "feed": ("/feed", "resident-satka"),
    "feed-item": ("/feed/{item}", "resident-satka"),
    "events": ("/events", "resident-satka"),
    "rewards": ("/rewards", "resident-satka"),
    "profile": ("/profile", "resident-satka"),
    # Last: it needs the demo poll that closes a minute after the start to be final.
    "check": ("/check/{final}", None),
}


def test_every_route_of_the_app_is_in_this_test():
    source = (REPO / "web" / "resident" / "src" / "main.tsx").read_text(encoding="utf-8")
    routes = set(re.findall(r"^\s+(\w+): \{ component:", source, re.MULTILINE))
    assert routes <= {path.split("/")[1] for path, _ in SCREENS.values()}, routes


@pytest.fixture(scope="module")
def ids(local_stack: LocalStack) -> dict[str, str]:
    # Staff text at its worst on a Сатка screen: markup typed as a title (shown as text, never run)
    # is one unbreakable token longer than a 320 px line; it must wrap, not widen the page.
    now = datetime.now(UTC)
    api_call(local_stack, "POST", "/v1/admin/shop/items", api_token(local_stack, persona="admin"), {
        "title": XSS, "partner": XSS, "price": 5, "stock": 5, "territory_ids": ["mr-satkinsky"],
        "valid_from": (now - timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "valid_until": (now + timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")})
    resident = api_token(local_stack, persona="resident-satka")
    polls = api_get(local_stack, "/v1/polls", resident)["items"]
    open_poll = next(p for p in polls if p["can_vote"])
    adult = next(p for p in polls if p["min_age"] >= 18)
    item = api_get(local_stack, "/v1/feed", resident)["items"][0]
    return {"open": open_poll["id"], "adult": adult["id"], "item": item["id"]}


def final_poll(local_stack: LocalStack) -> str:
    """The demo poll that closes a minute after the start, once it is final."""
    resident = api_token(local_stack, persona="resident-satka")
    final = wait_for(lambda: next(iter(api_get(local_stack, "/v1/polls?state=final", resident)["items"]), None),
                     120, "the demo poll that closes early to be final")
    return final["id"]


@pytest.mark.parametrize(("screen", "width"), [(screen, width) for screen in SCREENS for width in WIDTHS])
def test_screen_is_accessible_and_fits(browser, local_stack, ids, screen, width):
    path, persona = SCREENS[screen]
    if "{final}" in path:
        ids = {**ids, "final": final_poll(local_stack)}
    resident = Resident(browser, local_stack, persona, width=width)
    try:
        page = resident.open(path.format(**ids))
        assert page.locator("h1").count() == 1 and page.locator("h1").inner_text().strip()
        resident.check(f"resident-{screen}-{width}")
        resident.assert_no_page_scroll()
        if width == 390:
            resident.document(f"resident-{screen}-{width}")
    finally:
        resident.close()
