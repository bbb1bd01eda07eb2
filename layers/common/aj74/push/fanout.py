"""The push fan-out, one queue message at a time (``PushFanoutFunction``).

Stages, all on ``PushQueue`` so that many invocations share the work:

1. An event: a bulletin from BulletinTopic (raw SNS delivery: the bulletin's JSON), ``poll_opened``
   (territories) or ``poll_final`` / ``poll_execution`` (followers). A territory event becomes one
   ``page`` chain per shard (eight): chain k walks shard k of each targeted territory and of every
   territory below it, so a district's 100,000 subscriptions are paged by eight chains at once.
2. ``page``: reads its partitions in order, 100 subscription keys a page, and queues a ``deliver``
   message per page (up to ten pages or fifty queries a step, then its own continuation).
   ``followers``: the same for a poll's followers, whose subscriptions the index gives.
3. ``deliver``: reads the 100 subscriptions, sends them concurrently, removes those the push
   service no longer knows (404/410) and queues the retryable ones (429/5xx/network) again with a
   delay, up to MAX_ATTEMPTS.

Delivery is at least once: a step that fails after queueing part of its output is retried whole,
so a browser may receive a notification twice; its ``tag`` makes the device show it once.

What the fan-out reaches (the subscriptions table, the push queue, the sender, the territory tree,
the clock) comes in a ``FanoutPorts`` (``aj74.push.ports``); the function passes none and gets
:func:`default_ports` (docs/decisions/021-ports-and-adapters.md).
"""

from __future__ import annotations

import json
from collections import Counter
from datetime import datetime
from typing import TYPE_CHECKING

from aj74.observability import logger
from aj74.push import notifications
from aj74.push.notifications import Notification
from aj74.push.ports import FanoutPorts
from aj74.push.subscriptions import PAGE_SIZE, SHARDS, territory_partition

if TYPE_CHECKING:
    from aj74.territories import TerritoryTree

PAGES_PER_STEP = 10
QUERIES_PER_STEP = 50  # most partitions are empty (a village's shard): a query each, nothing to send
MAX_ATTEMPTS = 5
BASE_DELAY_SECONDS = 2


class UnknownMessage(ValueError):
    """A message no stage understands: retried, then kept in the DLQ for an operator."""


def _event_notification(message: dict, now: datetime) -> tuple[Notification, list[str] | None, str | None]:
    """(notification, territories to reach or None, poll whose followers to reach or None)."""
    kind = message.get("kind")
    if kind is None and message.get("type") == "bulletin":
        return notifications.bulletin(message, now), list(message.get("territory_ids") or []), None
    if kind == "poll_opened":
        return notifications.poll_opened(message["poll_id"], message["title"]), list(message["territory_ids"]), None
    if kind == "poll_final":
        return notifications.poll_final(message["poll_id"], message["title"]), None, message["poll_id"]
    if kind == "poll_execution":
        return (notifications.poll_execution(message["poll_id"], message["title"], message.get("status_title")),
                None, message["poll_id"])
    raise UnknownMessage(f"unknown push message kind {kind!r}")


class _LazySender:
    """The real sender, built on the first delivery: pywebpush and requests are the push layer's and
    a message that only pages subscriptions never needs them (docs/decisions/020-lambda-layers.md)."""

    def __init__(self) -> None:
        self._sender = None

    def send_all(self, subscriptions, notification):
        if self._sender is None:
            from aj74.push.delivery import Sender

            self._sender = Sender()
        return self._sender.send_all(subscriptions, notification)


def default_ports(**overrides) -> FanoutPorts:
    """The real adapters (the subscriptions table, the push queue, the sender, the territory
    registry, the wall clock), ``overrides`` in their place."""
    from aj74.clock import utcnow
    from aj74.push.outbox import PushQueue
    from aj74.push.subscriptions import PushSubscriptions
    from aj74.territories import territory_tree

    return FanoutPorts(**{"subscriptions": PushSubscriptions(), "queue": PushQueue(), "sender": _LazySender(),
                          "territories": territory_tree, "clock": utcnow, **overrides})


def target_territories(territory_ids: list[str], tree: TerritoryTree) -> list[str]:
    """The targeted territories and every territory below them (a bulletin for a district reaches its
    towns and villages), each once; ids no longer in the tree are skipped."""
    found: dict[str, None] = {}
    for territory_id in territory_ids:
        if territory_id in tree:
            found.update(dict.fromkeys(tree.descendant_ids(territory_id)))
    return list(found)


class Fanout:
    def __init__(self, ports: FanoutPorts | None = None) -> None:
        self.ports = ports or default_ports()
        self.queue = self.ports.queue
        self.store = self.ports.subscriptions
        self.sender = self.ports.sender

    def handle(self, body: str, now: datetime | None = None) -> Counter:
        """Process one queue message; returns counts of what happened (for logs and metrics)."""
        try:
            message = json.loads(body)
        except ValueError:
            raise UnknownMessage("push message is not JSON") from None
        if not isinstance(message, dict):
            raise UnknownMessage("push message is not an object")
        kind = message.get("kind")
        if kind == "deliver":
            return self.deliver(Notification.from_dict(message["n"]), message["keys"], int(message.get("attempt", 0)))
        if kind == "page":
            return self.page(message["n"], message["pks"], message.get("cursor"))
        if kind == "followers":
            return self.followers(message["n"], message["poll_id"], message.get("cursor"))
        notification, territories, poll_id = _event_notification(message, now or self.ports.clock())
        if territories is not None:
            targets = target_territories(territories, self.ports.territories())
            chains = [{"kind": "page", "n": notification.as_dict(), "cursor": None,
                       "pks": [territory_partition(t, shard) for t in targets]} for shard in range(SHARDS)]
            self.queue.send_all([c for c in chains if c["pks"]])
            return Counter(pages=len(chains))
        return self.followers(notification.as_dict(), poll_id, None)

    def page(self, n: dict, pks: list[str], cursor: str | None) -> Counter:
        out: list[dict] = []
        pks = list(pks)
        for _ in range(QUERIES_PER_STEP):
            if not pks or len(out) >= PAGES_PER_STEP:
                break
            keys, cursor = self.store.partition_page(pks[0], cursor)
            if keys:
                out.append({"kind": "deliver", "n": n, "keys": keys, "attempt": 0})
            if not cursor:
                pks.pop(0)
        batches = len(out)
        if pks:
            out.append({"kind": "page", "n": n, "pks": pks, "cursor": cursor})
        self.queue.send_all(out)
        return Counter(batches=batches)

    def followers(self, n: dict, poll_id: str, cursor: str | None) -> Counter:
        keys: list[list[str]] = []
        for _ in range(PAGES_PER_STEP):
            residents, cursor = self.store.followers_page(poll_id, cursor)
            for resident in residents:
                keys.extend(self.store.subscription_keys_of(resident))
            if not cursor:
                break
        out = [{"kind": "deliver", "n": n, "keys": keys[i:i + PAGE_SIZE], "attempt": 0}
               for i in range(0, len(keys), PAGE_SIZE)]
        if cursor:
            out.append({"kind": "followers", "n": n, "poll_id": poll_id, "cursor": cursor})
        self.queue.send_all(out)
        return Counter(batches=len(out) - (1 if cursor else 0))

    def deliver(self, notification: Notification, keys: list[list[str]], attempt: int) -> Counter:
        subscriptions = self.store.get_many(keys)
        outcomes = self.sender.send_all(subscriptions, notification)
        counts = Counter(o.result for o in outcomes)
        for o in outcomes:
            if o.result == "gone":
                self.store.remove(o.key)
        retry = [o for o in outcomes if o.result == "retry"]
        if retry:
            if attempt + 1 < MAX_ATTEMPTS:
                delay = max([BASE_DELAY_SECONDS * 2 ** attempt, *(o.retry_after or 0 for o in retry)])
                self.queue.send({"kind": "deliver", "n": notification.as_dict(), "keys": [list(o.key) for o in retry],
                                 "attempt": attempt + 1}, delay_seconds=delay)
            else:
                counts["dropped"] += len(retry)
        failed = [o.status for o in outcomes if o.result == "failed"]
        if failed or counts["dropped"]:
            # Statuses only: an endpoint is a capability and never reaches a log.
            logger.warning("push deliveries refused or dropped", tag=notification.tag, statuses=sorted(set(failed)),
                           dropped=counts["dropped"], attempt=attempt)
        return counts
