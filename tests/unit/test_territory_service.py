"""The territory registry's use cases on fakes (tests/support/fakes/territories.py): the real service
and reference checks, with in-memory stand-ins only at the ports (aj74.territories.ports)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest
from aj74.api.problems import status_for
from aj74.ballots.message import BallotMessage
from aj74.errors import DomainError
from aj74.territories import service

from tests.support.fakes.territories import FakeTerritoryWorld
from tests.support.fakes.vote import a_poll
from tests.support.polls import persona

ADMIN = persona("admin")


@pytest.fixture
def world() -> FakeTerritoryWorld:
    return FakeTerritoryWorld()


def refused(call) -> tuple[int, str, str]:
    with pytest.raises(DomainError) as caught:
        call()
    return status_for(caught.value)[0], caught.value.code, caught.value.detail


def a_settlement(world, name: str = "Новое сельское поселение") -> dict:
    return service.create(ADMIN, {"name": name, "kind": "rural_settlement", "parent_id": "mr-satkinsky"},
                          ports=world.ports())


def test_a_rename_by_the_it_admin_is_stored_shown_and_audited(world):
    # Given Бакал in the seeded registry (version 1)
    # When the IT administrator renames it
    renamed = service.update(ADMIN, "gp-bakal", {"name": "Бакал-город"}, ports=world.ports())

    # Then the registry shows the new name under its district, one version on
    assert (renamed["name"], renamed["parent_name"]) == ("Бакал-город", "Саткинский муниципальный район")
    assert world.registry.held().version == 2
    assert world.registry.held().tree.get("gp-bakal").name == "Бакал-город"
    # ... and the audit log holds the rename with the name before and after, by the administrator
    [entry] = world.audit.entries()
    assert (entry["action"], entry["target_id"], entry["actor"]) == ("territory.rename", "gp-bakal", ADMIN.subject)
    assert (entry["before"]["name"], entry["after"]["name"]) == ("Бакал", "Бакал-город")


def test_a_territory_nothing_references_is_retired_at_the_clock_time_and_audited(world):
    # Given a settlement just added by the administrator
    added = a_settlement(world)

    # When it is retired with a comment
    retired = service.retire(ADMIN, added["id"], {"comment": "Ошибочно добавлено"}, ports=world.ports())

    # Then it carries the retirement time, has left the tree, and both steps are audited
    assert retired["retired_at"] == "2026-05-04T09:00:00Z"
    assert added["id"] not in world.registry.held().tree
    assert world.audit.actions() == ["territory.create", "territory.retire"]
    assert world.audit.entries()[-1]["comment"] == "Ошибочно добавлено"


def test_a_territory_a_poll_is_aimed_at_is_not_retired_and_the_poll_is_named(world):
    # Given a poll for a new settlement
    added = a_settlement(world)
    world.polls.put(replace(a_poll(world.clock.now, territory_ids=(added["id"],)), title="Дорога в Новое"))

    # When the administrator tries to retire the settlement
    status, code, detail = refused(lambda: service.retire(ADMIN, added["id"], ports=world.ports()))

    # Then 409, naming the poll, and nothing changes or is audited beyond the creation
    assert (status, code) == (409, "territory-referenced")
    assert detail == ("Территорию «Новое сельское поселение» нельзя вывести из реестра: на неё ссылаются "
                      "опросы «Дорога в Новое».")
    assert added["id"] in world.registry.held().tree
    assert world.audit.actions() == ["territory.create"]


def test_a_territory_in_a_staff_scope_is_not_retired_and_the_employee_is_named(world):
    # Given a moderator whose scope names the new settlement
    added = a_settlement(world)
    world.staff.put({"subject": "staff-mod-new", "roles": ["moderator"], "scope_territory_ids": [added["id"]],
                     "display_name": "Ирина Соколова", "partner": None})

    # When the administrator tries to retire it
    status, code, detail = refused(lambda: service.retire(ADMIN, added["id"], ports=world.ports()))

    # Then 409, naming the assignment
    assert (status, code) == (409, "territory-referenced")
    assert "назначения сотрудников «Ирина Соколова»" in detail


def test_a_territory_residents_voted_from_is_not_retired(world):
    # Given an open poll for the district and a ballot cast from Айлинское сельское поселение
    poll = world.polls.put(a_poll(world.clock.now - timedelta(minutes=1)))
    world.ledger.record(BallotMessage(poll_id=poll.poll_id, ballot_key="k" * 43, option_ids=(1,),
                                      commitment="c" * 43, accepted_at_ms=1, territory_id="sp-aylinskoye",
                                      age_band="35-44", gender="f"))

    # When the administrator tries to retire that settlement
    status, code, detail = refused(lambda: service.retire(ADMIN, "sp-aylinskoye", ports=world.ports()))

    # Then 409: residents voted from it
    assert (status, code) == (409, "territory-referenced")
    assert "жители, голосовавшие с этой территорией в профиле" in detail


def test_a_district_is_fixed_by_law_and_not_retired(world):
    assert refused(lambda: service.retire(ADMIN, "mr-satkinsky", ports=world.ports()))[:2] == (409, "territory-fixed")


def test_only_the_it_admin_changes_the_registry(world):
    status, code, detail = refused(lambda: service.update(persona("moderator-satka"), "gp-bakal", {"name": "Бакал-2"},
                                                          ports=world.ports()))
    assert (status, code) == (403, "role-required")
    assert "администратор Министерства информационных технологий" in detail
    assert world.audit.entries() == [] and world.registry.held().version == 1


def test_without_a_registry_table_nothing_is_changed(world):
    world.registry.editable = False
    assert refused(lambda: a_settlement(world))[:2] == (409, "no-registry")
    assert service.list_registry(ADMIN, ports=world.ports())["editable"] is False


def test_a_name_taken_in_the_district_is_a_422_on_the_name(world):
    with pytest.raises(DomainError) as caught:
        service.update(ADMIN, "gp-bakal", {"name": "Сатка"}, ports=world.ports())
    assert status_for(caught.value)[0] == 422
    assert caught.value.errors == [{"field": "name", "detail": "такая территория здесь уже есть"}]
