"""The one moderation engine for everything staff publish: polls and feed content.

An item moves through states by named actions; each action says which states it starts from,
where it leads and who may take it. Every step taken becomes a transition record (who, when,
from, to, comment) kept with the item and in the audit log.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from aj74.errors import Conflict, Forbidden, InvalidInput
from aj74.identity.principal import Principal
from aj74.identity.roles import APPROVER, acting_role

SYSTEM_ACTOR = "system:scheduler"
# History entries of the people who wrote the version under review (besides its creator).
AUTHORING_ACTIONS = frozenset({"edit", "submit"})


@dataclass(frozen=True)
class Action:
    name: str
    sources: frozenset[str]
    target: str
    # Returns None when allowed, else a Russian reason for the 403.
    authorize: Callable[[Principal | None, dict], str | None]
    comment_required: bool = False


@dataclass(frozen=True)
class Transition:
    action: str
    actor: str
    actor_role: str
    at: str
    from_state: str
    to_state: str
    comment: str | None = None

    def as_dict(self) -> dict:
        return {
            "action": self.action, "actor": self.actor, "actor_role": self.actor_role, "at": self.at,
            "from": self.from_state, "to": self.to_state, "comment": self.comment,
        }


class Workflow:
    def __init__(self, name: str, state_titles: dict[str, str], actions: list[Action]) -> None:
        self.name = name
        self.state_titles = state_titles
        self.actions = {a.name: a for a in actions}

    def plan(self, action_name: str, state: str, actor: Principal | None, item: dict,
             comment: str | None, at: str) -> Transition:
        """Check that ``actor`` may take ``action_name`` on an item in ``state``; the transition to store."""
        action = self.actions[action_name]
        reason = action.authorize(actor, item)
        if reason:
            raise Forbidden(reason, code="action-not-allowed")
        if state not in action.sources:
            raise Conflict(
                f"Действие невозможно: сейчас «{self.state_titles.get(state, state)}».",
                code="invalid-state", state=state,
            )
        if action.comment_required and not (comment and comment.strip()):
            raise InvalidInput("Укажите комментарий.", errors=[{"field": "comment", "detail": "обязательное поле"}])
        actor_id = actor.subject if actor else SYSTEM_ACTOR
        role = acting_role(actor, f"{self.name}.{action_name}")
        return Transition(action_name, actor_id, role, at, state, action.target, (comment or None))


def edit_entry(workflow: str, actor: Principal, state: str, version: int, at: str) -> dict:
    """The history entry of an edit: who wrote version ``version`` (four eyes reads these)."""
    return {"action": "edit", "actor": actor.subject, "actor_role": acting_role(actor, f"{workflow}.edit"),
            "at": at, "from": state, "to": state, "comment": None, "version": version}


def authors(item: dict) -> frozenset[str]:
    """Everyone who wrote the version under review: its creator and whoever edited or submitted it.
    A version is built on the ones before it, so an earlier editor's words are still in it."""
    return frozenset({item["created_by"]} | {h["actor"] for h in item.get("history", ())
                                             if h.get("action") in AUTHORING_ACTIONS})


def approver_not_author(actor: Principal | None, item: dict) -> str | None:
    """Four eyes: the Directorate approves or rejects, and never a version its member drafted,
    edited or submitted (``item`` carries ``created_by`` and the ``history``)."""
    if actor is None or not actor.has_role(APPROVER):
        return "Согласовать или отклонить может только Управление по внутренней политике."
    if actor.subject == item["created_by"]:
        return "Нельзя согласовывать собственный черновик."
    if actor.subject in authors(item):
        return ("Вы редактировали или отправляли на согласование эту версию: согласовать или отклонить её "
                "должен другой согласующий.")
    return None


def system_only(actor: Principal | None, item: dict) -> str | None:
    return None if actor is None else "Это действие выполняет планировщик."

