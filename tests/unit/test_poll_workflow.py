"""The poll moderation workflow: which role may take which action from which state, and the
transition record each step leaves behind.

draft → in_review → approved → open → closed → final, with rejected and cancelled on the side;
open/close/finalise belong to the scheduler (actor None).
"""

from __future__ import annotations

import pytest
from aj74.errors import Conflict, Forbidden, InvalidInput
from aj74.identity.principal import principal_from_claims
from aj74.polls.lifecycle import POLL_WORKFLOW
from aj74.polls.model import STATES
from aj74.workflow import SYSTEM_ACTOR, Transition

from infra.local.dev_identity.provider import PERSONAS

AT = "2026-05-20T12:00:00Z"
SATKA_AUTHOR = "staff-mod-satka"


def persona(name: str, **overrides):
    return principal_from_claims({**PERSONAS[name], **overrides})


def item(state: str, territory_ids=("mr-satkinsky",), created_by: str = SATKA_AUTHOR) -> dict:
    return {"territory_ids": tuple(territory_ids), "created_by": created_by, "state": state}


def plan(action: str, state: str, actor, comment: str | None = None, **item_fields) -> Transition:
    return POLL_WORKFLOW.plan(action, state, actor, item(state, **item_fields), comment, AT)


def reachable_states(action: str) -> set[str]:
    return set(POLL_WORKFLOW.actions[action].sources)


# ------------------------------------------------------------------ the happy path
def test_a_poll_goes_from_draft_to_final_by_moderator_approver_and_scheduler():
    # Given
    moderator, approver = persona("moderator-satka"), persona("approver")
    steps = [("submit", moderator), ("approve", approver), ("open", None), ("close", None),
             ("finalise", None)]

    # When
    state, records = "draft", []
    for action, actor in steps:
        transition = plan(action, state, actor)
        records.append(transition.as_dict())
        state = transition.to_state

    # Then
    assert state == "final"
    assert [(r["from"], r["to"]) for r in records] == [
        ("draft", "in_review"), ("in_review", "approved"), ("approved", "open"), ("open", "closed"),
        ("closed", "final"),
    ]
    assert [r["actor"] for r in records] == [SATKA_AUTHOR, "staff-approver", SYSTEM_ACTOR, SYSTEM_ACTOR,
                                             SYSTEM_ACTOR]
    assert [r["actor_role"] for r in records] == ["moderator", "approver", "system", "system", "system"]


def test_a_transition_records_who_when_from_to_and_the_comment():
    # When
    transition = plan("reject", "in_review", persona("approver"), comment="Уточните сроки работ")

    # Then
    assert transition.as_dict() == {
        "action": "reject", "actor": "staff-approver", "actor_role": "approver", "at": AT,
        "from": "in_review", "to": "rejected", "comment": "Уточните сроки работ",
    }


def test_a_transition_without_a_comment_records_none():
    transition = plan("submit", "draft", persona("moderator-satka"), comment="")

    assert transition.comment is None


def test_a_rejected_poll_can_be_resubmitted():
    transition = plan("submit", "rejected", persona("moderator-satka"))

    assert (transition.from_state, transition.to_state) == ("rejected", "in_review")


# ------------------------------------------------------------------ submit
@pytest.mark.parametrize("territory_ids", [["gp-satka"], ["mr-satkinsky", "gp-bakal"]])
def test_a_moderator_submits_a_draft_within_their_territory(territory_ids):
    transition = plan("submit", "draft", persona("moderator-satka"), territory_ids=territory_ids)

    assert transition.to_state == "in_review"


def test_a_moderator_may_not_submit_a_poll_outside_their_territory():
    # Given a Satka moderator and a draft that also targets Magnitogorsk
    moderator = persona("moderator-satka")

    # When
    with pytest.raises(Forbidden) as denied:
        plan("submit", "draft", moderator, territory_ids=["gp-satka", "go-magnitogorsk"])

    # Then
    assert denied.value.code == "action-not-allowed"
    assert denied.value.detail == ("Опрос касается территорий вне вашей зоны ответственности: "
                                   "Магнитогорский городской округ.")


@pytest.mark.parametrize("name", ["resident-satka", "admin", "analyst", "emergency"])
def test_only_moderators_and_approvers_submit(name):
    with pytest.raises(Forbidden) as denied:
        plan("submit", "draft", persona(name))

    assert denied.value.detail == "Действие доступно модератору территории или согласующему."


def test_the_scheduler_does_not_submit():
    with pytest.raises(Forbidden):
        plan("submit", "draft", None)


@pytest.mark.parametrize("state", sorted(set(STATES) - {"draft", "rejected"}))
def test_only_drafts_and_rejected_polls_are_submitted(state):
    with pytest.raises(Conflict) as conflict:
        plan("submit", state, persona("moderator-satka"))

    assert conflict.value.code == "invalid-state"
    assert conflict.value.extra["state"] == state
    assert conflict.value.detail.startswith("Действие невозможно: сейчас «")


def test_a_wrong_state_is_named_in_russian():
    with pytest.raises(Conflict) as conflict:
        plan("submit", "open", persona("moderator-satka"))

    assert conflict.value.detail == "Действие невозможно: сейчас «идёт голосование»."


# ------------------------------------------------------------------ approve and reject
def test_the_approver_approves_a_moderators_poll():
    transition = plan("approve", "in_review", persona("approver"))

    assert transition.to_state == "approved"


@pytest.mark.parametrize("name", ["moderator-satka", "moderator-magnitogorsk", "admin", "resident-satka"])
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_only_the_approver_approves_or_rejects(name, action):
    with pytest.raises(Forbidden) as denied:
        plan(action, "in_review", persona(name), comment="Комментарий")

    assert denied.value.detail == "Согласовать или отклонить может только Управление по внутренней политике."


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_the_scheduler_neither_approves_nor_rejects(action):
    with pytest.raises(Forbidden):
        plan(action, "in_review", None, comment="Комментарий")


@pytest.mark.parametrize("action", ["approve", "reject"])
def test_nobody_approves_or_rejects_their_own_draft(action):
    # Given a poll the approver wrote and submitted
    approver = persona("approver")

    # When
    with pytest.raises(Forbidden) as denied:
        plan(action, "in_review", approver, comment="Комментарий", created_by="staff-approver")

    # Then
    assert denied.value.detail == "Нельзя согласовывать собственный черновик."


def test_an_approver_may_submit_their_own_draft_but_another_approver_approves_it():
    # Given
    author = persona("approver")
    colleague = persona("approver", sub="staff-approver-2")

    # When
    submitted = plan("submit", "draft", author, created_by="staff-approver")
    approved = plan("approve", submitted.to_state, colleague, created_by="staff-approver")

    # Then
    assert approved.to_state == "approved"
    assert approved.actor == "staff-approver-2"


@pytest.mark.parametrize("comment", [None, "", "   \n"])
def test_a_rejection_needs_a_comment(comment):
    with pytest.raises(InvalidInput) as invalid:
        plan("reject", "in_review", persona("approver"), comment=comment)

    assert invalid.value.detail == "Укажите комментарий."
    assert invalid.value.errors == [{"field": "comment", "detail": "обязательное поле"}]


@pytest.mark.parametrize("state", sorted(set(STATES) - {"in_review"}))
@pytest.mark.parametrize("action", ["approve", "reject"])
def test_only_polls_in_review_are_approved_or_rejected(state, action):
    with pytest.raises(Conflict):
        plan(action, state, persona("approver"), comment="Комментарий")


# ------------------------------------------------------------------ cancel
@pytest.mark.parametrize("state", ["draft", "in_review", "approved", "rejected"])
def test_a_moderator_cancels_an_unopened_poll_in_their_territory(state):
    transition = plan("cancel", state, persona("moderator-satka"))

    assert (transition.from_state, transition.to_state) == (state, "cancelled")


def test_a_moderator_may_not_cancel_another_territorys_poll():
    with pytest.raises(Forbidden) as denied:
        plan("cancel", "approved", persona("moderator-magnitogorsk"))

    assert "Саткинский муниципальный район" in denied.value.detail


def test_a_moderator_may_not_cancel_an_open_poll():
    with pytest.raises(Forbidden) as denied:
        plan("cancel", "open", persona("moderator-satka"))

    assert denied.value.detail == ("Идущее голосование может отменить только "
                                   "Управление по внутренней политике.")


def test_the_approver_cancels_an_open_poll():
    transition = plan("cancel", "open", persona("approver"), comment="Паводок, перенос")

    assert (transition.from_state, transition.to_state, transition.comment) == ("open", "cancelled",
                                                                                 "Паводок, перенос")


@pytest.mark.parametrize("state", ["draft", "open"])
def test_the_scheduler_does_not_cancel(state):
    with pytest.raises(Forbidden):
        plan("cancel", state, None)


@pytest.mark.parametrize("state", ["closed", "final", "cancelled"])
def test_a_closed_final_or_cancelled_poll_cannot_be_cancelled(state):
    with pytest.raises(Conflict):
        plan("cancel", state, persona("approver"))


# ------------------------------------------------------------------ scheduler-only actions
@pytest.mark.parametrize(("action", "state", "target"), [
    ("open", "approved", "open"), ("close", "open", "closed"), ("finalise", "closed", "final"),
])
def test_the_scheduler_opens_closes_and_finalises(action, state, target):
    # Given the scheduler passes no item details
    transition = POLL_WORKFLOW.plan(action, state, None, {}, None, AT)

    # Then
    assert transition.to_state == target
    assert (transition.actor, transition.actor_role) == (SYSTEM_ACTOR, "system")


@pytest.mark.parametrize("name", ["approver", "admin", "moderator-satka"])
@pytest.mark.parametrize(("action", "state"),
                         [("open", "approved"), ("close", "open"), ("finalise", "closed")])
def test_no_person_opens_closes_or_finalises(name, action, state):
    with pytest.raises(Forbidden) as denied:
        plan(action, state, persona(name))

    assert denied.value.detail == "Это действие выполняет планировщик."


@pytest.mark.parametrize("action", ["open", "close", "finalise"])
def test_the_scheduler_acts_only_from_the_right_state(action):
    wrong_states = set(STATES) - reachable_states(action)

    for state in sorted(wrong_states):
        with pytest.raises(Conflict):
            POLL_WORKFLOW.plan(action, state, None, {}, None, AT)


def test_every_action_leads_to_a_known_state_from_known_states():
    for action in POLL_WORKFLOW.actions.values():
        assert action.target in STATES
        assert action.sources <= set(STATES)
