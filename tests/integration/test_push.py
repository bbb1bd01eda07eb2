"""Web Push end to end in-process, over moto's real API: a resident subscribes through the API,
an МЧС bulletin is published (BulletinTopic → PushQueue by the template's SNS subscription) or a
poll event is queued, and PushFanoutFunction's handler, fed by the local SQS driver, sends.

The push service here is ``tests.support.push_service.PushServiceStandIn``, an http.server on
127.0.0.1 that STANDS IN FOR THE BROWSER VENDOR'S PUSH SERVICE (FCM, Mozilla, Apple): it receives
the server's Web Push requests and, holding the keys the test generated for each "browser",
decrypts them (RFC 8291) and checks their VAPID signature (RFC 8292).
"""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from chalice.test import Client

from infra.local.invocation import Invoker, load_handler
from infra.local.provision import aws_client, provision
from infra.local.sqs_driver import SqsDriver
from tests.support.env import use_stack
from tests.support.polls import persona, poll_body, resident
from tests.support.push_service import PushServiceStandIn, verify_vapid

# The full tier only (make test): the same behaviours run on the services' fakes in the fast
# tier (tests/unit/test_push_service.py), and the contract tests hold the fakes to the
# adapters on moto; here they run end to end through the real adapters (docs/decisions/021).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def push_stack(moto_endpoint):
    resources = provision(moto_endpoint, stack_name="aj74-push", parameters={
        "OidcIssuer": "http://127.0.0.1:9/dev", "OidcAudience": "aj74-test", "AdminOrigin": "http://127.0.0.1:9"})
    env = {**resources.env_for("ApiFunction"), **resources.env_for("PushFanoutFunction")}
    return resources, env


@pytest.fixture
def stack(push_stack, moto_endpoint):
    resources, env = push_stack
    use_stack(env, moto_endpoint)
    return resources


@pytest.fixture(scope="module")
def push_service():
    with PushServiceStandIn() as service:
        yield service


@pytest.fixture
def driver(stack, moto_endpoint):
    spec = stack.functions["PushFanoutFunction"]
    sqs = aws_client("sqs", moto_endpoint)
    invoker = Invoker.for_function(spec, load_handler(spec.module, spec.attribute))
    return SqsDriver(sqs, spec.sqs_events[0], invoker, "eu-central-1", retry_delay_seconds=0, wait_time_seconds=0)


def drain(driver, timeout: float = 30) -> None:
    """Run the fan-out until its queue is empty, delayed retries included."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if driver.deliver_batch() is not None:
            continue
        attrs = driver.sqs.get_queue_attributes(QueueUrl=driver.source.queue_url, AttributeNames=[
            "ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed"])["Attributes"]
        if sum(int(v) for v in attrs.values()) == 0:
            return
        time.sleep(0.2)
    raise AssertionError("the push queue did not drain")


@pytest.fixture
def api(stack, monkeypatch):
    """The API in-process; ``api.as_(principal)`` chooses who calls."""
    from aj74.api import http, routing

    import app as module

    caller = {}

    class Verifier:
        def verify(self, token):
            return caller["principal"]

    monkeypatch.setattr(http, "_verifier", lambda: Verifier())
    monkeypatch.setattr(routing, "effective_principal", lambda principal: principal)

    class Api:
        def __init__(self, client):
            self.client = client

        def as_(self, principal):
            caller["principal"] = principal
            return self

        def call(self, method: str, path: str, body=None):
            headers = {"Authorization": "Bearer x", "Content-Type": "application/json"}
            raw = json.dumps(body).encode() if body is not None else b""
            response = getattr(self.client.http, method.lower())(path, headers=headers, body=raw)
            return response.status_code, json.loads(response.body) if response.body else None

    with Client(module.app) as client:
        yield Api(client)


def subscribe(api, principal, browser) -> dict:
    status, body = api.as_(principal).call("PUT", "/v1/me/push/subscription", browser.subscription())
    assert status == 200, body
    assert body["subscribed"] is True
    return body


def publish_bulletin(territories: list[str], title: str) -> str:
    """An МЧС bulletin drafted, approved and published by the scheduler's content tick (which
    publishes it to BulletinTopic)."""
    from aj74.clock import iso, utcnow
    from aj74.content import publishing, service
    from aj74.identity.principal import principal_from_claims

    body = {"type": "bulletin", "title": title, "territory_ids": territories, "severity": "warning",
            "body": "Ожидается усиление ветра до 25 м/с. Не оставляйте автомобили под деревьями.",
            "expires_at": iso(utcnow() + timedelta(hours=6))}
    approver = principal_from_claims({"sub": "staff-approver-2", "roles": ["approver"],
                                      "scope_territory_ids": ["chelyabinsk-oblast"]})
    item = service.create_content(persona("approver"), body)
    service.moderate(persona("approver"), item["id"], "submit")
    service.moderate(approver, item["id"], "approve")
    assert item["id"] in publishing.tick().published
    return item["id"]


def public_key(api) -> str:
    status, body = api.call("GET", "/v1/push/key")
    assert status == 200
    return body["public_key"]


def test_a_bulletin_reaches_its_territory_and_those_below_it_only(api, driver, push_service):
    satka, district, magnitogorsk = (push_service.browser(n) for n in ("satka", "district", "magnitogorsk"))
    subscribe(api, resident("push-satka", "gp-satka"), satka)
    subscribe(api, resident("push-district", "mr-satkinsky"), district)
    subscribe(api, resident("push-magnitogorsk", "go-magnitogorsk"), magnitogorsk)
    key = public_key(api)

    # A bulletin for the town of Сатка: its residents, not the district above, not Магнитогорск.
    town = publish_bulletin(["gp-satka"], "Штормовое предупреждение в Сатке")
    drain(driver)

    [request] = push_service.to(satka)
    assert push_service.to(district) == [] and push_service.to(magnitogorsk) == []
    assert satka.decrypt(request) == {"title": "МЧС: Штормовое предупреждение в Сатке",
                                      "body": "Предупреждение. Ожидается усиление ветра до 25 м/с. Не оставляйте "
                                              "автомобили под деревьями.",
                                      "url": "/#/feed", "tag": f"bulletin-{town}"}
    verify_vapid(request, key, audience=push_service.origin)
    assert request.headers["urgency"] == "high"
    assert 0 < int(request.headers["ttl"]) <= 6 * 3600
    assert len(request.body) < 4096

    # A bulletin for Саткинский район reaches the district's residents and the town's within it.
    publish_bulletin(["mr-satkinsky"], "Паводок в Саткинском районе")
    drain(driver)
    assert len(push_service.to(satka)) == 2 and len(push_service.to(district)) == 1
    assert push_service.to(magnitogorsk) == []
    assert district.decrypt(push_service.to(district)[0])["title"] == "МЧС: Паводок в Саткинском районе"


def test_a_subscription_the_push_service_no_longer_knows_is_removed(api, driver, push_service):
    browser = push_service.browser("gone")
    person = resident("push-gone", "gp-satka")
    subscribe(api, person, browser)
    push_service.answer(browser, 410)

    publish_bulletin(["gp-satka"], "Отключение электроэнергии")
    drain(driver)

    assert len(push_service.to(browser)) == 1
    status, body = api.as_(person).call("GET", f"/v1/me/push?endpoint={browser.endpoint}")
    assert status == 200 and body["subscribed"] is False and body["devices"] == 0


def test_a_throttled_push_is_sent_again_later(api, driver, push_service):
    browser, other = push_service.browser("throttled"), push_service.browser("fine")
    subscribe(api, resident("push-throttled", "gp-satka"), browser)
    subscribe(api, resident("push-fine", "gp-satka"), other)
    push_service.answer(browser, (429, {"Retry-After": "1"}))

    publish_bulletin(["gp-satka"], "Гололёд на дорогах")
    drain(driver)

    first, second = push_service.to(browser)[-2:]
    assert browser.decrypt(first) == browser.decrypt(second)
    assert browser.decrypt(second)["title"] == "МЧС: Гололёд на дорогах"
    # The browser that was reached the first time is not notified again by the retry.
    assert [other.decrypt(r)["title"] for r in push_service.to(other)].count("МЧС: Гололёд на дорогах") == 1


def test_a_follower_hears_of_the_final_result_and_execution(api, driver, push_service):
    from aj74.polls import service
    from aj74.polls.scheduling import tick
    from aj74.push.outbox import notify_poll_event

    poll = service.create_poll(persona("moderator-satka"), poll_body(closes_in=timedelta(minutes=30)))
    service.moderate(persona("moderator-satka"), poll["id"], "submit")
    service.moderate(persona("approver"), poll["id"], "approve")
    assert poll["id"] in tick().opened
    drain(driver)  # the new poll's notification to the district
    follower, bystander = push_service.browser("follower"), push_service.browser("bystander")
    person = resident("push-follower", "gp-satka")
    subscribe(api, person, follower)
    subscribe(api, resident("push-bystander", "gp-satka"), bystander)

    status, body = api.as_(person).call("PUT", f"/v1/me/push/follows/{poll['id']}")
    assert (status, body) == (200, {"poll_id": poll["id"], "following": True})
    status, body = api.as_(person).call("GET", "/v1/me/push")
    assert body["follows"] == [poll["id"]] and body["devices"] == 1

    # What the scheduler queues when it finalises the poll.
    assert notify_poll_event("poll_final", poll["id"], poll["title"])
    drain(driver)

    [request] = push_service.to(follower)
    assert follower.decrypt(request) == {"title": "Итоги опроса", "body": poll["title"],
                                         "url": f"/#/polls/{poll['id']}", "tag": f"poll-{poll['id']}-result"}
    assert push_service.to(bystander) == []

    api.as_(person).call("DELETE", f"/v1/me/push/follows/{poll['id']}")
    assert notify_poll_event("poll_execution", poll["id"], poll["title"], status_title="Выполнено")
    drain(driver)
    assert len(push_service.to(follower)) == 1


def test_a_new_poll_is_announced_to_its_territories(api, driver, push_service):
    from aj74.polls import service
    from aj74.polls.scheduling import tick

    satka, magnitogorsk = push_service.browser("poll-satka"), push_service.browser("poll-magnitogorsk")
    subscribe(api, resident("push-poll-satka", "gp-satka"), satka)
    subscribe(api, resident("push-poll-mgn", "go-magnitogorsk"), magnitogorsk)

    poll = service.create_poll(persona("moderator-satka"), poll_body(closes_in=timedelta(minutes=30)))
    service.moderate(persona("moderator-satka"), poll["id"], "submit")
    service.moderate(persona("approver"), poll["id"], "approve")
    assert poll["id"] in tick().opened
    drain(driver)

    [request] = push_service.to(satka)
    assert satka.decrypt(request) == {"title": "Новый опрос", "body": poll["title"],
                                      "url": f"/#/polls/{poll['id']}", "tag": f"poll-{poll['id']}"}
    assert push_service.to(magnitogorsk) == []


@pytest.mark.parametrize(("body", "field", "detail"), [
    ({"endpoint": "ftp://fcm.googleapis.com/x", "keys": "valid"}, "endpoint", "https://"),
    ({"endpoint": "https://evil.example.com/push/1", "keys": "valid"}, "endpoint", "службе push-уведомлений"),
    ({"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": {"p256dh": "A" * 87, "auth": "B" * 22}},
     "keys.p256dh", "P-256"),
    ({"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": {"auth": "B" * 22}}, "keys.p256dh",
     "обязательное поле"),
    ({"endpoint": "https://fcm.googleapis.com/fcm/send/x", "keys": "valid", "extra": 1}, "extra", "неизвестное поле"),
])
def test_a_bad_subscription_is_a_422_in_russian(api, push_service, body, field, detail):
    if body.get("keys") == "valid":
        body = {**body, "keys": push_service.browser("x").subscription()["keys"]}
    status, problem = api.as_(resident("push-bad", "gp-satka")).call("PUT", "/v1/me/push/subscription", body)
    assert status == 422, problem
    assert problem["detail"].startswith("Запрос содержит ошибк")
    [error] = [e for e in problem["errors"] if e["field"] == field]
    assert detail in error["detail"]


def test_a_resident_without_a_territory_cannot_subscribe(api, push_service):
    from aj74.identity.principal import principal_from_claims

    nowhere = principal_from_claims({"sub": "push-nowhere", "roles": ["resident"]})
    status, problem = api.as_(nowhere).call("PUT", "/v1/me/push/subscription", push_service.browser("n").subscription())
    assert status == 409 and "территория" in problem["detail"]


def test_unsubscribing_removes_this_browser(api, push_service):
    browser, person = push_service.browser("leaving"), resident("push-leaving", "gp-satka")
    subscribe(api, person, browser)
    status, body = api.as_(person).call("DELETE", "/v1/me/push/subscription", {"endpoint": browser.endpoint})
    assert status == 200 and body["subscribed"] is False and body["devices"] == 0
