"""What the rewards shop's use cases need from the outside world — see docs/decisions/021-ports-and-adapters.md.

``aj74.shop.service`` reaches the catalogue, the orders, the points ledger, the audit log, the
territory tree and the clock only through a :class:`ShopPorts`: the points ports (an order settles
the resident's participation points first, then debits them) plus the catalogue and the orders.
The adapters are ``shop/repository.py`` (whose ``place`` and ``cancel`` are one TransactWriteItems
each, across the points ledger, the catalogue and the orders); the fakes are
``tests/support/fakes/shop.py``, held to them by ``tests/integration/test_shop_ports_contract.py``.

The routes pass no ports: ``aj74.shop.service.default_ports`` builds the real adapters. This module
imports no adapter (infra/permissions.py grants a function what the modules its handler imports can call).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol

from aj74.points.ports import PointsPorts


class CatalogueStore(Protocol):
    """The catalogue (``aj74.shop.repository.Catalogue``), one item per ``item_id``."""

    def get(self, item_id: str) -> dict:
        """The item (consistent read); NotFound ``item-not-found`` when there is none."""
        ...

    def all(self) -> list[dict]:
        """Every item of the catalogue, in no particular order."""
        ...

    def create(self, item: dict) -> None:
        """Store a new item (its id is new)."""
        ...

    def replace(self, item: dict, expected_version: int, seen_stock: int) -> bool:
        """Write an edited item if the stored one is still at ``expected_version`` with
        ``seen_stock`` on hand; False (nothing written) when either moved."""
        ...


class OrderStore(Protocol):
    """The orders (``aj74.shop.repository.Orders``), and the transactions that move points and stock."""

    def get(self, order_id: str) -> dict | None:
        """The order (consistent read), or None."""
        ...

    def for_account(self, account: str, limit: int, cursor: str | None) -> tuple[list[dict], str | None]:
        """A page of ``account``'s orders, newest first, and the cursor of the next page (or None)."""
        ...

    def id_for_code(self, code: str) -> str | None:
        """The order whose redemption code is ``code``, or None."""
        ...

    def place(self, order: dict, account_version: int, at_ms: int) -> None:
        """All or nothing, else ``Cancelled`` naming the items whose condition failed: 0 the
        account's state is still at ``account_version``, 1 the order's debit entry is new, 2 the
        item is active, at the order's price and in stock (its stock goes down by one), 3 the order
        id is new."""
        ...

    def cancel(self, order: dict, now_iso: str, at_ms: int) -> None:
        """All or nothing, else ``Cancelled``: 0 the order is active, the account's and before its
        ``cancel_until`` (it becomes cancelled), 1 the refund entry is new, 2 the item still exists
        (its stock goes up by one)."""
        ...

    def redeem(self, order_id: str, code: str, now_iso: str, by: str) -> bool:
        """Mark the order redeemed if it is active with that code; False (nothing written) otherwise."""
        ...


@dataclass(frozen=True)
class ShopPorts(PointsPorts):
    """What the shop's use cases reach: the points ports (ledger, settlement's reads, territories,
    clock, audit) plus the catalogue and the orders. The real adapters come from
    ``aj74.shop.service.default_ports``."""

    catalogue: CatalogueStore
    orders: OrderStore
