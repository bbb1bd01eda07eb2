"""What a resident's poll list and poll page say beyond the poll's content: whether the caller can
vote and, if not, why (before they open it), how many have taken part so far, and the Russian
labels of the codes the app shows.

A ballot already cast is not a reason: a resident may change their ballot until the poll closes
(``voted`` says they have one). The reasons are the cast route's own (``model.eligibility_problem``
for age and territory), so the list and the 403 of ``POST …/ballots`` say the same words.

Participants while a poll is open are the live tally rounded down to a multiple of the small-cell
threshold, the same stepped count residents see in live results: polling the list shows no single
ballot arriving (docs/decisions/014-disclosure-control.md). Once final, the published total.
"""

from __future__ import annotations

from datetime import datetime

from aj74.identity.principal import Principal
from aj74.integrity.ports import ResidentViewPorts
from aj74.polls import model
from aj74.polls.breakdown import live
from aj74.territories import TerritoryTree

KIND_TITLES = {"single": "один вариант", "multiple": "несколько вариантов"}
RESULTS_VISIBILITY_TITLES = {"after_vote": "после голосования", "after_close": "после завершения голосования"}
# Why a resident cannot vote, by code (the app may pick an icon by it; ``detail`` is what it says).
REASON_CODES = ("not-resident", "no-territory", "territory", "no-birth-year", "age", "not-started", "closed",
                "cancelled")


def not_open_reason(poll: model.Poll, now: datetime) -> dict | None:
    """{code, detail} when ``poll`` does not take ballots at ``now``; None while it does."""
    if poll.is_accepting(now):
        return None
    if poll.state == "cancelled":
        return {"code": "cancelled", "detail": "Опрос отменён."}
    if poll.state == "approved" or (poll.state == "open" and now < poll.opens_at):
        return {"code": "not-started", "detail": "Голосование ещё не началось."}
    return {"code": "closed", "detail": "Голосование уже завершено."}


def _eligibility_code(poll: model.Poll, principal: Principal, tree: TerritoryTree) -> str:
    """The code of the reason ``model.eligibility_problem`` gave (its checks, in its order)."""
    if not principal.has_role("resident"):
        return "not-resident"
    if not principal.territory_id or principal.territory_id not in tree:
        return "no-territory"
    if not tree.within_any(principal.territory_id, poll.territory_ids):
        return "territory"
    if principal.birth_year is None:
        return "no-birth-year"
    return "age"


def cannot_vote_reason(poll: model.Poll, principal: Principal, tree: TerritoryTree, now: datetime) -> dict | None:
    """{code, detail in Russian} of why ``principal`` cannot vote in ``poll`` now; None when they can.
    Eligibility (territory, age) comes first: it is what stays true after the poll closes too."""
    detail = model.eligibility_problem(poll, principal, tree)
    if detail is not None:
        return {"code": _eligibility_code(poll, principal, tree), "detail": detail}
    return not_open_reason(poll, now)


def participants(poll: model.Poll, live_total: int | None, step: int) -> dict:
    """How many have taken part: {count, step, final}. ``live_total`` is the live tally's ballots
    (read only for a poll that takes or drains ballots); it is shown rounded down to ``step``."""
    if poll.state == "final":
        return {"count": int(poll.result.total_ballots) if poll.result else 0, "step": 1, "final": True}
    return {"count": live(int(live_total or 0), step), "step": step, "final": False}


def needs_live_tally(poll: model.Poll) -> bool:
    return poll.state in ("open", "closed")


def labels(poll: model.Poll) -> dict:
    """The Russian labels of the poll's codes, next to the codes."""
    return {"state_title": model.STATE_TITLES[poll.state],
            "results_visibility_title": RESULTS_VISIBILITY_TITLES.get(poll.results_visibility,
                                                                      poll.results_visibility)}


def with_question_labels(questions: list[dict]) -> list[dict]:
    return [{**q, "kind_title": KIND_TITLES.get(q["kind"], q["kind"])} for q in questions]


def default_ports(**overrides) -> ResidentViewPorts:
    """The real adapters (the live tallies in DynamoDB, the wall clock), ``overrides`` in their
    place; built per call, as ``extend`` built them inline before."""
    from aj74.ballots.repository import LiveTallies
    from aj74.clock import utcnow

    return ResidentViewPorts(**{"tallies": LiveTallies(), "clock": utcnow, **overrides})


def extend(view: dict, poll: model.Poll, principal: Principal, tree: TerritoryTree,
           now: datetime | None = None, ports: ResidentViewPorts | None = None) -> dict:
    """A resident's poll view with ``can_vote``, ``cannot_vote_reason``, ``participants`` and labels."""
    from aj74.settings import get_settings

    ports = ports or default_ports()
    reason = cannot_vote_reason(poll, principal, tree, now or ports.clock())
    live_total = ports.tallies.read(poll.poll_id)[0] if needs_live_tally(poll) else None
    return {**view, **labels(poll), "questions": with_question_labels(view["questions"]),
            "can_vote": reason is None, "cannot_vote_reason": reason,
            "participants": participants(poll, live_total, get_settings().small_cell_threshold)}


# ------------------------------------------------------------------ other resident answers
BALLOT_STATE_TITLES = {"accepted": "принят", "counted": "засчитан", "rejected": "не учтён"}
RESULT_STATE_TITLES = {"live": "промежуточные итоги", "final": "итоги подведены"}


def ballot_with_title(body: dict) -> dict:
    """A ballot's 202 or state answer with ``state_title`` («принят», «засчитан», «не учтён»)."""
    return {**body, "state_title": BALLOT_STATE_TITLES.get(body["state"], body["state"])}


def results_with_titles(body: dict) -> dict:
    """Results with ``state_title`` and each question's ``kind_title``."""
    return {**body, "state_title": RESULT_STATE_TITLES.get(body["state"], body["state"]),
            "questions": with_question_labels(body["questions"])}
