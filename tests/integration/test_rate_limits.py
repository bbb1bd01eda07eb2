"""Per-caller rate limits against the RateLimits table of template.yaml in moto over HTTP: the
happy path writes nothing, repeat requests are counted in the shared table so that the limit holds
across Lambda instances, and the answer past it is a 429 problem with Retry-After."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator

import pytest
from chalice.test import Client

from infra.local.provision import aws_client, provision
from tests.support.env import clear_cached_clients, use_stack

WINDOW_START = 1_800_000_000 - 1_800_000_000 % 60  # a minute boundary


@pytest.fixture(scope="module")
def limits_stack(moto_endpoint) -> Iterator[object]:
    resources = provision(moto_endpoint, stack_name="aj74-limits", parameters={
        "OidcIssuer": "http://127.0.0.1:9/dev", "OidcAudience": "aj74-test", "AdminOrigin": "http://127.0.0.1:9",
        "RateLimits": "ballots=3,orders=2,dev-token=4"})
    saved = dict(os.environ)
    use_stack(resources.env_for("ApiFunction"), moto_endpoint)
    try:
        yield resources
    finally:
        os.environ.clear()
        os.environ.update(saved)
        clear_cached_clients()


@pytest.fixture(autouse=True)
def fresh_instance(limits_stack):
    from aj74 import ratelimit

    ratelimit.reset_local()
    yield
    ratelimit.reset_local()


def counters(moto_endpoint) -> list[dict]:
    from aj74.settings import get_settings

    return aws_client("dynamodb", moto_endpoint).scan(TableName=get_settings().rate_limits_table)["Items"]


def test_one_request_a_minute_writes_nothing(moto_endpoint):
    from aj74 import ratelimit

    # Given residents who each cast one ballot in a minute (the 10,000/s spike is made of these)
    for i in range(20):
        ratelimit.check("ballots", f"sub:quiet-{i}", now=WINDOW_START + 1)

    # Then the limiter wrote no counter at all
    assert [c for c in counters(moto_endpoint) if "quiet" in json.dumps(c)] == []
    assert not [c for c in counters(moto_endpoint) if c["key"]["S"].startswith("ballots#")
                and c["key"]["S"].endswith(f"#{WINDOW_START // 60}")]


def test_the_limit_holds_across_instances(moto_endpoint):
    from aj74 import ratelimit
    from aj74.errors import RateLimited

    now = WINDOW_START + 100 * 60 + 10
    # Given a resident whose requests land on instance A: one free, then counted in the table
    ratelimit.check("ballots", "sub:busy", now=now)
    ratelimit.check("ballots", "sub:busy", now=now)
    ratelimit.check("ballots", "sub:busy", now=now)

    # When the next lands on a fresh instance B (its memory knows nothing), and then another on B
    ratelimit.reset_local()
    ratelimit.check("ballots", "sub:busy", now=now)  # B's first: free
    with pytest.raises(RateLimited) as caught:
        ratelimit.check("ballots", "sub:busy", now=now)  # B's second: the shared counter is full

    # Then the shared counter refused it, with the seconds left in the window
    assert caught.value.retry_after == 50
    key = ratelimit.counter_key("ballots", "sub:busy", int(now // 60))
    item = next(c for c in counters(moto_endpoint) if c["key"]["S"] == key)
    assert item["n"]["N"] == "2" and int(item["expires_at"]["N"]) > now
    assert "busy" not in key  # the table holds a hash, never the subject


def test_a_new_window_starts_afresh(moto_endpoint):
    from aj74 import ratelimit
    from aj74.errors import RateLimited

    now = WINDOW_START + 200 * 60
    ratelimit.check("orders", "sub:shopper", now=now)
    ratelimit.check("orders", "sub:shopper", now=now)
    with pytest.raises(RateLimited):  # orders: two a minute here
        ratelimit.check("orders", "sub:shopper", now=now)
    ratelimit.check("orders", "sub:shopper", now=now + 60)


def test_an_unreachable_counter_table_lets_requests_through(monkeypatch):
    from aj74 import ratelimit, storage

    class Broken:
        def update_item(self, **kwargs):
            raise ConnectionError("table down")

    monkeypatch.setattr(storage, "dynamodb_client", lambda: Broken())
    now = WINDOW_START + 300 * 60
    ratelimit.check("ballots", "sub:unlucky", now=now)
    ratelimit.check("ballots", "sub:unlucky", now=now)  # would be counted; the table is down: allowed


def test_dev_token_past_its_limit_is_a_429_problem_with_retry_after(limits_stack):
    import app as module

    # Given one client asking the development provider for tokens (limit 4 a minute here)
    with Client(module.app) as client:
        answers = [client.http.post("/dev/token", headers={"Content-Type": "application/json"},
                                    body=json.dumps({"persona": "resident-satka"}).encode()) for _ in range(5)]

    # Then four are served and the fifth is refused with a Russian problem and Retry-After
    assert [a.status_code for a in answers] == [200, 200, 200, 200, 429]
    refused = answers[-1]
    assert refused.headers["Content-Type"] == "application/problem+json"
    assert 1 <= int(refused.headers["Retry-After"]) <= 60
    body = json.loads(refused.body)
    assert body["code"] == "rate-limited" and body["detail"].startswith("Слишком много запросов токена.")
