"""Points on the fakes of tests/support/fakes/shop.py, as a resident or the IT administrator notices them:
each refusal of an adjustment (status, code, Russian detail, errors), the adjustment as written, returned
and audited, a lost race retried and the wait between tries, every field of an entry and of the points
page with its cursor, settlement's clock and reads, the cached list of final polls and its 30 s edge,
and the default wiring of aj74.points.service and aj74.points.settlement."""

from __future__ import annotations

import random
from datetime import timedelta
from types import SimpleNamespace

import pytest
from aj74.api.problems import status_for
from aj74.clock import iso
from aj74.errors import DomainError, InvalidInput
from aj74.pagination import encode_cursor
from aj74.points import service as points
from aj74.points import settlement
from aj74.points.settlement import settle
from aj74.settings import get_settings

from tests.support.fakes.shop import FakeBallotHolders, FakePoints, FakeShopWorld
from tests.support.fakes.vote import a_poll
from tests.support.polls import persona, resident

REASON = "Ошибочное начисление"
ADMIN = persona("admin")


@pytest.fixture
def world() -> FakeShopWorld:
    return FakeShopWorld()


def refused(call) -> DomainError:
    with pytest.raises(DomainError) as caught:
        call()
    return caught.value


def at_ms(world) -> int:
    return int(world.clock.now.timestamp() * 1000)


def credited(world, account: str, count: int, points: int = 10, at: int = 1_700_000_000_000) -> None:
    for i in range(count):
        assert world.points.credit_ballot(account, f"poll-{i}", points, at)


# ------------------------------------------------------------------ adjustments


def test_an_adjustment_of_zero_points_is_refused_with_its_reason_on_the_points_field(world):
    error = refused(lambda: points.adjust(ADMIN, {"account": "acct-1", "points": 0, "reason": REASON},
                                          ports=world.points_ports()))

    assert isinstance(error, InvalidInput) and status_for(error)[0] == 422
    assert error.detail == "Корректировка на 0 баллов ничего не меняет."
    assert error.errors == [{"field": "points", "detail": "не может быть 0"}]
    assert world.audit.entries() == []


def test_an_adjustment_is_written_returned_and_audited_with_every_field(world):
    # Given a resident with 20 points
    account = "adj-fields"
    credited(world, account, 2)

    # When the IT administrator credits 7 points
    done = points.adjust(ADMIN, {"account": account, "points": 7, "reason": REASON}, ports=world.points_ports())

    # Then the answer names the adjustment, its reason and the new balance
    assert len(done["id"]) == 26 and done["id"].isalnum()
    assert done == {"id": done["id"], "account": account, "points": 7, "reason": REASON, "balance": 27,
                    "at": iso(world.clock.now)}
    # the ledger holds it under its id, dated now, with the administrator as its ref
    assert world.points.entries(account)[0] == {"entry": f"adjust#{done['id']}", "kind": "adjustment", "points": 7,
                                                "at": at_ms(world), "ref": ADMIN.subject, "note": REASON}
    # and the audit log says who did what to which account, when
    [entry] = world.audit.entries()
    assert {k: entry[k] for k in ("actor", "actor_role", "action", "target_type", "target_id", "before", "after",
                                  "comment", "at")} == {
        "actor": ADMIN.subject, "actor_role": "admin", "action": "points.adjust", "target_type": "account",
        "target_id": account, "before": {"balance": 20},
        "after": {"balance": 27, "points": 7, "adjustment_id": done["id"]}, "comment": REASON,
        "at": iso(world.clock.now)}


def test_an_adjustment_written_twice_is_refused_as_existing(world, monkeypatch):
    # Given an adjustment already written under its id
    account = "adj-twice"
    credited(world, account, 1)
    monkeypatch.setattr(points, "ulid", lambda: "01JADJUSTMENT0000000000000")
    points.adjust(ADMIN, {"account": account, "points": 5, "reason": REASON}, ports=world.points_ports())

    # When the same id is written again
    error = refused(lambda: points.adjust(ADMIN, {"account": account, "points": 5, "reason": REASON},
                                          ports=world.points_ports()))

    # Then it is refused as existing, and written and audited once
    assert (status_for(error)[0], error.code, error.detail) == (409, "adjustment-exists", "Корректировка уже записана.")
    assert world.points.balance(account) == 15 and len(world.audit.entries()) == 1


class RacingPoints(FakePoints):
    """A ledger on which an order of ``price`` points commits between each read and the adjustment,
    ``races`` times."""

    def __init__(self, tables, races: int, price: int = 3) -> None:
        super().__init__(tables)
        self.races, self.price, self.tries = races, price, 0

    def adjust(self, account, adjustment_id, change, reason, at_ms, version, actor) -> None:
        self.tries += 1
        if self.races:
            self.races -= 1
            guard, debit = (self._state_guard(account, self.version(account)),
                            self._entry_put(account, f"debit#order#race-{self.races}", "order", -self.price, at_ms))
            guard[1](), debit[1]()
        super().adjust(account, adjustment_id, change, reason, at_ms, version, actor)


def racing(world, races: int) -> RacingPoints:
    ledger = RacingPoints(world.tables, races)
    world.points = ledger
    return ledger


def test_an_adjustment_that_loses_a_race_to_an_order_is_retried_on_the_new_balance(world, monkeypatch):
    # Given a resident with 20 points whose order commits while the first adjustment is being written
    slept = []
    monkeypatch.setattr(points.time, "sleep", slept.append)
    account = "adj-race"
    credited(world, account, 2)
    ledger = racing(world, races=1)

    # When the administrator takes 5 points
    done = points.adjust(ADMIN, {"account": account, "points": -5, "reason": REASON}, ports=world.points_ports())

    # Then it is written on the second try, on the balance the order left
    assert (ledger.tries, done["balance"], world.points.balance(account)) == (2, 12, 12)
    assert len(slept) == 1 and 0.005 <= slept[0] <= 0.02
    assert world.audit.entries()[0]["before"] == {"balance": 17}


def test_an_adjustment_that_keeps_losing_races_gives_up_with_a_retry_later(world, monkeypatch):
    slept = []
    monkeypatch.setattr(points.time, "sleep", slept.append)
    account = "adj-busy"
    credited(world, account, 10)
    ledger = racing(world, races=100)

    error = refused(lambda: points.adjust(ADMIN, {"account": account, "points": 5, "reason": REASON},
                                          ports=world.points_ports()))

    assert (status_for(error)[0], error.detail) == (503, "Счёт жителя сейчас изменяется, повторите корректировку.")
    assert ledger.tries == points.GUARD_ATTEMPTS == len(slept)
    assert world.audit.entries() == []


def test_the_wait_before_a_retry_is_5_to_20_ms_times_the_try_number(monkeypatch):
    slept = []
    monkeypatch.setattr(points.time, "sleep", slept.append)
    random.seed(74)

    for attempt in range(4):
        slept.clear()
        for _ in range(200):
            points.backoff(attempt)
        low, high = 0.005 * (attempt + 1), 0.02 * (attempt + 1)
        assert all(low <= s <= high for s in slept), attempt
        assert min(slept) < low * 1.5 and max(slept) > high * 0.9, attempt  # spread over the whole range


# ------------------------------------------------------------------ the points page


@pytest.mark.parametrize(("kind", "title"), [("ballot", "Участие в опросе"), ("order", "Заказ поощрения"),
                                             ("refund", "Возврат за отменённый заказ"), ("transfer", "transfer")])
def test_an_entry_is_shown_with_its_title_and_every_field(kind, title):
    entry = {"entry": f"{kind}#x", "kind": kind, "points": 10, "at": 1_777_885_200_000, "ref": "ref-1", "note": None}

    assert points.entry_view(entry) == {"id": f"{kind}#x", "kind": kind, "title": title, "kind_title": title,
                                        "points": 10, "at": "2026-05-04T09:00:00Z", "ref": "ref-1"}


def test_an_adjustment_entry_shows_its_reason_and_hides_the_administrator():
    entry = {"entry": "adjust#1", "kind": "adjustment", "points": -5, "at": 1_777_885_200_999, "ref": ADMIN.subject,
             "note": REASON}

    assert points.entry_view(entry) == {
        "id": "adjust#1", "kind": "adjustment", "title": "Корректировка администратором",
        "kind_title": "Корректировка администратором", "points": -5, "at": "2026-05-04T09:00:00Z", "ref": None,
        "reason": REASON}


def page(world, account, limit, cursor=None) -> dict:
    return points.my_points(resident(account), limit, cursor, ports=world.points_ports())


def test_credits_settled_at_the_same_moment_are_paged_through_one_by_one(world):
    # Given three credits dated at the same millisecond (one settlement) and an older one
    account = "same-ms"
    credited(world, account, 3, at=1_700_000_000_000)
    assert world.points.credit_ballot(account, "poll-old", 10, 1_600_000_000_000)

    # When the resident pages through them one at a time
    seen, cursor = [], None
    for _ in range(4):
        got = page(world, account, 1, cursor)
        seen += [e["id"] for e in got["entries"]]
        cursor = got["next_cursor"]

    # Then each shows once, newest first, and the last page has no cursor
    assert seen == ["credit#ballot#poll-2", "credit#ballot#poll-1", "credit#ballot#poll-0", "credit#ballot#poll-old"]
    assert cursor is None


def test_a_page_that_takes_the_last_entries_offers_no_next_page(world):
    account = "exact-page"
    credited(world, account, 2)

    got = page(world, account, 2)

    assert len(got["entries"]) == 2 and got["next_cursor"] is None
    assert page(world, account, 1)["next_cursor"] is not None


def test_a_cursor_without_its_entry_or_its_time_pages_by_what_it_has(world):
    # Given one credit at t0 and two at t1
    account = "half-cursor"
    assert world.points.credit_ballot(account, "poll-a", 10, 1_000_000)
    assert world.points.credit_ballot(account, "poll-b", 10, 2_000_000)
    assert world.points.credit_ballot(account, "poll-c", 10, 2_000_000)

    # Then a cursor with a time alone goes on with what is older than that time
    assert [e["id"] for e in page(world, account, 5, encode_cursor({"t": 2_000_000}))["entries"]] == [
        "credit#ballot#poll-a"]
    # and a cursor with an entry alone goes on from before every entry
    assert page(world, account, 5, encode_cursor({"e": "credit#ballot#poll-z"}))["entries"] == []


@pytest.mark.parametrize(("lifetime", "level"), [
    (0, {"rank": 1, "name": "Новичок", "since": 0, "next_at": 50, "to_next": 50}),
    (50, {"rank": 2, "name": "Участник", "since": 50, "next_at": 150, "to_next": 100}),
    (400, {"rank": 4, "name": "Активный житель", "since": 400, "next_at": None, "to_next": None})])
def test_the_points_page_shows_balance_lifetime_and_level_at_its_edges(world, lifetime, level):
    account = f"level-{lifetime}"
    credited(world, account, lifetime // 10)

    got = page(world, account, 50)

    assert (got["balance"], got["lifetime"], got["level"], got["next_cursor"]) == (lifetime, lifetime, level, None)
    assert len(got["entries"]) == lifetime // 10


# ------------------------------------------------------------------ settlement


class CountingHolders(FakeBallotHolders):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[str] = []

    def holders(self, keys):
        self.asked += [poll_id for poll_id, _ in keys]
        return super().holders(keys)


def test_settlement_asks_the_ballot_ledger_only_about_polls_not_yet_credited(world):
    # Given a voter credited for one final poll, and a second final poll since
    world.ballots = CountingHolders()
    voter = resident("asks-little")
    first = a_poll(world.clock.now - timedelta(days=3), state="final")
    second = a_poll(world.clock.now - timedelta(days=2), state="final")
    world.polls.append(first)
    world.voted(first, voter.subject)
    assert settle(voter, ports=world.settlement_ports()) == [first.poll_id]
    world.polls.append(second)
    world.ballots.asked.clear()

    # When they look again
    assert settle(voter, ports=world.settlement_ports()) == []

    # Then only the new poll was looked up
    assert world.ballots.asked == [second.poll_id]


def test_settlement_dates_the_credit_at_the_time_it_is_given(world):
    voter = resident("dated")
    poll = a_poll(world.clock.now - timedelta(days=3), state="final")
    world.polls.append(poll)
    world.voted(poll, voter.subject)

    assert settle(voter, now_ms=1_234_000, ports=world.settlement_ports()) == [poll.poll_id]

    assert world.points.entries(voter.subject)[0]["at"] == 1_234_000
    assert get_settings().points_per_ballot == world.points.balance(voter.subject)


class PagedPolls:
    """The poll table's final polls in pages, counting reads (settlement builds a PollRepository)."""

    pages: list[list] = []
    reads = 0

    def by_state(self, state, *, cursor=None):
        assert state == "final"
        index = 0 if cursor is None else cursor["page"]
        PagedPolls.reads += 1
        assert PagedPolls.reads <= 10, "the same page read over and over"
        more = index + 1 < len(PagedPolls.pages)
        return list(PagedPolls.pages[index]), ({"page": index + 1} if more else None)


@pytest.fixture
def final_polls_table(world, monkeypatch):
    import aj74.polls.repository

    monkeypatch.setattr(aj74.polls.repository, "PollRepository", PagedPolls)
    monkeypatch.setattr(settlement, "time", SimpleNamespace(monotonic=lambda: world.clock.now.timestamp()))
    PagedPolls.pages = [[a_poll(world.clock.now, state="final")], [a_poll(world.clock.now, state="final")]]
    PagedPolls.reads = 0
    settlement.forget_final_polls()
    yield PagedPolls
    settlement.forget_final_polls()


def test_the_final_polls_are_read_across_pages_and_kept_for_30_seconds(world, final_polls_table):
    # Given two pages of final polls
    listed = settlement.final_polls()
    assert [p.poll_id for p in listed] == [p.poll_id for page_ in final_polls_table.pages for p in page_]
    assert final_polls_table.reads == 2

    # When a third poll is published, 29 s later the cached list is still shown
    final_polls_table.pages[1].append(a_poll(world.clock.now, state="final"))
    world.clock.advance(seconds=29)
    assert settlement.final_polls() == listed and final_polls_table.reads == 2

    # Then at 30 s the table is read again and the new poll is there
    world.clock.advance(seconds=1)
    assert len(settlement.final_polls()) == 3 and final_polls_table.reads == 4
    # and forgetting the list reads it afresh
    settlement.forget_final_polls()
    assert len(settlement.final_polls()) == 3 and final_polls_table.reads == 6


# ------------------------------------------------------------------ default wiring


def test_the_default_ports_are_the_real_adapters_with_overrides_in_their_place():
    from aj74.audit.repository import AuditLog
    from aj74.ballots.repository import BallotLedger
    from aj74.clock import utcnow
    from aj74.keystore import ballot_key_secret
    from aj74.points.repository import PointsLedger
    from aj74.territories import territory_tree

    wired = points.default_ports()
    assert isinstance(wired.ledger, PointsLedger) and isinstance(wired.ballots, BallotLedger)
    assert isinstance(wired.audit, AuditLog)
    assert (wired.final_polls, wired.territories, wired.key_secret, wired.clock) == (
        settlement.final_polls, territory_tree, ballot_key_secret, utcnow)
    clock = object()
    assert settlement.default_ports(clock=clock).clock is clock and points.default_ports(audit=clock).audit is clock
