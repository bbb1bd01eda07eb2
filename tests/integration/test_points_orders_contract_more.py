"""More of what the fakes of tests/support/fakes/shop.py hold to the adapters they stand for
(aj74.points.repository, aj74.shop.repository), each check on the fake and on the adapter over moto, as in
tests/integration/test_shop_ports_contract.py: what a refund writes, an entry without a ref or a note, the
catalogue's not-found message, and reads that go on past DynamoDB's 1 MB page (the whole catalogue, every
participation credit). Then what the adapters make of a throttled table."""

from __future__ import annotations

from datetime import timedelta

import pytest
from aj74.clock import iso
from aj74.errors import NotFound, Unavailable

from tests.integration.test_shop_ports_contract import NOW, _fake, _real, account, an_item, an_order, at_ms, funded
from tests.support.env import provisioned


@pytest.fixture(scope="module")
def points_orders_stack(moto_endpoint):
    with provisioned(moto_endpoint, "aj74-points-orders-more", "ApiFunction") as env:
        yield env


@pytest.fixture(params=["fake", "adapter"])
def subject(request):
    if request.param == "fake":
        return _fake()
    return _real(request.getfixturevalue("points_orders_stack"), request.getfixturevalue("moto_endpoint"))


def test_a_cancel_writes_the_refund_entry_of_the_order(subject):
    # Given a placed order
    item = an_item(price=30, stock=2)
    subject.catalogue.create(item)
    buyer = funded(subject, 30)
    placed = an_order(buyer, item)
    subject.orders.place(placed, 0, at_ms(NOW))
    later = NOW + timedelta(minutes=5)

    # When it is cancelled
    subject.orders.cancel(placed, iso(later), at_ms(later))

    # Then the resident's ledger holds its refund, named after the order
    assert {"entry": f"refund#order#{placed['order_id']}", "kind": "refund", "points": 30, "at": at_ms(later),
            "ref": placed["order_id"], "note": None} in subject.points.entries(buyer)


def test_an_entry_written_without_a_ref_or_a_note_reads_back_with_neither(subject):
    who = account()

    subject.points.adjust(who, "adj-bare", 5, "", 7_000, 0, "")

    assert subject.points.entries(who) == [{"entry": "adjust#adj-bare", "kind": "adjustment", "points": 5,
                                            "at": 7_000, "ref": None, "note": None}]


def test_an_unknown_item_is_not_found_with_its_message(subject):
    with pytest.raises(NotFound) as caught:
        subject.catalogue.get("01JNOSUCHITEM0000000000000")

    assert (caught.value.code, caught.value.detail) == ("item-not-found", "Поощрение не найдено.")


def test_an_item_is_created_once_and_never_over_an_existing_one(subject):
    # Item ids are fresh ULIDs; the put is still conditioned on a new id, so that no bug or retry
    # with a reused id can silently replace an item (and its stock) that orders were placed against.
    item = an_item()
    subject.catalogue.create(item)

    with pytest.raises(Exception) as caught:
        subject.catalogue.create({**item, "title": "Подменённое поощрение", "stock": 1_000})

    assert "ConditionalCheckFailed" in repr(caught.value) or "exists" in str(caught.value)
    stored = subject.catalogue.get(item["item_id"])
    assert (stored["title"], stored["stock"]) == (item["title"], item["stock"])


def test_the_whole_catalogue_is_read_past_one_scan_page(subject):
    # Given more items than one 1 MB Scan page holds
    created = set()
    for _ in range(400):
        item = {**an_item(), "description": "Один взрослый билет. " * 140}  # about 3 KB each
        subject.catalogue.create(item)
        created.add(item["item_id"])

    # Then the whole catalogue has every one of them
    assert created <= {i["item_id"] for i in subject.catalogue.all()}


def test_every_participation_credit_is_found_past_one_query_page(subject):
    # Given a resident with more credits than one 1 MB Query page holds (long poll ids make them big)
    who = account()
    polls = {f"poll-{i:04d}-" + "p" * 990 for i in range(600)}
    for poll_id in polls:
        assert subject.points.credit_ballot(who, poll_id, 10, 1_000)

    # Then settlement sees every one of them as credited, and the balance counts every one
    assert subject.points.credited_polls(who) == polls
    assert len(subject.points.entries(who)) == 600 and subject.points.balance(who) == 6_000


# ------------------------------------------------------------------ a throttled table (the adapter alone)


class Throttled:
    def __getattr__(self, name):
        from botocore.exceptions import ClientError

        def call(**_):
            raise ClientError({"Error": {"Code": "ProvisionedThroughputExceededException", "Message": "slow down"}},
                              name)

        return call


@pytest.mark.parametrize("read", ["credited_polls", "version", "entries"])
def test_a_throttled_points_table_answers_unavailable(read, monkeypatch):
    from aj74.points import repository

    monkeypatch.setattr(repository, "dynamodb_client", Throttled)

    with pytest.raises(Unavailable):
        getattr(repository.PointsLedger(), read)("acct-throttled")


def test_the_reads_that_guard_a_write_are_consistent(points_orders_stack, moto_endpoint):
    # moto reads consistently whatever is asked; DynamoDB would not: the state version and an item
    # being edited must be read as of the last committed write, an order as the cashier or the
    # resident's cancel last left it.
    subject = _real(points_orders_stack, moto_endpoint)
    from aj74.storage import dynamodb_client

    asked = []

    def capture(params, **_):
        asked.append(params.get("ConsistentRead"))

    events = dynamodb_client().meta.events
    events.register("provide-client-params.dynamodb.GetItem", capture)
    events.register("provide-client-params.dynamodb.Query", capture)
    try:
        item = an_item()
        subject.catalogue.create(item)
        subject.catalogue.get(item["item_id"])
        subject.points.version(account())
        assert subject.orders.get("order-never-placed") is None
        assert subject.points.entries(account()) == []  # the balance a debit is checked against
    finally:
        events.unregister("provide-client-params.dynamodb.GetItem", capture)
        events.unregister("provide-client-params.dynamodb.Query", capture)

    assert asked == [True, True, True, True]
