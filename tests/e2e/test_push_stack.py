"""Web Push over the running local stack: residents subscribe through the API, the МЧС operator
publishes a bulletin through the API, and the stack's own PushFanoutFunction (run by the local
Lambda service from template.yaml, under its IAM role, fed by BulletinTopic → PushQueue) sends it.

The push endpoint is ``tests.support.push_service.PushServiceStandIn``, an http.server on 127.0.0.1
that STANDS IN FOR THE BROWSER VENDOR'S PUSH SERVICE: it receives the server's Web Push requests,
decrypts them with the keys this test generated for each browser (RFC 8291) and checks the VAPID
signature (RFC 8292).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from tests.e2e.browser import wait_for
from tests.support.push_service import PushServiceStandIn, verify_vapid

pytestmark = pytest.mark.stack


def test_an_emergency_bulletin_reaches_the_subscribed_browsers_of_its_territory(persona_api):
    api = persona_api
    with PushServiceStandIn() as push_service:
        satka, magnitogorsk = push_service.browser("e2e-satka"), push_service.browser("e2e-magnitogorsk")
        subscribed = [("resident-satka", satka), ("resident-magnitogorsk", magnitogorsk)]
        try:
            for persona, browser in subscribed:
                response = api("PUT", "/v1/me/push/subscription", persona, browser.subscription())
                assert response.status_code == 200, response.text
            key = api("GET", "/v1/push/key", "resident-satka").json()["public_key"]
            body = {"type": "bulletin", "title": "Паводок: подтопление улиц", "territory_ids": ["gp-satka"],
                    "severity": "danger", "body": "Уровень воды в реке Ай поднялся на 2 м.",
                    "expires_at": (datetime.now(UTC) + timedelta(hours=3)).strftime("%Y-%m-%dT%H:%M:%SZ")}

            created = api("POST", "/v1/admin/content", "emergency", body)
            assert created.status_code == 201, created.text

            tag = f"bulletin-{created.json()['id']}"

            def about_this_bulletin(browser) -> list:
                # The demo seed's own bulletins may still be on their way when this test subscribes
                # (the stack may have just started): only this bulletin's pushes count.
                return [r for r in push_service.to(browser) if browser.decrypt(r).get("tag") == tag]

            [request] = wait_for(lambda: about_this_bulletin(satka), 90, "the push to arrive")
            assert satka.decrypt(request) == {"title": "МЧС: Паводок: подтопление улиц",
                                              "body": "Опасность. Уровень воды в реке Ай поднялся на 2 м.",
                                              "url": "/#/feed", "tag": tag}
            verify_vapid(request, key, audience=push_service.origin)
            assert about_this_bulletin(magnitogorsk) == []
        finally:
            for persona, browser in subscribed:
                api("DELETE", "/v1/me/push/subscription", persona, {"endpoint": browser.endpoint})
