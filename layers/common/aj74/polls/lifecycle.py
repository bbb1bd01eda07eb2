"""The poll workflow: draft → in_review → approved → open → closed → final (+ rejected, cancelled).

Staff actions are authorised here; open/close/finalise are taken by the scheduler only.
"""

from __future__ import annotations

from aj74.identity.principal import Principal
from aj74.polls.model import STATE_TITLES
from aj74.scope import drafter_in_scope
from aj74.workflow import Action, Workflow, approver_not_author, system_only

_author_in_scope = drafter_in_scope("Опрос")


def _cancel(actor: Principal | None, item: dict) -> str | None:
    if item.get("state") == "open":
        if actor is None or not actor.has_role("approver"):
            return "Идущее голосование может отменить только Управление по внутренней политике."
        return None
    return _author_in_scope(actor, item)


POLL_WORKFLOW = Workflow(
    "poll",
    STATE_TITLES,
    [
        Action("submit", frozenset({"draft", "rejected"}), "in_review", _author_in_scope),
        Action("approve", frozenset({"in_review"}), "approved", approver_not_author),
        Action("reject", frozenset({"in_review"}), "rejected", approver_not_author, comment_required=True),
        Action("cancel", frozenset({"draft", "in_review", "approved", "rejected", "open"}), "cancelled", _cancel),
        Action("open", frozenset({"approved"}), "open", system_only),
        Action("close", frozenset({"open"}), "closed", system_only),
        Action("finalise", frozenset({"closed"}), "final", system_only),
    ],
)
