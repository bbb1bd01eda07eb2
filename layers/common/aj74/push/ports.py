"""What the push routes and the fan-out reach outside the process — see
docs/decisions/021-ports-and-adapters.md.

``aj74.push.service`` (the routes: the public key, a resident's subscriptions and follows) receives
a :class:`PushPorts`; ``aj74.push.fanout.Fanout`` (the fan-out function) a :class:`FanoutPorts`.
The adapters (``aj74.push.subscriptions.PushSubscriptions``, ``aj74.push.outbox.PushQueue``,
``aj74.push.delivery.Sender``, ``aj74.push.vapid``, ``aj74.territories``) satisfy the protocols
structurally, and so do the fakes of ``tests/support/fakes/push.py`` (the subscriptions table and
the queue held to the adapters by ``tests/integration/test_registry_media_push_ports_contract.py``;
the sender, an HTTP call to a browser vendor's push service, is tested against a stand-in push
service in tests/integration/test_push.py).

Two sets, not one: the API's import of the service must reach neither the push queue nor the
sender's layer, and the fan-out never reads a poll. The defaults are ``default_ports`` of each
module; this module imports no adapter (infra/permissions.py grants a function what the modules its
handler imports can call).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aj74.identity.principal import Principal
    from aj74.polls.model import Poll
    from aj74.push.delivery import Outcome
    from aj74.push.notifications import Notification
    from aj74.push.subscriptions import Subscription
    from aj74.territories import TerritoryTree


class SubscriptionStore(Protocol):
    """The push subscriptions table (``aj74.push.subscriptions.PushSubscriptions``): browsers by
    territory shard, follows by poll, both found per resident."""

    def subscribe(self, resident: str, territory_id: str, endpoint: str, p256dh: str, auth: str) -> str:
        """Store (or refresh) the browser's subscription under the territory, removing a copy under
        another territory; the subscription id."""
        ...

    def unsubscribe(self, resident: str, endpoint: str) -> int:
        """Remove the resident's subscription of ``endpoint``; how many items went."""
        ...

    def is_subscribed(self, resident: str, endpoint: str) -> bool:
        ...

    def subscription_count(self, resident: str) -> int:
        ...

    def follow(self, resident: str, poll_id: str) -> None:
        ...

    def unfollow(self, resident: str, poll_id: str) -> None:
        ...

    def followed_polls(self, resident: str) -> list[str]:
        """The ids of the polls the resident follows, sorted."""
        ...

    def partition_page(self, pk: str, cursor: str | None, limit: int = ...) -> tuple[list[list[str]], str | None]:
        """Up to ``limit`` subscription keys of one territory shard, and the cursor of the next page."""
        ...

    def followers_page(self, poll_id: str, cursor: str | None, limit: int = ...) -> tuple[list[str], str | None]:
        """Up to ``limit`` followers of the poll, and the cursor of the next page."""
        ...

    def subscription_keys_of(self, resident: str) -> list[list[str]]:
        ...

    def get_many(self, keys: list[list[str]]) -> list[Subscription]:
        """The subscriptions still stored under ``keys`` (at most 100)."""
        ...

    def remove(self, key: tuple[str, str]) -> None:
        """A subscription the push service no longer knows (404/410)."""
        ...


class OutboxQueue(Protocol):
    """The push queue (``aj74.push.outbox.PushQueue``): the fan-out's own follow-up messages."""

    def send(self, message: dict, delay_seconds: int = 0) -> None:
        """One message, delivered after ``delay_seconds`` (at most 900)."""
        ...

    def send_all(self, messages: list[dict]) -> None:
        """Messages in batches of ten; a refused entry raises."""
        ...


class PushSender(Protocol):
    """The HTTP requests to the browsers' push services (``aj74.push.delivery.Sender``)."""

    def send_all(self, subscriptions: list[Subscription], notification: Notification) -> list[Outcome]:
        """One outcome per subscription: sent, gone (404/410), retry (429/5xx/network) or failed."""
        ...


@dataclass(frozen=True)
class PushPorts:
    """What the push routes reach (``aj74.push.service``); the real adapters come from
    ``aj74.push.service.default_ports``."""

    subscriptions: SubscriptionStore
    public_key: Callable[[], str]  # the VAPID key's public half, base64url (the browser's applicationServerKey)
    resident_poll: Callable[[Principal, str], Poll]  # a poll the resident may see; NotFound otherwise


@dataclass(frozen=True)
class FanoutPorts:
    """What the fan-out reaches (``aj74.push.fanout.Fanout``); the real adapters come from
    ``aj74.push.fanout.default_ports``."""

    subscriptions: SubscriptionStore
    queue: OutboxQueue
    sender: PushSender
    territories: Callable[[], TerritoryTree]
    clock: Callable[[], datetime]  # aware UTC
