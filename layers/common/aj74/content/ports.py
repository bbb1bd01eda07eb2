"""What the content services need from the outside world — see docs/decisions/021-ports-and-adapters.md.

Drafting, moderation and the residents' reads (``aj74.content.service``) and the fan-out and the
scheduler's content step (``aj74.content.publishing``) reach the content table, the feed table,
the audit log, the bulletin topic, the territory tree and the clock only through a
:class:`ContentPorts`. Each port is a ``typing.Protocol`` holding exactly the calls those modules
make; the adapters (``content/repository.py``, ``content/notifications.py``, ``audit/repository.py``,
``aj74.territories``) satisfy them structurally, and so do the in-memory fakes of
``tests/support/fakes/content.py`` (held to the adapters by
``tests/integration/test_content_ports_contract.py``).

The routes and the scheduler pass no ports: ``default_ports()`` of ``publishing`` (which
``service.default_ports`` returns) builds the real adapters. The default lives there, not here:
infra/permissions.py grants a function what the modules its handler imports can call, so this
module imports no adapter.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aj74.audit.ports import AuditTrail
    from aj74.content.model import Content, Entry
    from aj74.territories import TerritoryTree
    from aj74.workflow import Transition


class ContentStore(Protocol):
    """The content table (``aj74.content.repository.ContentRepository``): one item per piece of
    content, every change conditioned on its version and state; each save raises the version by one."""

    def create(self, content: Content) -> Content:
        """Store a new item at version 1; Conflict when the id is taken."""
        ...

    def get(self, content_id: str, consistent: bool = True) -> Content:
        """The item; NotFound ``content-not-found`` when there is none."""
        ...

    def save(self, content: Content, expected_version: int, expected_states: frozenset[str],
             edit: dict | None = None) -> Content:
        """Store edited fields, territories, ``publish_at`` and the pending feed sync (``edit``
        appended to the history). Conflict ``version-conflict`` (with ``current_version``) when
        the stored version is not ``expected_version``; ``not-editable`` when the state is not one
        of ``expected_states``."""
        ...

    def apply(self, content_id: str, transition: Transition, expected_version: int | None = None,
              **fields) -> Content:
        """Store a workflow transition (appended to the history) and extra fields; Conflict
        ``state-changed`` when the item left ``transition.from_state`` or (with
        ``expected_version``) was saved since."""
        ...

    def settle(self, content: Content) -> bool:
        """Clear the pending feed sync if the item still has ``content``'s state and mark; False
        when it moved on (or is gone)."""
        ...

    def in_state(self, state: str, due_by: datetime | None = None) -> list[Content]:
        """Every item in ``state``; with ``due_by``, only those the scheduler must look at by then."""
        ...


class FeedStore(Protocol):
    """The feed table (``aj74.content.repository.FeedRepository``): per-territory feed and calendar
    entries of published items, stored under each targeted territory and every one below it."""

    def put(self, content: Content) -> None:
        """Write every entry the item owns (idempotent)."""
        ...

    def delete(self, content: Content) -> None:
        """Delete every entry the item owns (idempotent)."""
        ...

    def feed_page(self, territory_id: str, after: str | None, limit: int) -> list[Entry]:
        """Up to ``limit`` feed entries of one territory below the sort key ``after``, pinned
        bulletins first, then newest first."""
        ...

    def events(self, territory_id: str, low: str, high: str) -> list[Entry]:
        """Calendar entries of one territory with sort keys within [low, high], earliest first."""
        ...


class Bulletins(Protocol):
    """The bulletin topic (``aj74.content.notifications.BulletinTopic``): the fan-out point of
    push notifications and SMS gateways."""

    def publish(self, content: Content) -> str:
        """Announce a published bulletin; the message id. Unavailable when the topic refuses."""
        ...


@dataclass(frozen=True)
class ContentPorts:
    """What the content services reach; the real adapters come from
    ``aj74.content.service.default_ports`` (``aj74.content.publishing.default_ports``)."""

    content: ContentStore
    feed: FeedStore
    audit: AuditTrail
    bulletins: Bulletins
    territories: Callable[[], TerritoryTree]
    clock: Callable[[], datetime]  # aware UTC
