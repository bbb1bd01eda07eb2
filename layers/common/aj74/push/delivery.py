"""Sending one notification to many browsers: RFC 8291 encryption and the HTTP request to each
push service, by pywebpush, with our VAPID signature (:class:`Signer`, the key from aj74.push.vapid).
The sender's path only: pywebpush and py_vapid are in the push layer (docs/decisions/020).

A push service answers 201 (accepted), 404/410 (the subscription is gone: remove it), 429 or 5xx
(retry later), or another 4xx (our request is wrong: retrying will not help). Endpoints are
capabilities and are never logged; outcomes carry the subscription's table key instead.
"""

from __future__ import annotations

import base64
import hashlib
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

from aj74.push.notifications import Notification
from aj74.push.subscriptions import Subscription
from aj74.push.vapid import signing_key, subject

SENT, GONE, RETRY, FAILED = "sent", "gone", "retry", "failed"
WORKERS = 16  # concurrent requests per invocation: the sender waits on the network, not the CPU
TIMEOUT_SECONDS = 10
# A signed VAPID token is valid for 12 hours and reused for an audience for up to 1 hour: signing is
# an ECDSA signature, cheap, but not free at 100,000 pushes.
TOKEN_LIFETIME_SECONDS = 12 * 3600
TOKEN_REUSE_SECONDS = 3600


@dataclass(frozen=True)
class Outcome:
    key: tuple[str, str]
    result: str
    status: int | None = None
    retry_after: int | None = None


def topic(tag: str) -> str:
    """RFC 8030 ``Topic`` (≤ 32 base64url characters): a newer message with the same topic replaces
    one the push service still holds for an offline browser."""
    return base64.urlsafe_b64encode(hashlib.sha256(tag.encode("utf-8")).digest()).decode("ascii")[:32]


def classify(status: int) -> str:
    if 200 <= status < 300:
        return SENT
    if status in (404, 410):
        return GONE
    if status == 429 or status >= 500:
        return RETRY
    return FAILED


def _retry_after(value: str | None) -> int | None:
    if value and value.strip().isdigit():
        return int(value.strip())
    return None


class Signer:
    """VAPID ``Authorization`` headers per push-service origin, re-signed every hour."""

    def __init__(self, key=None, sub: str | None = None, clock=time.time) -> None:
        self._key = key
        self._sub = sub
        self._clock = clock
        self._tokens: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def headers(self, endpoint: str) -> dict[str, str]:
        parts = urlsplit(endpoint)
        audience = f"{parts.scheme}://{parts.netloc}"
        now = self._clock()
        with self._lock:
            cached = self._tokens.get(audience)
            if cached is None or now - cached[0] > TOKEN_REUSE_SECONDS:
                cached = (now, self._sign(audience, int(now)))
                self._tokens[audience] = cached
        return {"Authorization": cached[1]}

    def _sign(self, audience: str, now: int) -> str:
        from py_vapid import Vapid02

        vapid = Vapid02(private_key=self._key or signing_key())
        claims = {"aud": audience, "exp": now + TOKEN_LIFETIME_SECONDS, "sub": self._sub or subject()}
        return vapid.sign(claims)["Authorization"]


class Sender:
    def __init__(self, signer: Signer | None = None, workers: int = WORKERS, timeout: float = TIMEOUT_SECONDS) -> None:
        import requests
        from requests.adapters import HTTPAdapter

        self.signer = signer or Signer()
        self.workers = workers
        self.timeout = timeout
        self.session = requests.Session()
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=workers, max_retries=0)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)

    def send(self, subscription: Subscription, notification: Notification) -> Outcome:
        import requests
        from pywebpush import WebPusher

        headers = {**self.signer.headers(subscription.endpoint), "Urgency": notification.urgency,
                   "Topic": topic(notification.tag)}
        try:
            response = WebPusher(subscription.info(), requests_session=self.session).send(
                notification.payload(), headers, ttl=notification.ttl, timeout=self.timeout)
        except requests.RequestException:
            return Outcome(subscription.key, RETRY)
        return Outcome(subscription.key, classify(response.status_code), response.status_code,
                       _retry_after(response.headers.get("Retry-After")))

    def send_all(self, subscriptions: list[Subscription], notification: Notification) -> list[Outcome]:
        if len(subscriptions) <= 1:
            return [self.send(s, notification) for s in subscriptions]
        with ThreadPoolExecutor(max_workers=min(self.workers, len(subscriptions))) as pool:
            return list(pool.map(lambda s: self.send(s, notification), subscriptions))
