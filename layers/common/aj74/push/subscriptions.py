"""The push subscriptions table: a resident's browsers per territory, and who follows which poll.

Items (``PushSubscriptionsTable``, docs/decisions/018-web-push.md):

- subscription: ``pk = territory#<territory_id>#<shard>``, ``sk = sub#<subscription_id>`` with the
  endpoint, the browser's keys (p256dh, auth), the resident and the territory. The id is a hash of
  the endpoint, so one browser is one item; the shard (0–7, from the id) splits a district's
  subscriptions over eight partitions that the fan-out pages in parallel.
- follow: ``pk = poll#<poll_id>``, ``sk = follower#<resident>``. Nothing about a ballot: following
  is independent of voting and says nothing about a choice.

The ``by_resident`` index (keys only) finds one resident's subscriptions and follows.
"""

from __future__ import annotations

import hashlib
import json
import threading
import time
from dataclasses import dataclass

from aj74.clock import iso, utcnow
from aj74.settings import get_settings
from aj74.storage import dynamodb_call

SHARDS = 8
PAGE_SIZE = 100  # subscription keys per fan-out batch (and per BatchGetItem, its limit)
BY_RESIDENT = "by_resident"
_lock = threading.Lock()


@dataclass(frozen=True)
class Subscription:
    pk: str
    sk: str
    endpoint: str
    p256dh: str
    auth: str

    @property
    def key(self) -> tuple[str, str]:
        return self.pk, self.sk

    def info(self) -> dict:
        """What pywebpush takes: the browser's PushSubscription."""
        return {"endpoint": self.endpoint, "keys": {"p256dh": self.p256dh, "auth": self.auth}}


def subscription_id(endpoint: str) -> str:
    return hashlib.sha256(endpoint.encode("utf-8")).hexdigest()[:32]


def territory_partition(territory_id: str, shard: int) -> str:
    return f"territory#{territory_id}#{shard}"


def territory_partitions(territory_id: str) -> list[str]:
    return [territory_partition(territory_id, shard) for shard in range(SHARDS)]


def _shard(sid: str) -> int:
    return int(sid[:4], 16) % SHARDS


def _s(value: str) -> dict:
    return {"S": value}


def encode_cursor(key: dict | None) -> str | None:
    return json.dumps(key, separators=(",", ":")) if key else None


def decode_cursor(cursor: str | None) -> dict | None:
    return json.loads(cursor) if cursor else None


class PushSubscriptions:
    def __init__(self) -> None:
        self.table = get_settings().push_subscriptions_table
        if not self.table:
            raise RuntimeError("PUSH_SUBSCRIPTIONS_TABLE is not configured")

    def _call(self, operation: str, **kwargs) -> dict:
        return dynamodb_call(operation, **kwargs)

    # ------------------------------------------------------------ a resident's own items
    def _own(self, resident: str, sk: str | None = None, prefix: str | None = None) -> list[tuple[str, str]]:
        condition, values = "resident = :r", {":r": _s(resident)}
        if sk:
            condition += " AND sk = :sk"
            values[":sk"] = _s(sk)
        elif prefix:
            condition += " AND begins_with(sk, :p)"
            values[":p"] = _s(prefix)
        keys, start = [], None
        while True:
            kwargs = {"TableName": self.table, "IndexName": BY_RESIDENT, "KeyConditionExpression": condition,
                      "ExpressionAttributeValues": values}
            if start:
                kwargs["ExclusiveStartKey"] = start
            page = self._call("query", **kwargs)
            keys.extend((i["pk"]["S"], i["sk"]["S"]) for i in page.get("Items", []))
            start = page.get("LastEvaluatedKey")
            if not start:
                return keys

    def _delete(self, key: tuple[str, str]) -> None:
        self._call("delete_item", TableName=self.table, Key={"pk": _s(key[0]), "sk": _s(key[1])})

    def subscribe(self, resident: str, territory_id: str, endpoint: str, p256dh: str, auth: str) -> str:
        """Store (or refresh) this browser's subscription under the resident's territory; a copy
        under another territory (the resident moved) is removed. Returns the subscription id."""
        sid = subscription_id(endpoint)
        pk, sk = territory_partition(territory_id, _shard(sid)), f"sub#{sid}"
        self._call("put_item", TableName=self.table, Item={
            "pk": _s(pk), "sk": _s(sk), "resident": _s(resident), "territory_id": _s(territory_id),
            "endpoint": _s(endpoint), "p256dh": _s(p256dh), "auth": _s(auth), "created_at": _s(iso(utcnow()))})
        for key in self._own(resident, sk=sk):
            if key != (pk, sk):
                self._delete(key)
        return sid

    def unsubscribe(self, resident: str, endpoint: str) -> int:
        """Remove this resident's subscription of ``endpoint``; how many items went."""
        keys = self._own(resident, sk=f"sub#{subscription_id(endpoint)}")
        for key in keys:
            self._delete(key)
        return len(keys)

    def is_subscribed(self, resident: str, endpoint: str) -> bool:
        return bool(self._own(resident, sk=f"sub#{subscription_id(endpoint)}"))

    def subscription_count(self, resident: str) -> int:
        return len(self._own(resident, prefix="sub#"))

    def follow(self, resident: str, poll_id: str) -> None:
        # No time on a follow: a follow stored the second a ballot was could link the two by time.
        self._call("put_item", TableName=self.table, Item={
            "pk": _s(f"poll#{poll_id}"), "sk": _s(f"follower#{resident}"), "resident": _s(resident)})

    def unfollow(self, resident: str, poll_id: str) -> None:
        self._delete((f"poll#{poll_id}", f"follower#{resident}"))

    def followed_polls(self, resident: str) -> list[str]:
        return sorted(pk.removeprefix("poll#") for pk, _ in self._own(resident, prefix="follower#"))

    # ------------------------------------------------------------ the fan-out's reads
    def partition_page(self, pk: str, cursor: str | None, limit: int = PAGE_SIZE) -> tuple[list[list[str]], str | None]:
        """Up to ``limit`` subscription keys of one territory shard, and the cursor of the next page."""
        kwargs = {"TableName": self.table, "KeyConditionExpression": "pk = :pk",
                  "ExpressionAttributeValues": {":pk": _s(pk)}, "ProjectionExpression": "pk, sk", "Limit": limit}
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor)
        page = self._call("query", **kwargs)
        keys = [[i["pk"]["S"], i["sk"]["S"]] for i in page.get("Items", [])]
        return keys, encode_cursor(page.get("LastEvaluatedKey"))

    def followers_page(self, poll_id: str, cursor: str | None,
                       limit: int = PAGE_SIZE) -> tuple[list[str], str | None]:
        kwargs = {"TableName": self.table, "KeyConditionExpression": "pk = :pk",
                  "ExpressionAttributeValues": {":pk": _s(f"poll#{poll_id}")}, "ProjectionExpression": "resident",
                  "Limit": limit}
        if cursor:
            kwargs["ExclusiveStartKey"] = decode_cursor(cursor)
        page = self._call("query", **kwargs)
        return [i["resident"]["S"] for i in page.get("Items", [])], encode_cursor(page.get("LastEvaluatedKey"))

    def subscription_keys_of(self, resident: str) -> list[list[str]]:
        return [list(key) for key in self._own(resident, prefix="sub#")]

    def get_many(self, keys: list[list[str]]) -> list[Subscription]:
        """The subscriptions still stored under ``keys`` (at most 100); unprocessed keys are retried."""
        request = {self.table: {"Keys": [{"pk": _s(pk), "sk": _s(sk)} for pk, sk in keys],
                                "ProjectionExpression": "pk, sk, endpoint, p256dh, #auth",
                                "ExpressionAttributeNames": {"#auth": "auth"}}}
        found: list[Subscription] = []
        for attempt in range(6):
            page = self._call("batch_get_item", RequestItems=request)
            found.extend(Subscription(i["pk"]["S"], i["sk"]["S"], i["endpoint"]["S"], i["p256dh"]["S"], i["auth"]["S"])
                         for i in page.get("Responses", {}).get(self.table, []))
            request = page.get("UnprocessedKeys") or {}
            if not request:
                return found
            time.sleep(min(0.05 * 2 ** attempt, 1.0))
        from aj74.errors import Unavailable

        raise Unavailable("Хранилище подписок перегружено.")

    def remove(self, key: tuple[str, str]) -> None:
        """A subscription the push service no longer knows (404/410)."""
        self._delete(key)
