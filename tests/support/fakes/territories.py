"""In-memory fakes of the territory registry's ports (aj74.territories.ports), for fast service tests.

``FakeRegistry`` keeps each territory as the registry table's item (``aj74.territories.repository``'s
attribute-value dicts) and the version the adapter's transaction raises, with the same condition;
``FakePollsByState`` adds the state index to the vote fakes' ``FakePolls``; the ledger is the vote
fakes' ``FakeLedger``, the staff table ``FakeStaff``, the audit log ``FakeAuditLog``.
tests/integration/test_registry_media_push_ports_contract.py runs the same checks on the fakes and on
the adapters on moto.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from aj74.errors import Conflict
from aj74.territories import Registry, Territory, packaged
from aj74.territories.ports import TerritoryPorts
from aj74.territories.repository import _item, _territory

from tests.support.fakes.audit import FakeAuditLog
from tests.support.fakes.staff import FakeStaff
from tests.support.fakes.vote import FakeClock, FakeLedger, FakePolls


class FakeRegistry:
    """The registry table, seeded from the packaged file as the first reader seeds it (version 1)."""

    def __init__(self, editable: bool = True) -> None:
        seed = packaged()
        self.editable = editable
        self._items = {t.id: _item(t) for t in seed.records}
        self._version, self._source = 1, seed.source

    def held(self) -> Registry:
        return Registry.of([_territory(i) for i in self._items.values()], self._version, self._source)

    def stored(self) -> Registry:
        return self.held()

    def save(self, territory: Territory, expected_version: int, new: bool) -> int:
        # The adapter's transaction: put (attribute_not_exists(territory_id) when new) and
        # version = version + 1 on the condition version = :expected; either refusal cancels both.
        if (new and territory.id in self._items) or self._version != expected_version:
            raise Conflict("Реестр территорий только что изменил другой администратор: обновите страницу "
                           "и повторите.", code="registry-changed")
        self._items[territory.id] = _item(territory)
        self._version += 1
        return self._version

    def change_elsewhere(self) -> None:
        """Another administrator's change, as a test's way to race one."""
        self._version += 1


class FakePollsByState(FakePolls):
    """``FakePolls`` with the poll table's state index (latest opening first, paged)."""

    def by_state(self, state: str, *, limit: int | None = None, cursor: dict | None = None):
        polls = sorted((p for p in self._items.values() if p.state == state), key=lambda p: p.opens_at, reverse=True)
        start = (cursor or {}).get("offset", 0)
        end = len(polls) if limit is None else start + limit
        return polls[start:end], ({"offset": end} if limit is not None and end < len(polls) else None)


@dataclass
class FakeTerritoryWorld:
    """The registry, polls, ballots, staff and audit tables, and a clock that stands still."""

    registry: FakeRegistry = field(default_factory=FakeRegistry)
    polls: FakePollsByState = field(default_factory=FakePollsByState)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    staff: FakeStaff = field(default_factory=FakeStaff)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)
    clock: FakeClock = field(default_factory=FakeClock)

    def ports(self) -> TerritoryPorts:
        return TerritoryPorts(registry=self.registry, polls=self.polls, ballots=self.ledger, staff=self.staff,
                              audit=self.audit, clock=self.clock)
