"""The content workflow, on the same engine as polls: draft → in_review → approved → published
(+ rejected, retracted, expired), and the emergency fast path new → published for bulletins."""

from __future__ import annotations

from aj74.content.model import NEW, STATE_TITLES
from aj74.identity.principal import Principal
from aj74.scope import drafter_in_scope
from aj74.workflow import Action, Workflow, approver_not_author, system_only

_author_in_scope = drafter_in_scope("Материал")


def _emergency_bulletin(actor: Principal | None, item: dict) -> str | None:
    if actor is None or not actor.has_role("emergency"):
        return "Срочная публикация доступна только оператору ГУ МЧС."
    if item.get("type") != "bulletin":
        return "Срочно публикуются только бюллетени МЧС; остальные материалы проходят согласование."
    return None


def _retracter(actor: Principal | None, item: dict) -> str | None:
    """The Directorate retracts anything; the МЧС operator retracts bulletins (its own fast-path
    work: an all-clear must not wait for another body)."""
    if actor is not None and actor.has_role("approver"):
        return None
    if actor is not None and actor.has_role("emergency") and item.get("type") == "bulletin":
        return None
    if actor is not None and actor.has_role("emergency"):
        return "Оператор ГУ МЧС снимает с публикации только бюллетени МЧС."
    return "Снять материал с публикации может только Управление по внутренней политике или, для бюллетеня, ГУ МЧС."


CONTENT_WORKFLOW = Workflow(
    "content",
    STATE_TITLES,
    [
        Action("submit", frozenset({"draft", "rejected"}), "in_review", _author_in_scope),
        Action("approve", frozenset({"in_review"}), "approved", approver_not_author),
        Action("reject", frozenset({"in_review"}), "rejected", approver_not_author, comment_required=True),
        Action("retract", frozenset({"approved", "published"}), "retracted", _retracter, comment_required=True),
        Action("emergency_publish", frozenset({NEW}), "published", _emergency_bulletin),
        Action("publish", frozenset({"approved"}), "published", system_only),
        Action("expire", frozenset({"published"}), "expired", system_only),
    ],
)
