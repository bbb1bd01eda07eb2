"""Read units of a feed page: what ``GET /v1/feed`` costs a resident of Сатка whose three territory
levels (Сатка, Саткинский район, the region) hold ``AJ74_BENCH_FEED_ITEMS`` items (default 10,000)
plus a few active bulletins.

One moto server (a subprocess) holds a stack provisioned from template.yaml; the feed entries are
written as publication writes them (``FeedRepository.items_for``) with BatchWriteItem. Pages are
read through the resident use case; every DynamoDB request of the domain's client is recorded by a
botocore hook and billed by the rules of the DynamoDB developer guide (moto's ConsumedCapacity is a constant): a Query
costs half a unit per started 4 KB of the items it returns (eventually consistent). The minimum
for a page is one Query returning exactly the page's items.
"""

from __future__ import annotations

import os
from datetime import timedelta

from bench.ballots import moto_server, restored_environment
from infra.capacity import item_size, read_units

ITEMS = int(os.environ.get("AJ74_BENCH_FEED_ITEMS", "10000"))
PAGES = 5
TERRITORIES = ("gp-satka", "mr-satkinsky", "chelyabinsk-oblast")
BULLETINS = 3
BODY = ("Администрация района сообщает о плановых работах на сетях водоснабжения. В связи с этим "
        "возможны перебои с подачей воды. Подробности на сайте администрации и по телефону горячей линии. ") * 2


def _contents():
    from aj74.clock import iso, utcnow
    from aj74.content.model import Content, iso_ms
    from aj74.ids import ulid

    now = utcnow()
    for i in range(ITEMS + BULLETINS):
        at = now - timedelta(minutes=ITEMS + BULLETINS - i)
        kind = "bulletin" if i >= ITEMS else "news"
        fields = {"title": f"Новость № {i}: работы на сетях водоснабжения", "body": BODY}
        if kind == "bulletin":
            fields |= {"title": f"Штормовое предупреждение № {i}", "severity": "warning",
                       "expires_at": iso(now + timedelta(days=1))}
        yield Content(content_id=ulid(int(at.timestamp() * 1000)), type=kind, state="published",
                      territory_ids=(TERRITORIES[i % 3],), fields=fields, publish_at=None, created_by="bench",
                      created_at=iso(at), published_at=iso_ms(at))


def _seed(table: str) -> None:
    from aj74.content.repository import FeedRepository
    from aj74.storage import dynamodb_client

    client = dynamodb_client()
    batch = []
    for content in _contents():
        batch.extend({"PutRequest": {"Item": item}} for item in FeedRepository.items_for(content))
        while len(batch) >= 25:
            _write(client, table, batch[:25])
            batch = batch[25:]
    if batch:
        _write(client, table, batch)


def _write(client, table: str, requests: list[dict]) -> None:
    pending = {table: requests}
    while pending:
        pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}


def _measure(limit: int, log) -> list[tuple[int, int, float, float]]:
    """(page, queries, RCU, minimum RCU) for the first PAGES pages of ``limit`` items."""
    from aj74.content import service

    from tests.support.polls import resident

    who = resident("bench-satka", "gp-satka")
    rows, cursor = [], None
    for page_no in range(1, PAGES + 1):
        log.clear()
        page = service.feed(who, limit, cursor)
        queries = [c for c in log if c[0] == "Query"]
        others = [c for c in log if c[0] != "Query"]
        assert not others, f"a feed page made other requests: {[c[0] for c in others]}"
        units = sum(read_units([item_size(i) for i in items], consistent=False)
                    for _, items in queries)
        shown = {i["id"] for i in page["items"]}
        sizes = [item_size(i) for _, items in queries for i in items
                 if _card_id(i) in shown]
        rows.append((page_no, len(queries), units, read_units(sizes, consistent=False)))
        cursor = page["next_cursor"]
    return rows


def _card_id(item: dict) -> str:
    import json

    return json.loads(item["c"]["S"])["id"]


def run() -> list[str]:
    from infra.local.provision import provision
    from tests.support.env import use_stack

    with restored_environment(), moto_server() as endpoint:
        resources = provision(endpoint, stack_name="aj74-bench-feed", parameters={
            "OidcIssuer": "http://127.0.0.1:9/dev", "OidcAudience": "aj74-bench", "AdminOrigin": "http://127.0.0.1:9"})
        use_stack(resources.env_for("ApiFunction"), endpoint)
        _seed(resources.ref("FeedTable"))
        from aj74.storage import dynamodb_client

        log: list[tuple[str, list[dict]]] = []

        def record(parsed, model, **_):
            log.append((model.name, (parsed or {}).get("Items", [])))

        dynamodb_client().meta.events.register("after-call.dynamodb", record, unique_id="bench-feed")
        lines = [f"feed page read units: a Сатка resident, {ITEMS:,} items over {len(TERRITORIES)} territory levels "
                 f"+ {BULLETINS} pinned bulletins (eventually consistent Query, billed per started 4 KB)"]
        for limit in (20, 50):
            for page_no, queries, units, minimum in _measure(limit, log):
                lines.append(f"  limit {limit:>2}, page {page_no}: {queries} queries, {units:4.1f} RCU "
                             f"(minimum for the page {minimum:4.1f}, ratio {units / minimum:4.2f})")
        return lines
