"""An order's Location names a real route: GET /v1/me/orders/{order_id}, the resident's own only."""

from __future__ import annotations

import uuid

import pytest
from aj74.errors import NotFound
from aj74.shop import service

from tests.integration.shop.conftest import grant
from tests.support.polls import resident


def test_a_resident_reads_their_order_and_another_resident_gets_404(new_item):
    item = new_item(price=10)
    buyer, other = resident(f"buyer-{uuid.uuid4()}"), resident(f"other-{uuid.uuid4()}")
    grant(buyer.subject, 10)
    order, created = service.place_order(buyer, {"item_id": item["id"]}, f"key-{uuid.uuid4()}")

    mine = service.my_order(buyer, order["id"])

    assert created and mine == order and mine["status_title"] == "оформлен"
    with pytest.raises(NotFound):
        service.my_order(other, order["id"])
    with pytest.raises(NotFound):
        service.my_order(buyer, "A" * 26)
