"""The application stack provisioned from template.yaml in the session's moto server, with the
domain package pointed at it for the tests of this folder (and pointed back afterwards)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from threading import Barrier

import pytest

from infra.local.provision import provision
from tests.support.env import clear_cached_clients, use_stack
from tests.support.polls import persona


@pytest.fixture(scope="session")
def shop_resources(moto_endpoint):
    return provision(moto_endpoint, stack_name="aj74-shop", parameters={
        "OidcIssuer": "http://127.0.0.1:9/dev", "OidcAudience": "aj74-test", "AdminOrigin": "http://127.0.0.1:9",
        "OrderCancelWindowMinutes": "30"})


@pytest.fixture(scope="module", autouse=True)
def shop_stack(shop_resources, moto_endpoint) -> Iterator[object]:
    saved = dict(os.environ)
    use_stack(shop_resources.env_for("ApiFunction"), moto_endpoint)
    try:
        yield shop_resources
    finally:
        os.environ.clear()
        os.environ.update(saved)
        clear_cached_clients()


def item_body(price: int = 100, stock: int = 10, territories: tuple[str, ...] = ("mr-satkinsky",), **overrides) -> dict:
    from aj74.clock import iso, utcnow

    now = utcnow()
    body = {"title": "Билет в Саткинский краеведческий музей", "description": "Один взрослый билет.",
            "partner": "Саткинский краеведческий музей", "price": price, "stock": stock,
            "valid_from": iso(now - timedelta(days=1)), "valid_until": iso(now + timedelta(days=30)),
            "territory_ids": list(territories)}
    body.update(overrides)
    return body


@pytest.fixture
def new_item() -> Callable[..., dict]:
    """A factory of catalogue items created by the IT administrator."""
    from aj74.shop import service

    return lambda **kw: service.create_item(persona("admin"), item_body(**kw))


def grant(account: str, points: int) -> None:
    """Give a resident points the way the product does: a ballot credit per poll."""
    from aj74.points.repository import PointsLedger

    ledger = PointsLedger()
    for i in range(points // 10):
        assert ledger.credit_ballot(account, f"grant-poll-{i:04d}", 10, 1_700_000_000_000 + i)


def concurrently(calls: list[Callable[[], object]]) -> list[object]:
    """Run every call at once (a barrier releases all threads together); results or exceptions."""
    barrier = Barrier(len(calls))

    def run(call):
        barrier.wait()
        try:
            return call()
        except Exception as exc:  # noqa: BLE001 - the outcome under test
            return exc

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))
