"""The push routes and the fan-out on fakes (tests/support/fakes/push.py): the real service and
fan-out stages, with in-memory stand-ins only at the ports (aj74.push.ports): the subscriptions
table, the push queue, the browsers' push services, the territory tree and the clock."""

from __future__ import annotations

import base64
from datetime import timedelta

import pytest
from aj74.api.problems import status_for
from aj74.errors import DomainError
from aj74.push import service
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from tests.support.fakes.push import PUBLIC_KEY, FakePushWorld
from tests.support.fakes.vote import a_poll
from tests.support.polls import resident


@pytest.fixture
def world() -> FakePushWorld:
    return FakePushWorld()


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def browser(name: str) -> dict:
    """A browser's PushSubscription.toJSON() at Chrome's push service."""
    point = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return {"endpoint": f"https://fcm.googleapis.com/fcm/send/{name}", "expirationTime": None,
            "keys": {"p256dh": b64url(point), "auth": b64url(name.encode().ljust(16, b"-")[:16])}}


def subscribed(world, who, name: str) -> str:
    body = browser(name)
    service.subscribe(who, body, ports=world.ports())
    return body["endpoint"]


def bulletin(territory_ids: list[str], title: str = "Паводок") -> dict:
    return {"type": "bulletin", "id": f"b-{title}", "title": title, "excerpt": "Уровень воды в Ае растёт.",
            "severity": "warning", "territory_ids": territory_ids}


def test_a_bulletin_for_satka_reaches_satka_only(world):
    # Given browsers in Сатка, in its district (above it) and in Магнитогорск
    satka = subscribed(world, resident("r-satka", "gp-satka"), "satka")
    district = subscribed(world, resident("r-district", "mr-satkinsky"), "district")
    magnitogorsk = subscribed(world, resident("r-magn", "go-magnitogorsk"), "magnitogorsk")

    # When an МЧС bulletin for Сатка goes through the fan-out
    world.publish(bulletin(["gp-satka"]))
    world.run()

    # Then Сатка's browser hears it, urgently, and neither the district's nor Магнитогорск's does
    [heard] = world.sender.to(satka)
    assert (heard.title, heard.urgency, heard.url) == ("МЧС: Паводок", "high", "/#/feed")
    assert world.sender.to(district) == [] and world.sender.to(magnitogorsk) == []


def test_a_bulletin_for_the_district_reaches_its_towns_too(world):
    satka = subscribed(world, resident("r-satka", "gp-satka"), "satka")
    bakal = subscribed(world, resident("r-bakal", "gp-bakal"), "bakal")
    magnitogorsk = subscribed(world, resident("r-magn", "go-magnitogorsk"), "magnitogorsk")

    world.publish(bulletin(["mr-satkinsky"]))
    world.run()

    assert len(world.sender.to(satka)) == len(world.sender.to(bakal)) == 1
    assert world.sender.to(magnitogorsk) == []


def test_a_browser_the_push_service_no_longer_knows_is_removed(world):
    # Given a subscription the push service answers 410 Gone
    who = resident("r-gone", "gp-satka")
    gone = subscribed(world, who, "gone")
    world.sender.answer(gone, 410)

    # When a bulletin is fanned out, and then another
    world.publish(bulletin(["gp-satka"], "Гололёд"))
    world.run()
    world.publish(bulletin(["gp-satka"], "Метель"))
    world.run()

    # Then it was tried once and is gone: the resident's status shows no device
    assert len(world.sender.to(gone)) == 1
    assert service.status(who, gone, ports=world.ports())["subscribed"] is False
    assert world.subscriptions.endpoints() == set()


def test_a_throttled_push_is_queued_again_after_its_retry_after_and_sent(world):
    # Given one browser throttled once (429, Retry-After: 30) and one that answers at once
    throttled = subscribed(world, resident("r-slow", "gp-satka"), "slow")
    fine = subscribed(world, resident("r-fine", "gp-satka"), "fine")
    world.sender.answer(throttled, (429, 30), 201)

    # When a bulletin is fanned out
    world.publish(bulletin(["gp-satka"], "Гололёд"))
    delays = world.run()

    # Then the throttled one is sent again 30 seconds later, the other only once; nothing is removed
    assert delays == [30]
    assert [p.status for p in world.sender.pushed if p.endpoint == throttled] == [429, 201]
    assert len(world.sender.to(fine)) == 1
    assert world.subscriptions.endpoints() == {throttled, fine}


def test_a_push_throttled_every_time_is_dropped_after_five_attempts(world):
    throttled = subscribed(world, resident("r-slow", "gp-satka"), "slow")
    world.sender.answer(throttled, 503)

    world.publish(bulletin(["gp-satka"]))
    delays = world.run()

    assert delays == [2, 4, 8, 16]  # backoff between the five attempts
    assert len(world.sender.to(throttled)) == 5


def test_a_follower_of_a_poll_hears_of_its_result_and_a_bystander_does_not(world):
    # Given a published poll for the Саткинский район, followed by one resident of Сатка
    poll = world.polls.put(a_poll(world.clock.now - timedelta(hours=2), state="final"))
    follower, bystander = resident("r-follower", "gp-satka"), resident("r-bystander", "gp-satka")
    follower_browser = subscribed(world, follower, "follower")
    bystander_browser = subscribed(world, bystander, "bystander")
    assert service.follow(follower, poll.poll_id, ports=world.ports()) == {"poll_id": poll.poll_id, "following": True}

    # When its result is final
    world.publish({"kind": "poll_final", "poll_id": poll.poll_id, "title": poll.title})
    world.run()

    # Then the follower's browser hears of it, the bystander's does not
    [heard] = world.sender.to(follower_browser)
    assert (heard.title, heard.body, heard.url) == ("Итоги опроса", poll.title, f"/#/polls/{poll.poll_id}")
    assert world.sender.to(bystander_browser) == []
    assert service.status(follower, ports=world.ports())["follows"] == [poll.poll_id]


def test_a_poll_the_resident_cannot_see_is_not_followed(world):
    poll = world.polls.put(a_poll(world.clock.now, territory_ids=("go-magnitogorsk",)))
    outsider = resident("r-satka", "gp-satka")

    with pytest.raises(DomainError) as refused:
        service.follow(outsider, poll.poll_id, ports=world.ports())

    assert (status_for(refused.value)[0], refused.value.code) == (404, "poll-not-found")
    assert service.status(outsider, ports=world.ports())["follows"] == []


def test_subscribing_twice_from_one_browser_is_one_device_and_moving_keeps_one(world):
    body = browser("phone")
    service.subscribe(resident("r-moving", "gp-satka"), body, ports=world.ports())
    again = service.subscribe(resident("r-moving", "gp-satka"), body, ports=world.ports())
    moved = service.subscribe(resident("r-moving", "gp-bakal"), body, ports=world.ports())

    assert (again["devices"], again["subscribed"]) == (1, True)
    assert (moved["devices"], moved["territory_id"]) == (1, "gp-bakal")
    assert service.public_key(ports=world.ports()) == {"public_key": PUBLIC_KEY}


@pytest.mark.parametrize(("change", "field", "detail"), [
    ({"endpoint": "ftp://fcm.googleapis.com/x"}, "endpoint", "адрес подписки должен начинаться с https://"),
    ({"endpoint": "https://evil.example.com/push/1"}, "endpoint", "не принадлежит службе push-уведомлений"),
    ({"endpoint": "https://fcm.googleapis.com/fcm/send/" + "x" * 1000}, "endpoint", "максимум 1024 символов"),
    ({"keys": {"p256dh": "A" * 87, "auth": "B" * 22}}, "keys.p256dh", "P-256"),
    ({"keys": {"p256dh": "A" * 87, "auth": "B" * 40}}, "keys.auth", "максимум 32 символов"),
    ({"extra": 1}, "extra", "неизвестное поле"),
], ids=["not-https", "unknown-host", "endpoint-too-long", "bad-key", "auth-too-long", "unknown-field"])
def test_a_bad_subscription_is_a_422_in_russian_and_nothing_is_stored(world, change, field, detail):
    body = {**browser("bad"), **change}

    with pytest.raises(DomainError) as refused:
        service.subscribe(resident("r-bad", "gp-satka"), body, ports=world.ports())

    assert status_for(refused.value)[0] == 422
    assert refused.value.detail.startswith("Запрос содержит ошибк")
    assert any(e["field"] == field and detail in e["detail"] for e in refused.value.errors), refused.value.errors
    assert world.subscriptions.items == {}


def test_a_resident_without_a_territory_cannot_subscribe(world):
    from aj74.identity.principal import principal_from_claims

    nowhere = principal_from_claims({"sub": "r-nowhere", "roles": ["resident"]})
    with pytest.raises(DomainError) as refused:
        service.subscribe(nowhere, browser("n"), ports=world.ports())
    assert (status_for(refused.value)[0], refused.value.code) == (409, "no-territory")
    assert "территория" in refused.value.detail
