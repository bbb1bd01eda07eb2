"""Territory scope and the moderation engine, pinned where mutation testing found them loose
(`make mutants`, docs/testing.md): what a refusal says, who counts as regional staff whatever the
scope in their token, and the workflow's own refusals."""

from __future__ import annotations

import pytest
from aj74.errors import Conflict, Forbidden, InvalidInput
from aj74.identity.principal import principal_from_claims
from aj74.scope import check_territories_exist, drafter_in_scope, out_of_scope, require_scope
from aj74.territories import territory_tree
from aj74.workflow import Action, Workflow, approver_not_author

from infra.local.dev_identity.provider import PERSONAS


@pytest.fixture(scope="module")
def tree():
    return territory_tree()


def persona(name: str, **overrides):
    return principal_from_claims({**PERSONAS[name], **overrides})


@pytest.mark.parametrize("name", ["approver", "admin"])
def test_regional_staff_act_anywhere_even_with_no_scope_in_the_token(tree, name):
    # Given: the role alone makes them regional, not the territories listed in their token
    staff = persona(name, scope_territory_ids=[])

    # Then
    assert out_of_scope(staff, ["go-magnitogorsk", "gp-satka"], tree) == []
    require_scope(staff, ["go-magnitogorsk"], tree)


def test_a_moderator_with_an_approver_role_too_is_regional(tree):
    both = persona("moderator-satka", roles=["moderator", "approver"])

    assert out_of_scope(both, ["go-magnitogorsk"], tree) == []


def test_a_scope_denial_names_every_territory_outside_separated_by_commas(tree):
    moderator = persona("moderator-satka")

    with pytest.raises(Forbidden) as denied:
        require_scope(moderator, ["go-magnitogorsk", "chelyabinsk-oblast"], tree)

    names = f"{tree.get('go-magnitogorsk').name}, {tree.get('chelyabinsk-oblast').name}"
    assert denied.value.detail == f"Территории вне вашей зоны ответственности: {names}."


def test_unknown_territories_are_listed_in_the_message_and_one_error_each(tree):
    with pytest.raises(InvalidInput) as invalid:
        check_territories_exist(["gp-satka", "gp-atlantis", "mr-nowhere"], tree)

    assert invalid.value.detail == "Неизвестные территории: gp-atlantis, mr-nowhere"
    assert invalid.value.errors == [
        {"field": "territory_ids", "detail": "неизвестная территория gp-atlantis"},
        {"field": "territory_ids", "detail": "неизвестная территория mr-nowhere"},
    ]


# ------------------------------------------------------------------ the drafter's authorisation
ITEM = {"territory_ids": ["gp-satka", "go-magnitogorsk"]}


def test_the_scheduler_may_not_draft():
    assert drafter_in_scope("Опрос")(None, ITEM) == "Действие доступно модератору территории или согласующему."


def test_a_resident_may_not_draft():
    resident = principal_from_claims({"sub": "r-1", "roles": ["resident"], "territory_id": "gp-satka",
                                      "birth_year": 1980, "gender": "f"})

    assert drafter_in_scope("Опрос")(resident, {"territory_ids": ["gp-satka"]}) == (
        "Действие доступно модератору территории или согласующему.")


def test_a_moderator_is_refused_an_item_outside_the_scope_naming_the_item_and_the_territory(tree):
    moderator = persona("moderator-satka")

    reason = drafter_in_scope("Материал")(moderator, ITEM)

    assert reason == (f"Материал касается территорий вне вашей зоны ответственности: "
                      f"{tree.get('go-magnitogorsk').name}.")


def test_a_moderator_is_refused_naming_every_territory_outside(tree):
    moderator = persona("moderator-satka")

    reason = drafter_in_scope("Опрос")(moderator, {"territory_ids": ["go-magnitogorsk", "chelyabinsk-oblast"]})

    names = f"{tree.get('go-magnitogorsk').name}, {tree.get('chelyabinsk-oblast').name}"
    assert reason == f"Опрос касается территорий вне вашей зоны ответственности: {names}."


@pytest.mark.parametrize("name", ["moderator-satka", "approver"])
def test_a_drafter_within_scope_is_allowed(name):
    assert drafter_in_scope("Опрос")(persona(name), {"territory_ids": ["gp-satka"]}) is None


# ------------------------------------------------------------------ the workflow engine
def _workflow() -> Workflow:
    always = lambda actor, item: None  # noqa: E731
    return Workflow("poll", {"draft": "Черновик", "review": "На согласовании"}, [
        Action("submit", frozenset({"draft"}), "review", always),
        Action("reject", frozenset({"review"}), "draft", always, comment_required=True),
    ])


def test_an_action_from_the_wrong_state_names_the_state_by_its_title():
    with pytest.raises(Conflict) as conflict:
        _workflow().plan("submit", "review", None, {}, None, "2026-06-01T00:00:00Z")

    assert conflict.value.detail == "Действие невозможно: сейчас «На согласовании»."
    assert conflict.value.code == "invalid-state"


def test_an_action_from_a_state_without_a_title_names_the_state_itself():
    with pytest.raises(Conflict) as conflict:
        _workflow().plan("submit", "archived", None, {}, None, "2026-06-01T00:00:00Z")

    assert conflict.value.detail == "Действие невозможно: сейчас «archived»."


def test_a_planned_action_leads_to_its_target():
    step = _workflow().plan("submit", "draft", None, {}, None, "2026-06-01T00:00:00Z")

    assert (step.action, step.from_state, step.to_state, step.comment) == ("submit", "draft", "review", None)


def test_an_action_that_needs_a_comment_refuses_a_blank_one():
    with pytest.raises(InvalidInput):
        _workflow().plan("reject", "review", None, {}, "   ", "2026-06-01T00:00:00Z")


def test_an_approver_who_edited_the_version_is_told_another_approver_must_decide():
    approver = persona("approver")
    item = {"created_by": "staff-mod-satka",
            "history": [{"action": "edit", "actor": approver.subject}]}

    assert approver_not_author(approver, item) == (
        "Вы редактировали или отправляли на согласование эту версию: согласовать или отклонить её "
        "должен другой согласующий.")


def test_the_acting_role_is_the_one_the_workflow_names_for_the_action():
    # Given: a person holding two roles, in a workflow whose actions are meant for moderators first
    always = lambda actor, item: None  # noqa: E731
    shop = Workflow("shop", {"draft": "Черновик"}, [Action("publish", frozenset({"draft"}), "live", always)])
    both = persona("moderator-satka", roles=["moderator", "approver"])

    # When
    step = shop.plan("publish", "draft", both, {}, None, "2026-06-01T00:00:00Z")

    # Then
    assert step.actor_role == "moderator"
