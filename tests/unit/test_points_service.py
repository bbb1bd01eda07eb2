"""Points on fakes (tests/support/fakes/shop.py): participation credited after the result and once per
poll, the resident's points page, the IT administrator's audited adjustments — the real code of
aj74.points.service and aj74.points.settlement, with in-memory stand-ins only at the ports."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from aj74.api.problems import status_for
from aj74.clock import iso
from aj74.errors import DomainError
from aj74.points import service as points
from aj74.points.settlement import settle
from aj74.settings import get_settings

from tests.support.fakes.shop import FakeShopWorld
from tests.support.fakes.vote import a_poll
from tests.support.polls import persona, resident

REASON = "Ошибочное начисление"


@pytest.fixture
def world() -> FakeShopWorld:
    return FakeShopWorld()


@pytest.fixture
def final_poll(world):
    """A poll of Саткинский район whose result is out."""
    poll = a_poll(world.clock.now - timedelta(days=2), state="final")
    world.polls.append(poll)
    return poll


def refused(call) -> tuple[int, str, str]:
    with pytest.raises(DomainError) as caught:
        call()
    return status_for(caught.value)[0], caught.value.code, caught.value.detail


def my_points(world, who) -> dict:
    return points.my_points(who, 20, None, ports=world.points_ports())


# ------------------------------------------------------------------ settlement


def test_a_voter_is_credited_once_for_a_finished_poll_however_often_they_look(world, final_poll):
    # Given a resident whose ballot is in the poll's ledger
    voter = resident("voter-satka")
    world.voted(final_poll, voter.subject)

    # When they open their points, and again an hour later
    first = my_points(world, voter)
    world.clock.advance(hours=1)
    second = my_points(world, voter)

    # Then one credit of the points of one ballot stands, dated at the first reading
    per_ballot = get_settings().points_per_ballot
    assert (first["balance"], first["lifetime"], first["level"]["name"]) == (per_ballot, per_ballot, "Новичок")
    assert second["balance"] == per_ballot
    [entry] = second["entries"]
    assert (entry["id"], entry["title"], entry["ref"]) == (f"credit#ballot#{final_poll.poll_id}",
                                                          "Участие в опросе", final_poll.poll_id)
    assert entry["at"] == iso(world.clock.now - timedelta(hours=1))


def test_a_repeated_credit_answers_already_credited_and_leaves_the_entry_untouched(world, final_poll):
    voter = resident("again-satka")
    world.voted(final_poll, voter.subject)
    assert settle(voter, ports=world.settlement_ports()) == [final_poll.poll_id]
    [credited] = world.points.entries(voter.subject)

    # When settlement runs again later, and the same credit is written again with other points
    world.clock.advance(days=1)
    assert settle(voter, ports=world.settlement_ports()) == []
    assert world.points.credit_ballot(voter.subject, final_poll.poll_id, 99, 2_000) is False

    # Then the entry is the first one
    assert world.points.entries(voter.subject) == [credited]


def test_nothing_is_credited_while_the_poll_is_open_nor_to_residents_who_did_not_vote(world, final_poll):
    voter, neighbour = resident("open-voter"), resident("neighbour-satka")
    world.voted(final_poll, voter.subject)
    world.polls[0] = replace(final_poll, state="closed")  # counted, result not out yet

    assert my_points(world, voter)["balance"] == 0

    world.polls[0] = final_poll
    assert settle(voter, ports=world.settlement_ports()) == [final_poll.poll_id]
    assert settle(neighbour, ports=world.settlement_ports()) == []
    assert world.points.entries(neighbour.subject) == []


def test_staff_are_never_credited(world, final_poll):
    admin = persona("admin")
    world.voted(final_poll, admin.subject)

    assert settle(admin, ports=world.settlement_ports()) == []
    assert world.points.entries(admin.subject) == []


# ------------------------------------------------------------------ adjustments


def test_an_adjustment_by_the_administrator_is_audited_and_shown_to_the_resident_with_its_reason(world):
    account = "adj-satka"
    for i in range(2):
        assert world.points.credit_ballot(account, f"poll-{i}", 10, 1_700_000_000_000 + i)

    done = points.adjust(persona("admin"), {"account": account, "points": -15, "reason": REASON},
                         ports=world.points_ports())

    assert (done["account"], done["points"], done["balance"], done["at"]) == (account, -15, 5, iso(world.clock.now))
    [entry] = world.audit.entries()
    assert (entry["action"], entry["actor"], entry["actor_role"], entry["target_id"], entry["comment"]) == (
        "points.adjust", persona("admin").subject, "admin", account, REASON)
    assert (entry["before"], entry["after"]) == ({"balance": 20}, {"balance": 5, "points": -15,
                                                                   "adjustment_id": done["id"]})
    mine = my_points(world, resident(account))
    assert (mine["balance"], mine["lifetime"]) == (5, 5)
    newest = mine["entries"][0]
    assert (newest["title"], newest["points"], newest["reason"], newest["ref"]) == (
        "Корректировка администратором", -15, REASON, None)  # the administrator's id stays in the audit log


def test_an_adjustment_below_zero_is_refused_and_nothing_is_written_or_audited(world):
    account = "poor-satka"
    assert world.points.credit_ballot(account, "poll-0", 10, 1_700_000_000_000)

    status, code, detail = refused(lambda: points.adjust(
        persona("admin"), {"account": account, "points": -30, "reason": REASON}, ports=world.points_ports()))

    assert (status, code) == (409, "insufficient-points")
    assert detail == "Списание 30 баллов сделает баланс отрицательным: на счёте 10."
    assert world.points.balance(account) == 10 and world.points.version(account) == 0
    assert world.audit.entries() == []


@pytest.mark.parametrize("body", [{"points": 0, "reason": REASON}, {"points": 5}, {"points": 5, "reason": "ой"}],
                         ids=["zero", "no reason", "short reason"])
def test_an_adjustment_without_effect_or_reason_is_invalid(world, body):
    status, _, _ = refused(lambda: points.adjust(persona("admin"), {"account": "acct-1", **body},
                                                 ports=world.points_ports()))

    assert status == 422
    assert world.points.entries("acct-1") == [] and world.audit.entries() == []



def test_the_points_page_is_newest_first_and_goes_on_with_a_cursor(world):
    account = "pages-satka"
    for i in range(5):
        world.points.credit_ballot(account, f"poll-{i}", 10, 1_700_000_000_000 + i * 1000)

    first = points.my_points(resident(account), 3, None, ports=world.points_ports())
    rest = points.my_points(resident(account), 3, first["next_cursor"], ports=world.points_ports())

    assert [e["ref"] for e in first["entries"]] == ["poll-4", "poll-3", "poll-2"]
    assert [e["ref"] for e in rest["entries"]] == ["poll-1", "poll-0"] and rest["next_cursor"] is None
    assert first["balance"] == rest["balance"] == 50
