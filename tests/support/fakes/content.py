"""In-memory fakes of the content services' ports (aj74.content.ports).

The content and feed tables are kept as attribute-value items, converted by the adapter's own
functions (``content_item``/``content_from_item``, ``FeedRepository.items_for``/``feed_entry`` of
aj74.content.repository), so what reads back is what the adapter reads back; the conditions of
its writes (version, state, pending feed mark) are written out here.
tests/integration/test_content_ports_contract.py runs the same checks against these fakes and
against the adapters on moto. The fakes open no socket: the unit tier refuses every connection.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import datetime

from aj74.clock import iso
from aj74.content.model import Content, Entry
from aj74.content.ports import ContentPorts
from aj74.content.repository import STALE, FeedRepository, content_from_item, content_item, feed_entry
from aj74.errors import Conflict, NotFound
from aj74.territories import TerritoryTree, packaged
from aj74.workflow import Transition

from tests.support.fakes.audit import FakeAuditLog
from tests.support.fakes.vote import FakeClock


class FakeContentStore:
    """The content table: one item per piece of content, each save conditioned on the version read
    and the state, and raising the version by one."""

    def __init__(self) -> None:
        self.items: dict[str, dict] = {}

    def _put(self, content: Content) -> Content:
        item = content_item(content)
        self.items[content.content_id] = item
        return content_from_item(item)

    def create(self, content: Content) -> Content:
        if content.content_id in self.items:
            raise Conflict("Материал с таким идентификатором уже существует.")
        return self._put(replace(content, version=1))

    def get(self, content_id: str, consistent: bool = True) -> Content:
        try:
            return content_from_item(self.items[content_id])
        except KeyError:
            raise NotFound("Материал не найден.", code="content-not-found") from None

    def save(self, content: Content, expected_version: int, expected_states: frozenset[str],
             edit: dict | None = None) -> Content:
        current = self.get(content.content_id)
        if current.version != expected_version:
            raise Conflict(f"Материал уже изменён другим редактором (текущая версия {current.version}). "
                           "Обновите страницу и внесите правки заново.", code="version-conflict",
                           current_version=current.version)
        if current.state not in expected_states:
            raise Conflict("Материал в этом состоянии не редактируется.", code="not-editable", state=current.state)
        return self._put(replace(current, fields=content.fields, territory_ids=tuple(content.territory_ids),
                                 publish_at=content.publish_at, feed_pending=content.feed_pending,
                                 history=(*current.history, edit) if edit else current.history,
                                 version=current.version + 1))

    def apply(self, content_id: str, transition: Transition, expected_version: int | None = None,
              **fields) -> Content:
        current = self.get(content_id)
        if current.state != transition.from_state or (expected_version and current.version != expected_version):
            raise Conflict(STALE, code="state-changed", state=current.state)
        return self._put(replace(current, state=transition.to_state,
                                 history=(*current.history, transition.as_dict()), version=current.version + 1,
                                 **fields))

    def settle(self, content: Content) -> bool:
        if content.content_id not in self.items:
            return False
        current = self.get(content.content_id)
        if current.state != content.state or current.feed_pending != content.feed_pending:
            return False
        self._put(replace(current, feed_pending=None, version=current.version + 1))
        return True

    def in_state(self, state: str, due_by: datetime | None = None) -> list[Content]:
        """As the GSI ``by-state`` answers: the items of ``state`` by ``due_at``, those due by ``due_by``."""
        found = sorted((i["due_at"]["S"], i["content_id"]["S"]) for i in self.items.values()
                       if i["state"]["S"] == state)
        return [self.get(content_id) for due_at, content_id in found if due_by is None or due_at <= iso(due_by)]

    def due_at(self, content_id: str) -> str:
        """When the scheduler looks at the item next (the index's sort key)."""
        return self.items[content_id]["due_at"]["S"]


class FakeFeed:
    """The feed table: the entries of each territory, written as the adapter writes them (one per
    territory targeted and each one below it in ``tree``)."""

    def __init__(self, tree: TerritoryTree) -> None:
        self.tree = tree
        self.items: dict[tuple[str, str], dict] = {}

    def put(self, content: Content) -> None:
        for item in FeedRepository.items_for(content, self.tree):
            self.items[(item["pk"]["S"], item["sk"]["S"])] = item

    def delete(self, content: Content) -> None:
        for item in FeedRepository.items_for(content, self.tree):
            self.items.pop((item["pk"]["S"], item["sk"]["S"]), None)

    def feed_page(self, territory_id: str, after: str | None, limit: int) -> list[Entry]:
        keys = sorted((sk for pk, sk in self.items if pk == f"feed#{territory_id}" and (not after or sk < after)),
                      reverse=True)
        return [feed_entry(self.items[(f"feed#{territory_id}", sk)]) for sk in keys[:limit]]

    def events(self, territory_id: str, low: str, high: str) -> list[Entry]:
        keys = sorted(sk for pk, sk in self.items if pk == f"events#{territory_id}" and low <= sk <= high)
        return [feed_entry(self.items[(f"events#{territory_id}", sk)]) for sk in keys]

    def territories_of(self, content_id: str) -> set[str]:
        """The territories whose feed holds the item."""
        return {pk.removeprefix("feed#") for (pk, _), item in self.items.items()
                if pk.startswith("feed#") and feed_entry(item).content_id == content_id}


class FakeBulletins:
    """The bulletin topic: keeps what was published, in order."""

    def __init__(self) -> None:
        self.published: list[Content] = []

    def publish(self, content: Content) -> str:
        self.published.append(content)
        return f"fake-bulletin-{len(self.published)}"


@dataclass
class FakeContentWorld:
    """One set of fakes for the content use cases: both tables, the audit log, the bulletin topic,
    the territory tree and the clock."""

    clock: FakeClock = field(default_factory=FakeClock)
    tree: TerritoryTree = field(default_factory=lambda: packaged().tree)
    content: FakeContentStore = field(default_factory=FakeContentStore)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)
    bulletins: FakeBulletins = field(default_factory=FakeBulletins)

    def __post_init__(self) -> None:
        self.feed = FakeFeed(self.tree)

    def ports(self) -> ContentPorts:
        return ContentPorts(content=self.content, feed=self.feed, audit=self.audit, bulletins=self.bulletins,
                            territories=lambda: self.tree, clock=self.clock)


def publish(world: FakeContentWorld, body: dict, moderator: str = "moderator-satka") -> str:
    """Draft, submit, approve (by another member of the Directorate when the author is one) and let
    the scheduler publish, on ``world``'s fakes; the content id. The clock then moves on a second,
    so items published one after another sort in that order."""
    from aj74.content import publishing, service

    from tests.support.polls import persona

    ports = world.ports()
    item = service.create_content(persona(moderator), body, ports=ports)
    service.moderate(persona(moderator), item["id"], "submit", ports=ports)
    approver = persona("approver-2" if moderator == "approver" else "approver")
    service.moderate(approver, item["id"], "approve", ports=ports)
    assert item["id"] in publishing.tick(ports=ports).published
    world.clock.advance(seconds=1)
    return item["id"]


def refused(call) -> tuple[int, str, str]:
    """The HTTP status, code and Russian ``detail`` a client gets when ``call`` is refused."""
    import pytest
    from aj74.api.problems import status_for
    from aj74.errors import DomainError

    with pytest.raises(DomainError) as caught:
        call()
    return status_for(caught.value)[0], caught.value.code, caught.value.detail
