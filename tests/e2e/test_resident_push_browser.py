"""Notifications in the resident app, end to end on the local stack and in Debian's Chromium.

The server side is real: a resident's subscription goes through the API, the МЧС operator publishes
a bulletin through the API, and the stack's PushFanoutFunction encrypts and sends it. Two parts
cannot run here and are stood in for, as the issue allows:
- the browser vendor's push service (FCM, Mozilla autopush) is ``PushServiceStandIn``, an
  http.server on 127.0.0.1 THAT STANDS IN FOR THE VENDOR'S PUSH SERVICE: it receives the server's
  Web Push request and decrypts it (RFC 8291) with keys this test generated;
- the vendor's delivery to the browser is the Chrome DevTools Protocol's
  ``ServiceWorker.deliverPushMessage``, which hands the decrypted message to the app's real
  service worker as a push event, as the vendor's connection would.
The service worker must then show the notification, with the link the app opens on a click.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.e2e.browser import Resident, wait_for
from tests.support.push_service import PushServiceStandIn

pytestmark = [pytest.mark.browser, pytest.mark.stack]


def registration_id(resident: Resident) -> tuple[object, str]:
    """The CDP session and the app's service worker registration id (its worker is running)."""
    page = resident.page
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    cdp = resident.context.new_cdp_session(page)
    registrations: list[dict] = []
    cdp.on("ServiceWorker.workerRegistrationUpdated", lambda event: registrations.extend(event["registrations"]))
    cdp.send("ServiceWorker.enable")
    scope = resident.stack.resident_url + "/"
    for _ in range(75):
        found = next((r["registrationId"] for r in registrations
                      if r["scopeURL"] == scope and not r["isDeleted"]), None)
        if found:
            return cdp, found
        page.wait_for_timeout(200)  # lets Playwright dispatch the CDP events (time.sleep would not)
    raise AssertionError(f"no service worker registration for {scope}: {registrations}")


def shown_notifications(resident: Resident) -> list[dict]:
    return resident.page.evaluate("""() => navigator.serviceWorker.ready
        .then(r => r.getNotifications())
        .then(ns => ns.map(n => ({title: n.title, body: n.body, tag: n.tag, data: n.data})))""")


def test_an_mchs_bulletin_travels_from_the_api_to_a_notification_shown_by_the_service_worker(
        browser, local_stack, persona_api):
    resident = Resident(browser, local_stack, "resident-satka")
    resident.context.grant_permissions(["notifications"], origin=local_stack.resident_url)
    try:
        cdp, registration = registration_id(resident)
        with PushServiceStandIn() as push_service:
            # The resident's browser subscribed (its endpoint at the stand-in push service).
            device = push_service.browser("resident-app")
            subscribed = persona_api("PUT", "/v1/me/push/subscription", "resident-satka", device.subscription())
            assert subscribed.status_code == 200, subscribed.text
            try:
                # The МЧС operator publishes a bulletin for Сатка through the API.
                title = f"Сильный ветер {datetime.now(UTC):%H%M%S}"
                expires = (datetime.now(UTC) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")
                created = persona_api("POST", "/v1/admin/content", "emergency", {
                    "type": "bulletin", "title": title, "territory_ids": ["gp-satka"], "severity": "warning",
                    "body": "Порывы до 25 м/с. Не оставляйте машины под деревьями.", "expires_at": expires})
                assert created.status_code == 201, created.text

                # The stack's fan-out sends it; the stand-in decrypts it with the device's keys.
                # (Only this bulletin's push: the demo seed's own may still be on their way.)
                tag = f"bulletin-{created.json()['id']}"
                received = wait_for(
                    lambda: [m for m in map(device.decrypt, push_service.to(device)) if m.get("tag") == tag],
                    90, "the Web Push request for the device")
                message = received[0]
                assert message["title"] and title in json.dumps(message, ensure_ascii=False)
                assert message["url"] == "/#/feed"

                # The vendor's delivery: the decrypted message reaches the app's service worker.
                cdp.send("ServiceWorker.deliverPushMessage", {
                    "origin": local_stack.resident_url, "registrationId": registration,
                    "data": json.dumps(message, ensure_ascii=False)})
                shown = wait_for(lambda: [n for n in shown_notifications(resident) if n["tag"] == message["tag"]],
                                 15, "the notification")
                assert shown[0]["title"] == message["title"]
                assert shown[0]["body"] == message["body"]
                assert shown[0]["data"] == {"url": "/#/feed"}
            finally:
                persona_api("DELETE", "/v1/me/push/subscription", "resident-satka", {"endpoint": device.endpoint})
    finally:
        resident.close()


def test_a_push_without_a_usable_payload_still_shows_a_notification_in_russian(browser, local_stack):
    # A push service may deliver an empty or garbled message; the worker still tells the resident
    # something (userVisibleOnly) and links to the feed.
    resident = Resident(browser, local_stack, "resident-satka")
    resident.context.grant_permissions(["notifications"], origin=local_stack.resident_url)
    try:
        cdp, registration = registration_id(resident)
        cdp.send("ServiceWorker.deliverPushMessage", {
            "origin": local_stack.resident_url, "registrationId": registration, "data": "не JSON"})
        shown = wait_for(lambda: shown_notifications(resident), 15, "the notification")
        assert shown[-1]["title"] == "Активный житель 74"
        assert shown[-1]["body"] == "не JSON"
        assert shown[-1]["data"] == {"url": "/#/feed"}
    finally:
        resident.close()


def test_the_profile_offers_notifications_and_says_so_in_russian_when_the_browser_cannot_subscribe(
        browser, local_stack):
    # Debian's Chromium has no vendor push service to register with, so subscribing fails here: the
    # app must say so in Russian (never the browser's English message) and stay usable.
    resident = Resident(browser, local_stack, "resident-satka")
    resident.context.grant_permissions(["notifications"], origin=local_stack.resident_url)
    try:
        page = resident.open("/profile")
        page.evaluate("navigator.serviceWorker.ready.then(() => true)")
        page.reload()
        resident.settle()
        expect(page.locator("#push-state")).to_have_text("Уведомления на этом устройстве выключены.")
        resident.check("resident-profile-notifications")
        page.locator("#push-on").click()
        outcome = page.locator("#push-state.notice-ok, #error:not([hidden])")
        expect(outcome).to_be_visible(timeout=20_000)
        if page.locator("#error").is_visible():
            expect(page.locator("#error")).to_contain_text("Браузер не смог подключиться к своему сервису уведомлений")
            expect(page.locator("#push-on")).to_be_enabled()
            # Playwright's contexts are incognito-like, and Chromium itself logs why it refuses there;
            # that line is the browser's, not the app's.
            resident.errors = [e for e in resident.errors
                               if not e.startswith("Chrome currently does not support the Push API in incognito mode")]
        resident.check("resident-profile-notifications-after")
    finally:
        resident.close()
