"""The resident app's feed, calendar and rewards in a real browser (Debian's chromium, a 390 px phone,
Russian locale, a browser in Moscow so Chelyabinsk time is really converted): a Сатка resident signs
in through the app's own sign-in screen, reads the feed with the МЧС bulletin pinned first and its
severity in Russian, opens a missing-person notice with the police phone as a tel: link, adds an
event to a calendar (the .ics download is parsed: UTC times, the title, the place), orders a reward
after confirming it (its first answer lost, the retry sends the same Idempotency-Key and is charged
once), sees the order's QR code — decoded from a
screenshot of it with jsQR, the decoder the admin counter uses — and its code as text, is refused a
reward they cannot afford with the API's reason, cancels the order; then, with the network cut in
the browser, the reloaded app (its shell from the service worker) shows the saved feed and says so.
axe finds nothing of any impact on any screen, and no screen scrolls sideways at 320 px."""

from __future__ import annotations

import base64
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from aj74 import ratelimit
from playwright.sync_api import Browser, Page, expect

from infra.local.stack import LocalStack
from tests.e2e.browser import REPO, Resident, shown_time

pytestmark = [pytest.mark.browser, pytest.mark.stack, pytest.mark.slow]

RESIDENT = "resident-satka"
RESIDENT_BUTTON = "Жительница Сатки"
JSQR = REPO / "node_modules" / "jsqr" / "dist" / "jsQR.js"
CONCERT = "Концерт народного хора «Саткинские узоры»"
MISSING = "Пропал Иван Сергеевич Котов, 72 года"
SEVERITY = {"info": "Информация", "warning": "Предупреждение", "danger": "Опасность"}
OFFLINE_NOTICE = "Нет связи — показаны сохранённые данные"
NARROW = 320


def iso(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def ics_stamp(value: str) -> str:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def parse_ics(text: str) -> dict[str, str]:
    """The VEVENT's properties (name → value) after RFC 5545 unfolding; every line ends with CRLF."""
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", ""), "lines must end with CRLF"
    for physical in text.split("\r\n"):
        assert len(physical.encode()) <= 75, f"an unfolded line longer than 75 octets: {physical!r}"
    lines = re.sub(r"\r\n[ \t]", "", text).split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2] == "END:VCALENDAR"
    event = lines[lines.index("BEGIN:VEVENT") + 1:lines.index("END:VEVENT")]
    return dict(line.split(":", 1) for line in event)


def ics_text(value: str) -> str:
    """An iCalendar TEXT value as written (escaped)."""
    return value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\n", "\\n")


def decode_qr(page: Page, png: bytes) -> str | None:
    """The text of the QR code in a PNG, decoded in the page by jsQR (node_modules/jsqr)."""
    page.add_script_tag(path=str(JSQR))
    return page.evaluate("""async (src) => {
        const img = new Image();
        img.src = src;
        await img.decode();
        const canvas = document.createElement("canvas");
        canvas.width = img.naturalWidth;
        canvas.height = img.naturalHeight;
        const ctx = canvas.getContext("2d");
        ctx.drawImage(img, 0, 0);
        const pixels = ctx.getImageData(0, 0, canvas.width, canvas.height);
        const found = jsQR(pixels.data, pixels.width, pixels.height);
        return found ? found.data : null;
    }""", "data:image/png;base64," + base64.b64encode(png).decode())


@pytest.fixture(scope="module")
def satka(local_stack: LocalStack, persona_api) -> dict:
    """The Сатка resident with exactly 150 points, the pinned bulletin of their feed (the demo seed's,
    or one the МЧС operator publishes now) and the demo concert of their calendar."""
    me = persona_api("GET", "/v1/me", RESIDENT).json()
    balance = persona_api("GET", "/v1/me/points", RESIDENT).json()["balance"]
    if balance != 150:
        got = persona_api("POST", "/v1/admin/points/adjustments", "admin",
                          {"account": me["id"], "points": 150 - balance, "reason": "Баллы для проверки приложения"})
        assert got.status_code == 201, got.text
    feed = persona_api("GET", "/v1/feed", RESIDENT, limit=50).json()["items"]
    bulletin = next((i for i in feed if i["type"] == "bulletin" and i.get("pinned")), None)
    if bulletin is None:
        now = datetime.now(UTC)
        made = persona_api("POST", "/v1/admin/content", "emergency", {
            "type": "bulletin", "title": "Штормовое предупреждение (проверка приложения)", "severity": "warning",
            "territory_ids": ["gp-satka"], "body": "ГУ МЧС: ожидается сильный ветер.",
            "expires_at": iso(now + timedelta(hours=2))})
        assert made.status_code == 201, made.text
        feed = persona_api("GET", "/v1/feed", RESIDENT, limit=50).json()["items"]
        bulletin = next(i for i in feed if i["id"] == made.json()["id"])
    events = persona_api("GET", "/v1/events", RESIDENT, limit=50).json()["items"]
    concert = next(e for e in events if e["title"] == CONCERT)
    shop = persona_api("GET", "/v1/shop/items", RESIDENT).json()["items"]
    cheap = next(i for i in shop if i["price"] == 100 and i["stock"] > 0)
    dear = next(i for i in shop if i["price"] > 50 and i["id"] != cheap["id"])
    # Other modules on this stack order as the same resident (the authorisation matrix, the duties, the
    # counter); orders are limited to five a minute per resident in fixed one-minute windows
    # (aj74.ratelimit), so this test starts in a window of its own.
    time.sleep(ratelimit.WINDOW_SECONDS - time.time() % ratelimit.WINDOW_SECONDS + 0.5)
    return {"id": me["id"], "bulletin": bulletin, "concert": concert, "cheap": cheap, "dear": dear}


def test_satka_resident_reads_the_feed_adds_an_event_orders_a_reward_and_reads_offline(
        local_stack: LocalStack, browser: Browser, persona_api, satka: dict):
    person = Resident(browser, local_stack, None)  # on the app's sign-in screen
    page = person.page
    # Network only on 127.0.0.1: a picture hosted elsewhere is refused (the app then drops it).
    person.context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    app = local_stack.resident_url
    try:
        # Signing in through the app's own screen; the feed is a tab away.
        expect(page.get_by_role("heading", name="Вход", level=1)).to_be_visible()
        page.get_by_role("button", name=re.compile(RESIDENT_BUTTON)).click()
        expect(page).to_have_url(f"{app}/#/polls")
        page.get_by_role("link", name="Лента").click()
        expect(page).to_have_url(f"{app}/#/feed")

        # The feed: the МЧС bulletin first, pinned, its severity in Russian, times in Chelyabinsk.
        bulletin = satka["bulletin"]
        cards = page.locator("main article")
        expect(cards.first).to_contain_text(bulletin["title"], timeout=15_000)
        first = cards.first
        expect(first).to_contain_text("Бюллетень МЧС")
        expect(first).to_contain_text(SEVERITY[bulletin["severity"]])
        expect(first).to_contain_text("Закреплено")
        expect(first).to_contain_text(f"Действует до {shown_time(datetime.fromisoformat(bulletin['expires_at']))}")
        assert page.locator(".feed-pinned article").count() >= 1
        expect(page.locator("#feed-list")).to_contain_text(MISSING)
        expect(page.locator("#status")).to_have_text("")
        person.check("resident-feed")

        # A missing-person notice: the full text and the police phone as a tel: link.
        page.get_by_role("link", name=MISSING).click()
        expect(page.get_by_role("heading", name=MISSING, level=1)).to_be_visible()
        expect(page.locator("main")).to_contain_text("Рост 170 см")
        phone = page.locator('main a[href^="tel:"]')
        expect(phone).to_have_attribute("href", "tel:+73516130000")
        expect(phone).to_contain_text("+7 351 613-00-00")
        person.check("resident-feed-item")

        # The calendar: grouped by Chelyabinsk day; the .ics download parses and is in UTC.
        page.get_by_role("link", name="Афиша").click()
        concert = satka["concert"]
        card = page.locator("article", has=page.get_by_role("heading", name=CONCERT))
        expect(card).to_contain_text(concert["venue"])
        day = shown_time(datetime.fromisoformat(concert["starts_at"]))[:10]
        expect(page.get_by_role("heading", name=re.compile(re.escape(day)), level=2).first).to_be_visible()
        with page.expect_download() as download_info:
            card.get_by_role("link", name=re.compile("Добавить в календарь")).click()
        download = download_info.value
        assert download.suggested_filename.endswith(".ics")
        event = parse_ics(Path(download.path()).read_bytes().decode("utf-8"))
        assert event["SUMMARY"] == ics_text(CONCERT)
        assert event["DTSTART"] == ics_stamp(concert["starts_at"]) and event["DTSTART"].endswith("Z")
        assert event["DTEND"] == ics_stamp(concert["ends_at"])
        assert event["UID"].startswith(concert["id"] + "@")
        assert re.fullmatch(r"\d{8}T\d{6}Z", event["DTSTAMP"])
        assert event["LOCATION"] == ics_text(f"{concert['venue']}, {concert['address']}")
        # The full description came from the item (the calendar's card has none).
        assert event["DESCRIPTION"].startswith(ics_text("Народные песни Южного Урала"))
        person.check("resident-events")

        # Rewards: 150 points; a reward for 100 is ordered after confirming, with an Idempotency-Key.
        page.get_by_role("link", name="Баллы").click()
        expect(page.locator("#balance")).to_have_text("150")
        person.check("resident-rewards")
        cheap, dear = satka["cheap"], satka["dear"]
        reward = page.locator("article.reward", has=page.get_by_role("heading", name=cheap["title"]))
        reward.get_by_role("button", name=re.compile("^Заказать")).click()
        expect(reward).to_contain_text("Списать 100 баллов")
        expect(reward).to_contain_text("останется 50 баллов")
        person.check("resident-reward-confirm")
        # The first answer is lost on the way back (the API did make the order): the retry sends the
        # same Idempotency-Key, the API answers with that same order, and the points go once.
        keys: list[str] = []

        def lose_first_answer(route) -> None:
            if route.request.method != "POST":
                route.continue_()
                return
            keys.append(route.request.headers.get("idempotency-key", ""))
            if len(keys) == 1:
                assert route.fetch().status == 201
                route.abort("connectionreset")
            else:
                route.continue_()

        page.route("**/v1/shop/orders", lose_first_answer)
        reward.get_by_role("button", name="Подтвердить заказ").click()
        expect(reward.get_by_role("alert")).to_contain_text("второй раз баллы не спишутся")
        reward.get_by_role("button", name="Повторить заказ").click()
        expect(page).to_have_url(re.compile(r"#/rewards/orders/"))
        page.unroute("**/v1/shop/orders")
        assert len(keys) == 2 and keys[0] == keys[1] and 8 <= len(keys[0]) <= 128

        # The order: its QR code holds exactly the redemption code, which is also shown as text.
        expect(page.get_by_text("Заказ оформлен: списано 100 баллов.")).to_be_visible()
        orders = persona_api("GET", "/v1/me/orders", RESIDENT).json()["items"]
        order = next(o for o in orders if o["item_id"] == cheap["id"] and o["status"] == "active")
        expect(page).to_have_url(f"{app}/#/rewards/orders/{order['id']}")
        expect(page.locator("#order-code")).to_have_text(re.sub(r"(.{4})(?=.)", r"\1 ", order["code"]))
        qr = page.locator("#order-qr")
        expect(qr).to_be_visible()
        assert qr.evaluate("img => img.complete && img.naturalWidth > 0")
        assert decode_qr(page, qr.screenshot()) == order["code"]
        expect(page.locator("main")).to_contain_text(
            f"Отменить заказ можно до {shown_time(datetime.fromisoformat(order['cancel_until']))}")
        person.check("resident-order")

        # A reward beyond the balance (50 left): the API's reason, in Russian.
        page.get_by_role("link", name="Баллы").first.click()
        expect(page.locator("#balance")).to_have_text("50")
        costly = page.locator("article.reward", has=page.get_by_role("heading", name=dear["title"]))
        expect(costly).to_contain_text("Не хватает")
        costly.get_by_role("button", name=re.compile("^Заказать")).click()
        costly.get_by_role("button", name="Подтвердить заказ").click()
        expect(costly.get_by_role("alert")).to_have_text(f"Недостаточно баллов: нужно {dear['price']}, на счёте 50.")
        costly.get_by_role("button", name="Не заказывать").click()

        # Cancelling within the window gives the points back.
        page.get_by_role("link", name=re.compile(re.escape(cheap["title"]))).click()
        page.get_by_role("button", name="Отменить заказ").click()
        page.get_by_role("button", name="Да, отменить заказ").click()
        expect(page.get_by_text("Заказ отменён, баллы вернулись на счёт.").first).to_be_visible()
        expect(page.locator(".order-meta")).to_contain_text("отменён")
        assert persona_api("GET", f"/v1/me/orders/{order['id']}", RESIDENT).json()["status"] == "cancelled"
        assert persona_api("GET", "/v1/me/points", RESIDENT).json()["balance"] == 150

        # Offline: the service worker holds the shell, the feed's first page was saved when seen.
        page.get_by_role("link", name="Лента").click()
        expect(cards.first).to_contain_text(bulletin["title"])
        assert page.evaluate("() => navigator.serviceWorker.ready.then(r => Boolean(r.active))")
        person.context.set_offline(True)
        page.reload()
        expect(page.locator(".notice-offline")).to_contain_text(OFFLINE_NOTICE, timeout=15_000)
        expect(cards.first).to_contain_text(bulletin["title"])
        expect(page.locator("#feed-list")).to_contain_text(MISSING)
        assert page.evaluate("() => Boolean(navigator.serviceWorker.controller)"), "the shell came from the network"
        person.check("resident-feed-offline")
    finally:
        person.context.set_offline(False)
        person.close()


def test_the_feed_pages_on_with_the_cursor_by_keyboard_and_by_scrolling(
        local_stack: LocalStack, browser: Browser, persona_api):
    """A resident of Романовское сельское поселение (a territory no other test writes to) whose feed
    has more than two pages: «Показать ещё» loads the next page from the keyboard, scrolling to the
    end loads the rest, every item once and the pinned bulletins first, and the end is said."""
    territory = "sp-romanovskoye"
    expires = iso(datetime.now(UTC) + timedelta(hours=1))
    titles = [f"Проверка ленты: бюллетень № {n:02d}" for n in range(1, 46)]
    for n, title in enumerate(titles):
        made = persona_api("POST", "/v1/admin/content", "emergency", {
            "type": "bulletin", "title": title, "severity": ("info", "warning", "danger")[n % 3],
            "territory_ids": [territory], "body": "ГУ МЧС: проверка постраничной ленты.", "expires_at": expires})
        assert made.status_code == 201, made.text
    token = requests.post(f"{local_stack.api_url}/dev/token", timeout=10, json={
        "sub": "res-romanovskoye-feed", "roles": ["resident"], "territory_id": territory,
        "birth_year": 1980, "gender": "m"}).json()["access_token"]
    total, cursor = 0, None
    while True:  # what the API has for this resident, page by page
        got = requests.get(f"{local_stack.api_url}/v1/feed", timeout=10, headers={"Authorization": f"Bearer {token}"},
                           params={"limit": 50, **({"cursor": cursor} if cursor else {})}).json()
        total += len(got["items"])
        cursor = got["next_cursor"]
        if not cursor:
            break
    assert total >= 45

    person = Resident(browser, local_stack, None)
    page = person.page
    person.context.route(lambda url: not url.startswith("http://127.0.0.1"), lambda route: route.abort())
    app = local_stack.resident_url
    try:
        page.evaluate("t => localStorage.setItem('aj74.resident.session', JSON.stringify({token: t, name: 'Житель'}))",
                      token)
        page.goto(f"{app}/#/feed")
        cards = page.locator("main article")
        expect(cards).to_have_count(20, timeout=15_000)
        more = page.get_by_role("button", name="Показать ещё")
        expect(more).to_be_visible()
        person.check("resident-feed-more")
        more.focus()
        page.keyboard.press("Enter")
        expect(cards).to_have_count(40, timeout=15_000)
        # Scrolling to the end loads the rest without a press (IntersectionObserver).
        page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        expect(page.get_by_text("Это всё, что есть в ленте.")).to_be_visible(timeout=15_000)
        expect(cards).to_have_count(total)
        expect(more).to_have_count(0)
        shown = cards.locator(".card-title").all_text_contents()
        assert len(shown) == len(set(shown)) == total
        # Bulletins are pinned: every one of them before anything else, newest first.
        assert set(shown[:45]) == set(titles)
    finally:
        person.close()
