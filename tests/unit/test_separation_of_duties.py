"""Separation of duties as pure rules: the role a caller acts in, four eyes per version of a poll or
content item, nobody granting themselves approval rights, a cashier bound to its partner, and a
request body too deeply nested to parse."""

from __future__ import annotations

import pytest
from aj74.api.http import parse_json_body
from aj74.content.lifecycle import CONTENT_WORKFLOW
from aj74.errors import Conflict, Forbidden, InvalidInput, MalformedRequest
from aj74.identity import roles
from aj74.identity.principal import principal_from_claims
from aj74.polls.lifecycle import POLL_WORKFLOW
from aj74.shop.rules import require_redeemer
from aj74.staff.rules import check_assignment, check_confirmer, needs_confirmation
from aj74.workflow import authors, edit_entry

from infra.local.dev_identity.provider import PERSONAS

AT = "2026-05-20T12:00:00Z"
ZOO, PARKING = "Челябинский зоопарк", "Парковочное пространство г. Челябинска"


def persona(name: str, **overrides):
    return principal_from_claims({**PERSONAS[name], **overrides})


# ------------------------------------------------------------------ one home for roles
@pytest.mark.parametrize(("claims", "action", "role"), [
    (["approver", "moderator"], "poll.approve", "approver"),
    (["approver", "moderator"], "poll.edit", "approver"),
    (["moderator", "emergency"], "poll.edit", "moderator"),
    (["moderator", "emergency"], "content.create", "moderator"),
    (["moderator", "emergency"], "content.emergency_publish", "emergency"),
    (["admin", "moderator"], "shop.item.create", "admin"),
    (["moderator"], "shop.item.update", "moderator"),
    (["partner", "admin"], "shop.redeem", "partner"),
    (["admin"], "shop.redeem", "admin"),
    (["analyst"], "poll.approve", "unknown"),
])
def test_the_acting_role_is_the_one_the_action_is_meant_for(claims, action, role):
    actor = principal_from_claims({"sub": "staff-x", "roles": claims})

    assert roles.acting_role(actor, action) == role


def test_the_scheduler_acts_as_the_system():
    assert roles.acting_role(None, "poll.open") == "system"


@pytest.mark.parametrize(("name", "wide"), [("approver", True), ("admin", True), ("analyst", True),
                                            ("moderator-satka", False), ("emergency", False),
                                            ("partner", False), ("resident-satka", False)])
def test_region_wide_readers(name, wide):
    assert roles.is_region_wide(persona(name)) is wide


def test_every_role_has_a_russian_title_and_the_catalogue_lists_them():
    catalogue = roles.catalogue()

    assert [r["role"] for r in catalogue] == list(roles.ROLES)
    assert all(r["title"] and r["title"][0].isupper() for r in catalogue)
    assert {r["role"] for r in catalogue if r["grant_confirmed"]} == {"approver", "admin"}
    assert {r["role"] for r in catalogue if not r["staff"]} == {"resident"}


# ------------------------------------------------------------------ four eyes per version
def _item(history=(), created_by="staff-mod-satka", kind="news") -> dict:
    return {"territory_ids": ("mr-satkinsky",), "created_by": created_by, "state": "in_review",
            "type": kind, "history": tuple(history)}


def _submit(actor) -> dict:
    return POLL_WORKFLOW.plan("submit", "rejected", actor, _item(), None, AT).as_dict()


@pytest.mark.parametrize("workflow", [POLL_WORKFLOW, CONTENT_WORKFLOW], ids=["poll", "content"])
def test_an_approver_who_edited_and_submitted_a_rejected_version_cannot_approve_it(workflow):
    # Given a moderator's item the approver rejected, then edited and submitted themselves
    approver = persona("approver")
    history = [edit_entry(workflow.name, approver, "rejected", 3, AT), _submit(approver)]

    # When the same approver approves
    with pytest.raises(Forbidden) as denied:
        workflow.plan("approve", "in_review", approver, _item(history), None, AT)

    # Then they are told another approver must decide; a second approver may
    assert "другой согласующий" in denied.value.detail
    approved = workflow.plan("approve", "in_review", persona("approver-2"), _item(history), None, AT)
    assert approved.to_state == "approved" and approved.actor == "staff-approver-2"


def test_an_approver_who_only_submitted_cannot_approve_either():
    approver = persona("approver")

    with pytest.raises(Forbidden):
        POLL_WORKFLOW.plan("approve", "in_review", approver, _item([_submit(approver)]), None, AT)


def test_the_authors_of_a_version_are_its_creator_editors_and_submitters_not_its_reviewers():
    moderator, approver, other = persona("moderator-satka"), persona("approver"), persona("approver-2")
    history = [_submit(moderator),
               POLL_WORKFLOW.plan("reject", "in_review", other, _item(), "Уточните", AT).as_dict(),
               edit_entry("poll", approver, "rejected", 2, AT)]

    assert authors(_item(history)) == {"staff-mod-satka", "staff-approver"}


def test_an_edit_entry_says_who_wrote_which_version_in_which_role():
    entry = edit_entry("poll", persona("approver"), "rejected", 4, AT)

    assert entry == {"action": "edit", "actor": "staff-approver", "actor_role": "approver", "at": AT,
                     "from": "rejected", "to": "rejected", "comment": None, "version": 4}


def test_the_emergency_bulletin_fast_path_stays_one_step():
    transition = CONTENT_WORKFLOW.plan("emergency_publish", "new", persona("emergency"),
                                       _item(kind="bulletin", created_by="staff-mchs"), None, AT)

    assert (transition.to_state, transition.actor_role) == ("published", "emergency")


# ------------------------------------------------------------------ grants
def test_the_admin_cannot_grant_themselves_approver():
    admin = persona("admin")

    with pytest.raises(Forbidden) as denied:
        needs_confirmation(admin, admin.subject, ["admin", "approver"], ["admin"])

    assert denied.value.code == "self-grant" and "Согласующий" in denied.value.detail


def test_the_admin_may_keep_their_own_admin_role_and_change_nothing_else():
    admin = persona("admin")

    assert needs_confirmation(admin, admin.subject, ["admin"], []) is False


@pytest.mark.parametrize(("requested", "held", "confirm"), [
    (["approver"], [], True), (["admin"], ["analyst"], True), (["approver"], ["approver"], False),
    (["moderator"], [], False), (["analyst", "emergency"], ["approver"], False), ([], ["admin"], False),
])
def test_granting_approver_or_admin_to_someone_else_waits_for_a_second_admin(requested, held, confirm):
    assert needs_confirmation(persona("admin"), "staff-someone", requested, held) is confirm


def test_the_second_admin_is_neither_the_requester_nor_the_grantee():
    pending = {"roles": ["approver"], "requested_by": "staff-it-admin"}
    other_admin = persona("admin", sub="staff-it-admin-2")

    with pytest.raises(Forbidden, match="другой администратор"):
        check_confirmer(persona("admin"), "staff-someone", pending)
    with pytest.raises(Forbidden, match="самому себе"):
        check_confirmer(other_admin, "staff-it-admin-2", pending)
    with pytest.raises(Conflict):
        check_confirmer(other_admin, "staff-someone", None)
    check_confirmer(other_admin, "staff-someone", pending)


def test_a_cashier_assignment_names_its_partner_and_only_a_cashier_has_one():
    with pytest.raises(InvalidInput):
        check_assignment(["partner"], [], None)
    with pytest.raises(InvalidInput):
        check_assignment(["analyst"], [], ZOO)
    check_assignment(["partner"], [], ZOO)


# ------------------------------------------------------------------ partners
def test_the_zoo_cashier_redeems_zoo_codes_only():
    zoo = persona("partner")
    assert zoo.partner == ZOO

    require_redeemer("partner", zoo.partner, ZOO, None)
    with pytest.raises(Forbidden) as denied:
        require_redeemer("partner", zoo.partner, PARKING, None)

    assert denied.value.code == "partner-mismatch" and PARKING in denied.value.detail


def test_a_cashier_without_a_partner_redeems_nothing():
    with pytest.raises(Forbidden) as denied:
        require_redeemer("partner", None, ZOO, None)

    assert denied.value.code == "partner-unbound"


def test_the_admin_support_redemption_needs_a_reason():
    with pytest.raises(InvalidInput):
        require_redeemer("admin", None, ZOO, "  ")
    require_redeemer("admin", None, ZOO, "Касса зоопарка не работает, житель на месте")


def test_the_partner_claim_counts_only_for_cashiers():
    assert principal_from_claims({"sub": "x", "roles": ["resident"], "partner": ZOO}).partner is None


# ------------------------------------------------------------------ bad input
@pytest.mark.parametrize("body", [b"[" * 60_000, b'{"a": ' + b"[" * 30_000 + b"]" * 30_000 + b"}",
                                  b'{"a": ' + b"[" * 100 + b"]" * 100 + b"}"], ids=["open", "closed", "valid"])
def test_a_deeply_nested_body_under_64_kib_is_a_clear_400_not_a_crash(body):
    assert len(body) < 64 * 1024

    with pytest.raises(MalformedRequest) as bad:
        parse_json_body(body, "application/json")

    assert bad.value.detail.startswith("Тело запроса")


def test_an_ordinary_poll_body_is_not_too_deep():
    body = b'{"questions": [{"options": [{"text": "A"}]}], "territory_ids": ["gp-satka"]}'

    assert parse_json_body(body, "application/json")["territory_ids"] == ["gp-satka"]


def test_the_admin_site_keeps_no_copy_of_the_role_titles():
    # The site's pages read GET /v1/roles (and /v1/me's role_titles); a copy in web/ would drift from the API's.
    from pathlib import Path

    web = Path(__file__).resolve().parents[2] / "web"
    sources = [p for p in web.rglob("*") if p.suffix in (".ts", ".tsx", ".html") and "node_modules" not in p.parts
               and p.name != "schema.d.ts"]  # the generated contract carries the API's own descriptions
    assert any(p.name == "staff.tsx" for p in sources)
    text = "\n".join(p.read_text(encoding="utf-8") for p in sources)

    assert [t for t in roles.ROLE_TITLES.values() if t in text and t != "Житель"] == []
