"""The staff service on fakes (tests/support/fakes/staff.py): the real assignment code with in-memory
stand-ins only at the ports (aj74.staff.ports), so no moto and no socket. Granting approver or
admin takes two administrators (four eyes); every change is in the audit log."""

from __future__ import annotations

import pytest
from aj74.api.problems import status_for
from aj74.errors import DomainError
from aj74.identity.principal import principal_from_claims
from aj74.staff import service

from tests.support.fakes.staff import FakeStaffWorld
from tests.support.polls import persona

ADMIN = persona("admin")  # staff-it-admin
SECOND_ADMIN = persona("admin", sub="staff-it-admin-2")
APPROVER_GRANT = {"roles": ["approver"], "scope_territory_ids": ["chelyabinsk-oblast"],
                  "display_name": "Елена Морозова"}
MODERATOR_GRANT = {"roles": ["moderator"], "scope_territory_ids": ["mr-satkinsky"],
                   "display_name": "Ирина Соколова"}


@pytest.fixture
def world(monkeypatch) -> FakeStaffWorld:
    monkeypatch.setattr(service, "_cache", {})  # the per-instance lookup cache starts empty
    return FakeStaffWorld()


def refused(call) -> tuple[int, str]:
    with pytest.raises(DomainError) as caught:
        call()
    return status_for(caught.value)[0], caught.value.code


def request_approver(world, subject="staff-new") -> dict:
    view, applied = service.put_assignment(ADMIN, subject, APPROVER_GRANT, ports=world.ports())
    assert applied is False
    return view


# ------------------------------------------------------------------ four eyes


def test_an_approver_grant_waits_for_a_second_admin_then_applies(world):
    requested = request_approver(world)

    assert (requested["assigned"], requested["roles"]) == (False, [])
    assert requested["pending"]["role_titles"] == ["Согласующий (Управление по внутренней политике)"]
    assert requested["pending"]["requested_by"] == "staff-it-admin"
    assert "ждёт подтверждения другим администратором" in requested["detail"]

    confirmed = service.confirm_assignment(SECOND_ADMIN, "staff-new", ports=world.ports())

    assert (confirmed["assigned"], confirmed["roles"], confirmed["pending"]) == (True, ["approver"], None)
    assert confirmed["scope_territories"][0]["name"] == "Челябинская область"
    assert confirmed["updated_by"] == "staff-it-admin"  # who asked; the audit log names who confirmed
    assert service.get_assignment(ADMIN, "staff-new", ports=world.ports()) == confirmed


def test_once_confirmed_the_assignment_replaces_the_roles_of_the_sign_in_token(world):
    request_approver(world)
    signed_in = principal_from_claims({"sub": "staff-new", "roles": ["resident", "analyst"]})

    assert service.effective_principal(signed_in, ports=world.ports()).roles == {"resident", "analyst"}

    service.confirm_assignment(SECOND_ADMIN, "staff-new", ports=world.ports())
    acting = service.effective_principal(signed_in, ports=world.ports())

    assert acting.roles == {"resident", "approver"}
    assert acting.scope_territory_ids == ("chelyabinsk-oblast",)


@pytest.mark.parametrize(("confirmer", "subject", "code"), [
    (ADMIN, "staff-new", "four-eyes"),  # the admin who asked
    (SECOND_ADMIN, "staff-it-admin-2", "self-grant"),  # the admin who would gain the role
], ids=["requester", "subject"])
def test_a_self_confirmation_is_refused_403_and_the_grant_stays_pending(world, confirmer, subject, code):
    request_approver(world, subject)

    assert refused(lambda: service.confirm_assignment(confirmer, subject, ports=world.ports())) == (403, code)
    view = service.get_assignment(ADMIN, subject, ports=world.ports())
    assert (view["assigned"], view["pending"]["roles"]) == (False, ["approver"])
    assert world.audit.actions() == ["staff.assign.request"]


def test_an_admin_cannot_grant_themselves_approval_rights(world):
    call = lambda: service.put_assignment(ADMIN, "staff-it-admin", {"roles": ["admin", "approver"]},  # noqa: E731
                                          ports=world.ports())

    assert refused(call) == (403, "self-grant")
    assert world.staff.all() == [] and world.audit.entries() == []


def test_a_moderator_grant_applies_at_once(world):
    view, applied = service.put_assignment(ADMIN, "staff-mod-satka", MODERATOR_GRANT, ports=world.ports())

    assert applied is True
    assert (view["assigned"], view["role_titles"], view["pending"]) == (True, ["Модератор муниципалитета"], None)
    assert [t["name"] for t in view["scope_territories"]] == ["Саткинский муниципальный район"]


# ------------------------------------------------------------------ unknown subjects, listing


def test_a_subject_without_an_assignment_keeps_the_roles_of_the_token(world):
    view = service.get_assignment(ADMIN, "staff-unknown", ports=world.ports())

    assert (view["assigned"], view["roles"], view["pending"]) == (False, [], None)
    assert view["detail"] == "Назначений нет: действуют роли из токена входа."
    assert refused(lambda: service.confirm_assignment(SECOND_ADMIN, "staff-unknown", ports=world.ports())) == (
        409, "nothing-pending")


def test_a_malformed_subject_is_refused_422_naming_the_field(world):
    with pytest.raises(DomainError) as caught:
        service.get_assignment(ADMIN, "../staff", ports=world.ports())

    assert status_for(caught.value)[0] == 422
    assert caught.value.errors == [{"field": "subject", "detail": "латинские буквы, цифры и . _ : @ -, до 64"}]


def test_the_list_holds_applied_and_pending_assignments_by_subject(world):
    service.put_assignment(ADMIN, "staff-mod-satka", MODERATOR_GRANT, ports=world.ports())
    request_approver(world, "staff-approver-new")

    items = service.list_assignments(ADMIN, ports=world.ports())["items"]

    assert [(i["subject"], i["assigned"], bool(i["pending"])) for i in items] == [
        ("staff-approver-new", False, True), ("staff-mod-satka", True, False)]


def test_only_an_admin_sees_or_changes_assignments(world):
    moderator = persona("moderator-satka")

    assert refused(lambda: service.list_assignments(moderator, ports=world.ports())) == (403, "role-required")
    assert refused(lambda: service.put_assignment(moderator, "staff-x", MODERATOR_GRANT,
                                                  ports=world.ports())) == (403, "role-required")


# ------------------------------------------------------------------ audit


def test_every_change_is_audited_with_its_action_and_what_changed(world):
    service.put_assignment(ADMIN, "staff-new", MODERATOR_GRANT, ports=world.ports())
    request_approver(world)
    service.confirm_assignment(SECOND_ADMIN, "staff-new", ports=world.ports())

    entries = world.audit.entries()
    assert [(e["seq"], e["action"], e["actor"]) for e in entries] == [
        (1, "staff.assign", "staff-it-admin"),
        (2, "staff.assign.request", "staff-it-admin"),
        (3, "staff.assign.confirm", "staff-it-admin-2")]
    assert {(e["actor_role"], e["target_type"], e["target_id"]) for e in entries} == {("admin", "staff", "staff-new")}
    assign, request, confirm = entries
    assert assign["before"] is None and assign["after"]["roles"] == ["moderator"]
    assert request["before"]["roles"] == ["moderator"] and request["after"]["roles"] == ["approver"]
    assert request["comment"] == "Ждёт подтверждения другим администратором."
    assert confirm["after"]["roles"] == ["approver"]
    assert confirm["comment"] == "Подтверждено; запросил staff-it-admin."
    assert {e["at"] for e in entries} == {"2026-05-04T09:00:00Z"}  # the service's clock
