"""Web Push rules without AWS: which endpoints a subscription may name, the notification texts and
their size, the VAPID key's derivation from the secret, and how push-service answers are read."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from aj74.push import delivery, notifications, schemas
from aj74.push.delivery import Signer
from aj74.push.vapid import P256_ORDER, public_key_of, signing_key_from
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

SEED = "Zq4b" * 16


@pytest.fixture
def production(monkeypatch):
    monkeypatch.setattr(schemas, "get_settings", lambda: SimpleNamespace(is_local=False))


@pytest.mark.parametrize("endpoint", [
    "https://fcm.googleapis.com/fcm/send/abc:def",
    "https://updates.push.services.mozilla.com/wpush/v2/gAAAA",
    "https://web.push.apple.com/QGx1",
    "https://wns2-par02p.notify.windows.com/w/?token=x",
])
def test_the_browsers_push_services_are_accepted_in_production(production, endpoint):
    assert schemas.check_endpoint(endpoint) == endpoint


@pytest.mark.parametrize(("endpoint", "reason"), [
    ("http://fcm.googleapis.com/fcm/send/x", "https://"),
    ("http://127.0.0.1:8123/push/x", "https://"),
    ("https://127.0.0.1/push/x", "службе push-уведомлений"),
    ("https://evil.example.com/fcm.googleapis.com", "службе push-уведомлений"),
    ("https://fcm.googleapis.com.evil.example/x", "службе push-уведомлений"),
    ("https://fcm.googleapis.com:8443/x", "службе push-уведомлений"),
    ("https://user:pw@fcm.googleapis.com/x", "неверный адрес"),
])
def test_other_endpoints_are_refused_in_production(production, endpoint, reason):
    with pytest.raises(ValueError, match=reason):
        schemas.check_endpoint(endpoint)


def test_the_local_stage_also_accepts_the_loopback_stand_in():
    assert schemas.check_endpoint("http://127.0.0.1:8123/push/x") == "http://127.0.0.1:8123/push/x"
    with pytest.raises(ValueError):
        schemas.check_endpoint("http://localhost:8123/push/x")


def test_a_bulletin_notification_is_russian_small_and_opens_the_feed():
    now = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    n = notifications.bulletin({"id": "01JB", "title": "Метель", "severity": "danger", "excerpt": "Ветер " * 500,
                                "expires_at": (now + timedelta(hours=2)).isoformat()}, now)
    payload = json.loads(n.payload())
    assert payload["title"] == "МЧС: Метель" and payload["url"] == "/#/feed" and payload["tag"] == "bulletin-01JB"
    assert payload["body"].startswith("Опасность. Ветер") and payload["body"].endswith("…")
    assert len(n.payload()) < 4096 - 103  # room for RFC 8291's header, padding delimiter and tag
    assert (n.urgency, n.ttl) == ("high", 7200)


def test_an_expired_bulletin_is_kept_at_most_a_minute_and_a_poll_notification_opens_the_poll():
    now = datetime(2026, 12, 6, 10, 0, tzinfo=UTC)
    assert notifications.bulletin({"id": "x", "title": "t", "expires_at": "2026-12-06T09:00:00+00:00"}, now).ttl == 60
    n = notifications.poll_final("01JPOLL", "Благоустройство сквера")
    assert json.loads(n.payload()) == {"title": "Итоги опроса", "body": "Благоустройство сквера",
                                       "url": "/#/polls/01JPOLL", "tag": "poll-01JPOLL-result"}


def test_the_vapid_key_is_derived_from_the_secret_and_stable():
    key = signing_key_from(SEED)
    assert 1 <= key.private_numbers().private_value < P256_ORDER
    assert public_key_of(key) == public_key_of(signing_key_from(SEED)) != public_key_of(signing_key_from(SEED[::-1]))
    assert len(public_key_of(key)) == 87  # 65 bytes, base64url without padding


def test_a_pem_secret_is_used_as_it_is():
    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    assert public_key_of(signing_key_from(pem)) == public_key_of(key)
    with pytest.raises(Exception, match="shorter"):
        signing_key_from("short")


def test_a_vapid_token_is_signed_once_an_hour_per_push_service():
    clock = [1_000_000.0]
    signer = Signer(signing_key_from(SEED), "https://aj74.ru", clock=lambda: clock[0])
    first = signer.headers("https://fcm.googleapis.com/fcm/send/a")
    assert signer.headers("https://fcm.googleapis.com/fcm/send/b") == first
    assert signer.headers("https://web.push.apple.com/x") != first
    clock[0] += 3601
    assert signer.headers("https://fcm.googleapis.com/fcm/send/a") != first


@pytest.mark.parametrize(("status", "result"), [
    (201, "sent"), (202, "sent"), (404, "gone"), (410, "gone"), (429, "retry"), (500, "retry"), (503, "retry"),
    (400, "failed"), (403, "failed"), (413, "failed")])
def test_push_service_answers_are_read_as_rfc_8030_says(status, result):
    assert delivery.classify(status) == result


def test_the_topic_header_is_short_base64url():
    topic = delivery.topic("bulletin-01JBENCH0000000000000000000")
    assert len(topic) == 32 and set(topic) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
