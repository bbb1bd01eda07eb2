"""What the points services need from the outside world — see docs/decisions/021-ports-and-adapters.md.

Settlement (``aj74.points.settlement``) and the points use cases (``aj74.points.service``) reach
storage, the ballot-key secret, the territory tree and the clock only through a
:class:`SettlementPorts` or a :class:`PointsPorts`. Each port is a ``typing.Protocol`` holding exactly
the calls those modules make; the adapters (``points/repository.py``, ``ballots/repository.py``, the
cached final polls of ``points/settlement.py``, ``aj74.keystore``, ``aj74.audit.repository``) satisfy
them structurally, and so do the fakes of ``tests/support/fakes/shop.py`` (held to the adapters by
``tests/integration/test_shop_ports_contract.py``).

The routes pass no ports: ``default_ports()`` of ``settlement`` and of ``service`` build the real
adapters. This module imports no adapter: infra/permissions.py grants a function what the modules
its handler imports can call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from aj74.audit.ports import AuditTrail
    from aj74.points.repository import Snapshot
    from aj74.polls.model import Poll
    from aj74.territories import TerritoryTree


class PointsStore(Protocol):
    """The points ledger (``aj74.points.repository.PointsLedger``): entries per account, the balance
    their sum, and a state version that serialises everything that lowers it."""

    def credited_polls(self, account: str) -> set[str]:
        """The polls for which ``account`` holds a participation credit."""
        ...

    def credit_ballot(self, account: str, poll_id: str, points: int, at_ms: int) -> bool:
        """Write the participation credit of ``poll_id`` once: False (and nothing written) when it
        is already there."""
        ...

    def entries(self, account: str) -> list[dict]:
        """Every entry of ``account`` (``entry``, ``kind``, ``points``, ``at``, ``ref``, ``note``)."""
        ...

    def snapshot(self, account: str) -> Snapshot:
        """The state version, then the entries read after it."""
        ...

    def adjust(self, account: str, adjustment_id: str, change: int, reason: str, at_ms: int,
               version: int, actor: str) -> None:
        """Write an adjustment if the state is still at ``version`` (raises ``Cancelled``: item 0
        when the version moved, item 1 when the adjustment id is already written)."""
        ...


class BallotHolders(Protocol):
    """The ballot ledger as settlement reads it (``aj74.ballots.repository.BallotLedger``)."""

    def holders(self, keys: list[tuple[str, str]]) -> set[str]:
        """Of ``(poll_id, ballot_key)`` pairs, the polls whose ledger holds that key. A ballot key
        is derived from the poll id, so no key comes with two polls (the adapter relies on it)."""
        ...


@dataclass(frozen=True)
class SettlementPorts:
    """What crediting participation reaches (``aj74.points.settlement``); the real adapters come from
    ``aj74.points.settlement.default_ports``."""

    ledger: PointsStore
    final_polls: Callable[[], list[Poll]]  # every final poll (the adapter caches them for 30 s)
    ballots: BallotHolders
    territories: Callable[[], TerritoryTree]
    key_secret: Callable[[], bytes]  # the ballot-key secret (the API's alone)
    clock: Callable[[], datetime]  # aware UTC


@dataclass(frozen=True)
class PointsPorts(SettlementPorts):
    """What the points use cases reach (``aj74.points.service``): settlement's ports (a resident's
    points are settled before they are read) and the audit log of adjustments. The real adapters
    come from ``aj74.points.service.default_ports``."""

    audit: AuditTrail
