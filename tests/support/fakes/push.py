"""In-memory fakes of the push ports (aj74.push.ports), for fast service and fan-out tests.

``FakeSubscriptions`` keeps the subscriptions table's items as the adapter stores them (``pk``/``sk``
and the attributes of ``aj74.push.subscriptions``), found per resident as the ``by_resident`` index
finds them; ``FakeOutbox`` keeps what was queued, with its delay; ``FakeSender`` stands for the push
services (201 unless told otherwise, per endpoint). tests/integration/test_registry_media_push_ports_contract.py
runs the same checks on the subscriptions and queue fakes and on their adapters on moto; the sender
is checked against a stand-in push service in tests/integration/test_push.py.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from aj74.clock import iso
from aj74.polls import access
from aj74.push import subscriptions as adapter
from aj74.push.delivery import Outcome, classify
from aj74.push.fanout import Fanout
from aj74.push.notifications import Notification
from aj74.push.ports import FanoutPorts, PushPorts
from aj74.push.subscriptions import PAGE_SIZE, Subscription, subscription_id, territory_partition
from aj74.territories import TerritoryTree, packaged

from tests.support.fakes.vote import FakeClock, FakePolls

PUBLIC_KEY = "BFakeVapidPublicKeyForUnitTestsOnly"


class FakeSubscriptions:
    """The push subscriptions table: items by (pk, sk)."""

    def __init__(self, clock=None) -> None:
        self.items: dict[tuple[str, str], dict] = {}
        self._clock = clock or FakeClock()

    def _own(self, resident: str, sk: str | None = None, prefix: str = "") -> list[tuple[str, str]]:
        return sorted(k for k, i in self.items.items()
                      if i.get("resident") == resident and (k[1] == sk if sk else k[1].startswith(prefix)))

    def subscribe(self, resident: str, territory_id: str, endpoint: str, p256dh: str, auth: str) -> str:
        sid = subscription_id(endpoint)
        pk, sk = territory_partition(territory_id, adapter._shard(sid)), f"sub#{sid}"
        self.items[(pk, sk)] = {"pk": pk, "sk": sk, "resident": resident, "territory_id": territory_id,
                                "endpoint": endpoint, "p256dh": p256dh, "auth": auth,
                                "created_at": iso(self._clock())}
        for key in self._own(resident, sk=sk):
            if key != (pk, sk):
                del self.items[key]
        return sid

    def unsubscribe(self, resident: str, endpoint: str) -> int:
        keys = self._own(resident, sk=f"sub#{subscription_id(endpoint)}")
        for key in keys:
            del self.items[key]
        return len(keys)

    def is_subscribed(self, resident: str, endpoint: str) -> bool:
        return bool(self._own(resident, sk=f"sub#{subscription_id(endpoint)}"))

    def subscription_count(self, resident: str) -> int:
        return len(self._own(resident, prefix="sub#"))

    def follow(self, resident: str, poll_id: str) -> None:
        pk, sk = f"poll#{poll_id}", f"follower#{resident}"
        self.items[(pk, sk)] = {"pk": pk, "sk": sk, "resident": resident}

    def unfollow(self, resident: str, poll_id: str) -> None:
        self.items.pop((f"poll#{poll_id}", f"follower#{resident}"), None)

    def followed_polls(self, resident: str) -> list[str]:
        return sorted(pk.removeprefix("poll#") for pk, _ in self._own(resident, prefix="follower#"))

    def _page(self, pk: str, cursor: str | None, limit: int) -> tuple[list[dict], str | None]:
        """A query on ``pk`` in sort-key order, ``limit`` items from after the cursor's key."""
        after = adapter.decode_cursor(cursor)
        items = [self.items[k] for k in sorted(self.items) if k[0] == pk
                 and (after is None or k[1] > after["sk"]["S"])]
        page = items[:limit]
        last = page[-1] if len(page) == limit else None  # DynamoDB stops at the limit, more or not
        return page, adapter.encode_cursor({"pk": {"S": last["pk"]}, "sk": {"S": last["sk"]}} if last else None)

    def partition_page(self, pk: str, cursor: str | None, limit: int = PAGE_SIZE) -> tuple[list[list[str]], str | None]:
        page, cursor = self._page(pk, cursor, limit)
        return [[i["pk"], i["sk"]] for i in page], cursor

    def followers_page(self, poll_id: str, cursor: str | None,
                       limit: int = PAGE_SIZE) -> tuple[list[str], str | None]:
        page, cursor = self._page(f"poll#{poll_id}", cursor, limit)
        return [i["resident"] for i in page], cursor

    def subscription_keys_of(self, resident: str) -> list[list[str]]:
        return [list(key) for key in self._own(resident, prefix="sub#")]

    def get_many(self, keys: list[list[str]]) -> list[Subscription]:
        found = (self.items.get((pk, sk)) for pk, sk in keys)
        return [Subscription(i["pk"], i["sk"], i["endpoint"], i["p256dh"], i["auth"]) for i in found if i]

    def remove(self, key: tuple[str, str]) -> None:
        self.items.pop(tuple(key), None)

    def endpoints(self) -> set[str]:
        """Every stored subscription's endpoint (the test's view of the table)."""
        return {i["endpoint"] for i in self.items.values() if "endpoint" in i}


class FakeOutbox:
    """The push queue: what was sent, in order, each with its delay."""

    def __init__(self) -> None:
        self.pending: list[tuple[dict, int]] = []

    def send(self, message: dict, delay_seconds: int = 0) -> None:
        json.dumps(message)  # the adapter sends JSON: a message that is not refuses here too
        self.pending.append((message, max(0, min(900, int(delay_seconds)))))

    def send_all(self, messages: list[dict]) -> None:
        for message in messages:
            self.send(message)

    def take(self) -> tuple[dict, int] | None:
        return self.pending.pop(0) if self.pending else None


@dataclass
class Pushed:
    endpoint: str
    notification: Notification
    status: int


class FakeSender:
    """The browsers' push services: 201 for every endpoint unless ``answer`` says otherwise (a list
    of answers is used up one request at a time, the last one then stays)."""

    def __init__(self) -> None:
        self.answers: dict[str, list[tuple[int, int | None]]] = {}
        self.pushed: list[Pushed] = []

    def answer(self, endpoint: str, *answers: int | tuple[int, int | None]) -> None:
        self.answers[endpoint] = [a if isinstance(a, tuple) else (a, None) for a in answers]

    def send_all(self, subscriptions: list[Subscription], notification: Notification) -> list[Outcome]:
        outcomes = []
        for s in subscriptions:
            queue = self.answers.get(s.endpoint) or [(201, None)]
            status, retry_after = queue.pop(0) if len(queue) > 1 else queue[0]
            self.pushed.append(Pushed(s.endpoint, notification, status))
            outcomes.append(Outcome(s.key, classify(status), status, retry_after))
        return outcomes

    def to(self, endpoint: str) -> list[Notification]:
        """What reached ``endpoint`` (any answer: the request was made)."""
        return [p.notification for p in self.pushed if p.endpoint == endpoint]


@dataclass
class FakePushWorld:
    """The subscriptions table, the push queue, the push services, the polls residents follow, the
    packaged territory tree and a clock that stands still; the API and the fan-out share them."""

    clock: FakeClock = field(default_factory=FakeClock)
    polls: FakePolls = field(default_factory=FakePolls)
    queue: FakeOutbox = field(default_factory=FakeOutbox)
    sender: FakeSender = field(default_factory=FakeSender)
    tree: TerritoryTree = field(default_factory=lambda: packaged().tree)
    subscriptions: FakeSubscriptions = None  # type: ignore[assignment]

    def __post_init__(self) -> None:
        if self.subscriptions is None:
            self.subscriptions = FakeSubscriptions(self.clock)

    def ports(self) -> PushPorts:
        return PushPorts(subscriptions=self.subscriptions, public_key=lambda: PUBLIC_KEY,
                         resident_poll=lambda actor, poll_id: access.resident_poll(
                             actor, poll_id, polls=self.polls, territories=lambda: self.tree))

    def fanout_ports(self) -> FanoutPorts:
        return FanoutPorts(subscriptions=self.subscriptions, queue=self.queue, sender=self.sender,
                           territories=lambda: self.tree, clock=self.clock)

    def publish(self, message: dict) -> None:
        """A message arriving on the push queue (a bulletin from BulletinTopic, a poll event)."""
        self.queue.send(message)

    def run(self, steps: int = 1000) -> list[int]:
        """The fan-out function draining the queue, a delayed message as soon as it is due (the clock
        moves on by the delay); the delays met, in order."""
        fanout, delays = Fanout(self.fanout_ports()), []
        for _ in range(steps):
            taken = self.queue.take()
            if taken is None:
                return delays
            message, delay = taken
            if delay:
                delays.append(delay)
                self.clock.advance(seconds=delay)
            fanout.handle(json.dumps(message, ensure_ascii=False))
        raise AssertionError("the fan-out did not drain its queue")
