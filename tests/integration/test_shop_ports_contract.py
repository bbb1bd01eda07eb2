"""The fakes of the shop's and the points' ports (tests/support/fakes/shop.py) hold to the adapters they
stand for.

The same checks run against the fakes and against the real adapters on moto (a stack provisioned
from template.yaml): above all the order's and the cancellation's TransactWriteItems, which must
refuse on the same items for the same reasons and write nothing when they refuse, since the shop's
unit tests trust the fakes for it (docs/decisions/021-ports-and-adapters.md).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aj74.ballots import keys
from aj74.ballots.message import BallotMessage
from aj74.clock import iso
from aj74.errors import NotFound
from aj74.ids import ulid
from aj74.shop import rules
from aj74.transactions import Cancelled

from tests.support.env import provisioned, use_stack
from tests.support.fakes.shop import FakeShopWorld
from tests.support.fakes.vote import BALLOT_KEY_SECRET, a_poll

FAILED, FINE = "ConditionalCheckFailed", "None"
NOW = datetime(2026, 5, 4, 9, 0, tzinfo=UTC)


@dataclass
class Subject:
    """One implementation of every port, and the test's way to put what the port only reads."""

    points: object  # PointsStore (+ balance, version, as both adapters have them)
    catalogue: object  # CatalogueStore
    orders: object  # OrderStore
    ballots: object  # BallotHolders
    final_polls: object  # () -> every final poll
    seed_ballot: object  # (poll_id, ballot_key) -> None
    seed_poll: object  # Poll -> None


@pytest.fixture(scope="module")
def shop_ports_stack(moto_endpoint):
    with provisioned(moto_endpoint, "aj74-shop-ports", "ApiFunction") as env:
        yield env


def _fake() -> Subject:
    world = FakeShopWorld()
    return Subject(points=world.points, catalogue=world.catalogue, orders=world.orders, ballots=world.ballots,
                   final_polls=lambda: [p for p in world.polls if p.state == "final"],
                   seed_ballot=world.ballots.add, seed_poll=world.polls.append)


def _real(env: dict, endpoint: str) -> Subject:
    use_stack(env, endpoint)
    from aj74.ballots.repository import BallotLedger
    from aj74.points.repository import PointsLedger
    from aj74.points.settlement import final_polls, forget_final_polls
    from aj74.polls.repository import PollRepository
    from aj74.shop.repository import Catalogue, Orders

    def seed_ballot(poll_id: str, ballot_key: str) -> None:
        BallotLedger().record(BallotMessage(poll_id=poll_id, ballot_key=ballot_key, option_ids=("q1-o1", "q2-o1"),
                                            commitment="a" * 64, accepted_at_ms=1_000, territory_id="gp-satka",
                                            age_band="35-44", gender="f"))

    def fresh_final_polls():
        forget_final_polls()  # the adapter caches the list for 30 s
        return final_polls()

    return Subject(points=PointsLedger(), catalogue=Catalogue(), orders=Orders(), ballots=BallotLedger(),
                   final_polls=fresh_final_polls, seed_ballot=seed_ballot, seed_poll=PollRepository().create)


@pytest.fixture(params=["fake", "adapter"])
def subject(request) -> Subject:
    if request.param == "fake":
        return _fake()
    return _real(request.getfixturevalue("shop_ports_stack"), request.getfixturevalue("moto_endpoint"))


def account() -> str:
    return f"acct-{uuid.uuid4().hex[:12]}"


def an_item(price: int = 30, stock: int = 2, active: bool = True) -> dict:
    return {"item_id": ulid(), "title": "Билет в Челябинский зоопарк", "description": "Один взрослый билет.",
            "partner": "Челябинский зоопарк", "price": price, "stock": stock, "version": 1, "active": active,
            "valid_from": NOW - timedelta(days=1), "valid_until": NOW + timedelta(days=30),
            "territory_ids": ["mr-satkinsky"], "created_by": "staff-it-admin", "created_at": "2026-05-03T09:00:00Z",
            "updated_at": "2026-05-03T09:00:00Z"}


def an_order(buyer: str, item: dict, at: datetime = NOW, window: timedelta = timedelta(minutes=30)) -> dict:
    return {"order_id": rules.order_id_for(buyer, uuid.uuid4().hex), "account": buyer, "item_id": item["item_id"],
            "title": item["title"], "partner": item["partner"], "price": item["price"],
            "code": rules.new_redemption_code(), "status": "active", "created_at": at.replace(microsecond=0),
            "cancel_until": (at + window).replace(microsecond=0)}


def funded(subject: Subject, points: int) -> str:
    buyer = account()
    for i in range(points // 10):
        assert subject.points.credit_ballot(buyer, f"grant-{i}", 10, 1_000 + i)
    return buyer


def refused(call) -> tuple[str, ...]:
    with pytest.raises(Cancelled) as caught:
        call()
    return caught.value.reasons


def at_ms(at: datetime) -> int:
    return int(at.timestamp() * 1000)


# ------------------------------------------------------------------ points ledger


def test_a_participation_credit_is_written_once_and_a_repeat_leaves_it_untouched(subject):
    who = account()

    assert subject.points.credit_ballot(who, "poll-a", 10, 1_000) is True
    assert subject.points.credit_ballot(who, "poll-a", 99, 2_000) is False
    assert subject.points.credit_ballot(who, "poll-b", 10, 3_000) is True

    assert subject.points.entries(who) == [
        {"entry": "credit#ballot#poll-a", "kind": "ballot", "points": 10, "at": 1_000, "ref": "poll-a", "note": None},
        {"entry": "credit#ballot#poll-b", "kind": "ballot", "points": 10, "at": 3_000, "ref": "poll-b", "note": None}]
    assert subject.points.credited_polls(who) == {"poll-a", "poll-b"}
    assert subject.points.credited_polls(account()) == set() and subject.points.entries(account()) == []


def test_an_adjustment_is_guarded_by_the_state_version_and_written_once(subject):
    who = funded(subject, 20)
    assert subject.points.snapshot(who).version == 0

    subject.points.adjust(who, "adj-1", -5, "Ошибочное начисление", 5_000, 0, "staff-it-admin")

    snapshot = subject.points.snapshot(who)
    assert (snapshot.version, snapshot.balance) == (1, 15)
    assert snapshot.entries[0] == {"entry": "adjust#adj-1", "kind": "adjustment", "points": -5, "at": 5_000,
                                   "ref": "staff-it-admin", "note": "Ошибочное начисление"}
    # A stale version (a debit committed since it was read) refuses the guard, writing nothing
    assert refused(lambda: subject.points.adjust(who, "adj-2", 5, "Возврат баллов", 6_000, 0, "a")) == (FAILED, FINE)
    # The same adjustment id twice refuses the entry
    assert refused(lambda: subject.points.adjust(who, "adj-1", 5, "Возврат баллов", 6_000, 1, "a")) == (FINE, FAILED)
    assert subject.points.snapshot(who) == snapshot


# ------------------------------------------------------------------ catalogue


def test_an_item_reads_back_at_second_precision_and_an_unknown_one_is_not_found(subject):
    item = {**an_item(), "valid_from": NOW.replace(microsecond=123_456), "image": {"id": ulid(), "alt": "Вход"}}
    subject.catalogue.create(item)

    stored = subject.catalogue.get(item["item_id"])

    assert stored == {**item, "valid_from": NOW}
    assert item["item_id"] in {i["item_id"] for i in subject.catalogue.all()}
    with pytest.raises(NotFound) as caught:
        subject.catalogue.get(ulid())
    assert caught.value.code == "item-not-found"


def test_an_edit_is_written_only_over_the_version_and_stock_it_read(subject):
    item = an_item(stock=5)
    subject.catalogue.create(item)
    edited = {**item, "price": 40, "version": 2}

    assert subject.catalogue.replace(edited, expected_version=2, seen_stock=5) is False  # another edit won
    assert subject.catalogue.replace(edited, expected_version=1, seen_stock=4) is False  # an order moved the stock
    assert subject.catalogue.get(item["item_id"]) == item
    assert subject.catalogue.replace(edited, expected_version=1, seen_stock=5) is True
    assert subject.catalogue.get(item["item_id"]) == edited
    assert subject.catalogue.replace({**an_item(), "version": 2}, 1, 2) is False  # no such item


# ------------------------------------------------------------------ placing an order


def test_an_order_debits_takes_one_from_stock_and_is_stored_all_at_once(subject):
    item = an_item(price=30, stock=2)
    subject.catalogue.create(item)
    buyer = funded(subject, 50)
    placed = an_order(buyer, item)

    subject.orders.place(placed, 0, at_ms(NOW))

    assert subject.orders.get(placed["order_id"]) == placed
    assert subject.catalogue.get(item["item_id"])["stock"] == 1
    snapshot = subject.points.snapshot(buyer)
    assert (snapshot.version, snapshot.balance) == (1, 20)
    assert {"entry": f"debit#order#{placed['order_id']}", "kind": "order", "points": -30, "at": at_ms(NOW),
            "ref": placed["order_id"], "note": None} in snapshot.entries
    assert subject.orders.id_for_code(placed["code"]) == placed["order_id"]
    assert subject.orders.id_for_code(rules.new_redemption_code()) is None


def test_a_refused_order_names_each_failed_item_and_writes_nothing(subject):
    item = an_item(price=30, stock=1)
    subject.catalogue.create(item)
    buyer = funded(subject, 100)
    first = an_order(buyer, item)
    subject.orders.place(first, 0, at_ms(NOW))
    before = (subject.points.snapshot(buyer), subject.catalogue.get(item["item_id"]))

    # The same order again on a fresh version: its debit and its id exist (and the stock is out)
    assert refused(lambda: subject.orders.place(first, 1, at_ms(NOW))) == (FINE, FAILED, FAILED, FAILED)
    # A new order read before the first one committed: the account's version moved, the stock is 0
    second = an_order(buyer, item)
    assert refused(lambda: subject.orders.place(second, 0, at_ms(NOW))) == (FAILED, FINE, FAILED, FINE)
    # Out of stock alone
    assert refused(lambda: subject.orders.place(second, 1, at_ms(NOW))) == (FINE, FINE, FAILED, FINE)

    assert (subject.points.snapshot(buyer), subject.catalogue.get(item["item_id"])) == before
    assert subject.orders.get(second["order_id"]) is None


@pytest.mark.parametrize("change", ["price", "inactive", "missing"])
def test_an_order_for_an_item_edited_or_gone_is_refused_on_the_item(subject, change):
    item = an_item(price=30, stock=5, active=change != "inactive")
    if change != "missing":
        subject.catalogue.create(item)
    buyer = funded(subject, 100)
    placed = an_order(buyer, {**item, "price": 20} if change == "price" else item)

    assert refused(lambda: subject.orders.place(placed, 0, at_ms(NOW))) == (FINE, FINE, FAILED, FINE)
    assert subject.points.snapshot(buyer).version == 0 and subject.orders.get(placed["order_id"]) is None
    if change != "missing":
        assert subject.catalogue.get(item["item_id"])["stock"] == 5


# ------------------------------------------------------------------ cancelling


def test_a_cancel_refunds_and_restocks_once(subject):
    item = an_item(price=30, stock=2)
    subject.catalogue.create(item)
    buyer = funded(subject, 30)
    placed = an_order(buyer, item)
    subject.orders.place(placed, 0, at_ms(NOW))
    later = NOW + timedelta(minutes=10)

    subject.orders.cancel(placed, iso(later), at_ms(later))

    assert subject.orders.get(placed["order_id"]) == {**placed, "status": "cancelled",
                                                      "cancelled_at": "2026-05-04T09:10:00Z"}
    assert subject.points.balance(buyer) == 30 and subject.points.version(buyer) == 1
    assert subject.catalogue.get(item["item_id"])["stock"] == 2
    # Sent again: the order is no longer active and the refund exists
    assert refused(lambda: subject.orders.cancel(placed, "2026-05-04T09:11:00Z", at_ms(later))) == (
        FAILED, FAILED, FINE)
    assert subject.points.balance(buyer) == 30 and subject.catalogue.get(item["item_id"])["stock"] == 2


def test_a_cancel_at_or_after_the_deadline_or_by_another_account_writes_nothing(subject):
    item = an_item(price=30, stock=2)
    subject.catalogue.create(item)
    buyer = funded(subject, 30)
    placed = an_order(buyer, item)
    subject.orders.place(placed, 0, at_ms(NOW))
    deadline = "2026-05-04T09:30:00Z"

    assert refused(lambda: subject.orders.cancel(placed, deadline, 1)) == (FAILED, FINE, FINE)
    assert refused(lambda: subject.orders.cancel({**placed, "account": account()}, "2026-05-04T09:01:00Z", 1)) == (
        FAILED, FINE, FINE)
    assert subject.orders.get(placed["order_id"])["status"] == "active"
    assert subject.points.balance(buyer) == 0 and subject.catalogue.get(item["item_id"])["stock"] == 1


# ------------------------------------------------------------------ redeeming and listing


def test_a_code_is_redeemed_once_and_only_with_the_orders_code(subject):
    item = an_item(price=10, stock=2)
    subject.catalogue.create(item)
    buyer = funded(subject, 10)
    placed = an_order(buyer, item)
    subject.orders.place(placed, 0, at_ms(NOW))

    assert subject.orders.redeem(placed["order_id"], rules.new_redemption_code(), "2026-05-04T09:05:00Z", "c") is False
    assert subject.orders.redeem(placed["order_id"], placed["code"], "2026-05-04T09:05:00Z", "cashier") is True
    assert subject.orders.redeem(placed["order_id"], placed["code"], "2026-05-04T09:06:00Z", "cashier") is False
    assert subject.orders.redeem(rules.order_id_for(buyer, "nope-nope"), placed["code"], "x", "cashier") is False
    assert subject.orders.get(placed["order_id"]) == {**placed, "status": "redeemed",
                                                      "redeemed_at": "2026-05-04T09:05:00Z", "redeemed_by": "cashier"}


def test_a_residents_orders_come_newest_first_a_page_at_a_time(subject):
    item = an_item(price=10, stock=10)
    subject.catalogue.create(item)
    buyer = funded(subject, 30)
    placed = []
    for i in range(3):
        placed.append(an_order(buyer, item, at=NOW + timedelta(minutes=i)))
        subject.orders.place(placed[-1], i, at_ms(NOW) + i)

    first, cursor = subject.orders.for_account(buyer, 2, None)
    rest, end = subject.orders.for_account(buyer, 2, cursor)

    assert [o["order_id"] for o in first + rest] == [o["order_id"] for o in reversed(placed)]
    assert first[0] == placed[2] and cursor is not None and end is None
    assert subject.orders.for_account(account(), 2, None) == ([], None)


# ------------------------------------------------------------------ what settlement reads


def test_settlement_finds_the_final_polls_and_the_ballots_held_for_them(subject):
    final = a_poll(NOW - timedelta(days=3), state="final")
    still_open = a_poll(NOW - timedelta(days=3), state="open")
    subject.seed_poll(final)
    subject.seed_poll(still_open)
    voter_key = keys.ballot_key(BALLOT_KEY_SECRET, final.poll_id, "voter")
    subject.seed_ballot(final.poll_id, voter_key)

    listed = {p.poll_id: p for p in subject.final_polls()}

    assert listed[final.poll_id] == final and still_open.poll_id not in listed
    # Keys as settlement derives them, one per poll and resident (the adapter finds a poll by its key).
    neighbour_key = keys.ballot_key(BALLOT_KEY_SECRET, final.poll_id, "neighbour")
    open_key = keys.ballot_key(BALLOT_KEY_SECRET, still_open.poll_id, "voter")
    assert subject.ballots.holders([(final.poll_id, voter_key), (final.poll_id, neighbour_key),
                                    (still_open.poll_id, open_key)]) == {final.poll_id}
    assert subject.ballots.holders([(still_open.poll_id, open_key)]) == set()
