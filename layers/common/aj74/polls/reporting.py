"""After the vote: results for staff (participation while open, full results with suppressed
breakdowns once final, CSV export) and the execution report of what was done with the result.

Breakdowns are frozen with the final result (and each amendment) by the scheduler, under disclosure
control (docs/decisions/014-disclosure-control.md); a result finalised before that has them computed
on request from the ledger and cached per instance by its Merkle root.

The results take ``ports=None`` last (``aj74.integrity.ports.ReportingPorts``); the routes pass none
and get :func:`default_ports`. The execution report takes the staff use cases' ports
(``aj74.polls.ports.PollStaffPorts``: the poll table, the audit log, the territory tree, the clock,
the media check and the push outbox), by default :func:`default_execution_ports`.
"""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import datetime

from aj74.clock import iso, utcnow
from aj74.errors import Conflict, Forbidden, InvalidInput
from aj74.exports import excel_csv
from aj74.identity.principal import Principal
from aj74.identity.roles import acting_role
from aj74.integrity.ports import ReportingPorts
from aj74.media import service as media
from aj74.polls import breakdown as bd
from aj74.polls import model
from aj74.polls.access import staff_poll
from aj74.polls.ports import PollStaffPorts
from aj74.polls.repository import PollRepository
from aj74.polls.state import Execution, ExecutionUpdate, Photo, Result
from aj74.settings import get_settings
from aj74.territories import TerritoryTree
from aj74.validation import LazySchemas, parse_model

EXECUTION_STATUSES = {"planned": "запланировано", "in_progress": "выполняется", "done": "выполнено"}
MAX_UPDATES = 200


_schemas = LazySchemas("aj74.polls.report_schemas")


# ---------------------------------------------------------------- results
def default_ports(**overrides) -> ReportingPorts:
    """The real adapters (DynamoDB, the ballot queue's attributes, the territory registry, the wall
    clock), ``overrides`` in their place; built per call, as the functions built them inline before."""
    from aj74.ballots.queue import queue_backlog
    from aj74.ballots.repository import BallotLedger, LiveTallies
    from aj74.territories import territory_tree

    return ReportingPorts(**{"polls": PollRepository(), "ledger": BallotLedger(), "tallies": LiveTallies(),
                             "backlog": queue_backlog, "territories": territory_tree, "clock": utcnow, **overrides})


def _group_title(dimension: str, tree: TerritoryTree):
    if dimension == "territory":
        return lambda g: tree.get(g).name if g in tree else "не указана"
    if dimension == "gender":
        return lambda g: bd.GENDER_TITLES.get(g, g)
    return lambda g: "не указан" if g == "-" else g


_cache_lock = threading.Lock()
_breakdowns: dict[tuple[str, str, str], dict] = {}


def _counted(poll: model.Poll, ports: ReportingPorts) -> list[bd.VoterGroupBallot]:
    from aj74.polls.scheduling import counted_voter_groups

    return counted_voter_groups(poll, ports.ledger)


def _breakdown(poll: model.Poll, result: Result, dimension: str, ports: ReportingPorts, tree: TerritoryTree) -> dict:
    threshold = get_settings().small_cell_threshold
    if result.breakdowns is not None:
        releases = [r for r in result.breakdowns if r]
        if not releases:
            raise Conflict("Разрезы итогов этого опроса не были рассчитаны.", code="no-breakdown")
        return bd.published([q.as_dict() for q in poll.questions], releases, dimension, threshold,
                            _group_title(dimension, tree))
    key = (poll.poll_id, str(result.merkle_root), dimension)
    with _cache_lock:
        hit = _breakdowns.get(key)
    if hit is not None:
        return hit
    table = bd.breakdown([q.as_dict() for q in poll.questions], _counted(poll, ports), dimension, threshold,
                         _group_title(dimension, tree))
    with _cache_lock:
        if len(_breakdowns) > 64:
            _breakdowns.clear()
        _breakdowns[key] = table
    return table


def _turnout(poll: model.Poll, ballots: int, tree: TerritoryTree, breakdown: dict | None = None) -> dict:
    """Participation as a share of the eligible population (docs/decisions/017-territory-registry.md)."""
    from aj74.territories import turnout

    by_territory = turnout.ballots_by_territory(breakdown, poll.territory_ids, tree) \
        if breakdown and breakdown.get("dimension") == "territory" else None
    return turnout.turnout(poll.territory_ids, poll.min_age, ballots, tree, by_territory)


def staff_results(actor: Principal, poll_id: str, dimension: str | None = None,
                  ports: ReportingPorts | None = None) -> dict:
    """Participation while a poll is open (counts only when visibility allows), the full result
    with an optional suppressed breakdown once final."""
    if dimension is not None and dimension not in bd.DIMENSIONS:
        raise InvalidInput("Неизвестный разрез итогов.",
                           errors=[{"field": "breakdown", "detail": "допустимые значения: territory, age, gender"}])
    ports = ports or default_ports()
    poll = staff_poll(actor, poll_id, polls=ports.polls, territories=ports.territories)
    tree = ports.territories()
    head = {"poll_id": poll.poll_id, "title": poll.title, "state": poll.state,
            "state_title": model.STATE_TITLES[poll.state], "results_visibility": poll.results_visibility,
            "closes_at": iso(poll.closes_at), "territories": [tree.get(t).name for t in poll.territory_ids],
            "threshold": get_settings().small_cell_threshold}
    if poll.state == "final":
        result = poll.result or Result(total_ballots=0, counts={})
        body = model.results_body(poll, result.counts, result.total_ballots, "final")
        body |= head | {"merkle_root": result.merkle_root, "finalised_at": result.finalised_at,
                        "audit_head": result.audit_head, "amendments": [a.as_dict() for a in poll.amendments],
                        "execution": staff_execution(poll.execution)}
        if dimension:
            body["breakdown"] = _breakdown(poll, result, dimension, ports, tree)
        body["turnout"] = _turnout(poll, result.total_ballots, tree, body.get("breakdown"))
        return body
    if poll.state not in ("open", "closed"):
        raise Conflict(f"Итогов пока нет: опрос в состоянии «{model.STATE_TITLES[poll.state]}».",
                       code="no-results", state=poll.state)
    if dimension:
        raise Conflict("Разрезы итогов доступны после подведения итогов.", code="breakdown-after-final")
    counted, counts = ports.tallies.read(poll.poll_id)
    step = get_settings().small_cell_threshold  # live numbers move in steps: no single ballot is seen arriving
    counted, counts = bd.live(counted, step), {k: bd.live(v, step) for k, v in counts.items()}
    participation = {"ballots_counted": counted, "step": step, "queue_backlog": ports.backlog(),
                     "measured_at": iso(ports.clock())}
    participation["total"] = counted + participation["queue_backlog"]
    body = head | {"participation": participation, "turnout": _turnout(poll, counted, tree)}
    if poll.results_visibility == "after_vote":
        body |= {"live": model.results_body(poll, counts, counted, "live")}
    else:
        body["hidden_reason"] = "Результаты скрыты до завершения голосования: так выбрано при создании опроса."
    return body


def results_csv(actor: Principal, poll_id: str, dimension: str | None = None,
                ports: ReportingPorts | None = None) -> str:
    """The final result (and a breakdown) as CSV for Excel: UTF-8 with a BOM, «;» separated."""
    body = staff_results(actor, poll_id, dimension, ports)
    if body["state"] != "final":
        raise Conflict("Выгрузка итогов доступна после подведения итогов.", code="no-results")
    rows: list[list] = [["Опрос", body["title"]], ["Всего бюллетеней", body["total_ballots"]], [],
                        ["Вопрос", "Вариант", "Голосов", "Доля"]]
    rows += [[q["text"], o["text"], o["count"], o["share"]] for q in body["questions"] for o in q["options"]]
    if dimension:
        threshold = body["breakdown"]["threshold"]
        rows += [[], [f"Разрез {body['breakdown']['title']} (по {body['breakdown']['total_ballots']} бюллетеням); "
                      f"«{bd.HIDDEN_TEXT}» — ячейка скрыта ради тайны голосования (порог {threshold})"]]
        for q in body["breakdown"]["questions"]:
            rows += [["Вопрос", q["text"]], ["Группа", "Всего", *(o["text"] for o in q["options"])]]
            rows += [[row["title"], bd.shown(row["total"]), *(bd.shown(c) for c in row["cells"])] for row in q["rows"]]
    return excel_csv(rows)


# ---------------------------------------------------------------- execution report
def _require_author_role(actor: Principal, poll: model.Poll) -> None:
    if not (actor.has_role("moderator") or actor.has_role("approver")):
        raise Forbidden("Отчёт об исполнении ведут модератор территории или Управление по внутренней политике.",
                        code="role-required")
    if poll.state != "final":
        raise Conflict("Отчёт об исполнении ведётся по опросам с подведёнными итогами.", code="not-final",
                       state=poll.state)


def default_execution_ports(**overrides) -> PollStaffPorts:
    """The execution report's real adapters, the staff use cases' too (the poll and audit tables,
    the territory registry, the wall clock, the media bucket, the push outbox), ``overrides`` in
    their place; built per call. ``aj74.polls.service.default_ports`` returns these: the wiring is
    here because ``service`` imports this module and not the other way round."""
    from aj74.audit.repository import AuditLog
    from aj74.push.outbox import notify_poll_event
    from aj74.territories import territory_tree

    return PollStaffPorts(**{"polls": PollRepository(), "audit": AuditLog(), "territories": territory_tree,
                             "clock": utcnow, "check_images": media.check, "notify": notify_poll_event,
                             **overrides})


def put_execution(actor: Principal, poll_id: str, body: dict, now: datetime | None = None,
                  ports: PollStaffPorts | None = None) -> dict:
    data = parse_model(_schemas.ExecutionIn, body)
    ports = ports or default_execution_ports()
    poll = staff_poll(actor, poll_id, polls=ports.polls, territories=ports.territories)
    _require_author_role(actor, poll)
    before = poll.execution
    at = iso(now or ports.clock())
    report = Execution(decision=data.decision, status=data.status, status_title=EXECUTION_STATUSES[data.status],
                       updated_at=at, updates=before.updates if before else (),
                       created_at=before.created_at if before else at, updated_by=actor.subject)
    saved = ports.polls.set_fields(poll_id, "final", execution=report)
    ports.audit.append(actor=actor.subject, actor_role=acting_role(actor, "poll.execution"), action="poll.execution",
                       target_type="poll", target_id=poll_id, before=_summary(before), after=_summary(report), at=at)
    if _summary(before) != _summary(report):
        _notify_followers(poll, report, ports)
    return staff_execution(saved.execution)


def add_execution_update(actor: Principal, poll_id: str, body: dict, now: datetime | None = None,
                         ports: PollStaffPorts | None = None) -> dict:
    data = parse_model(_schemas.ExecutionUpdateIn, body)
    ports = ports or default_execution_ports()
    poll = staff_poll(actor, poll_id, polls=ports.polls, territories=ports.territories)
    _require_author_role(actor, poll)
    report = poll.execution
    if not report:
        raise Conflict("Сначала укажите принятое решение и статус исполнения.", code="no-execution-report")
    if len(report.updates) >= MAX_UPDATES:
        raise Conflict(f"В отчёте уже {MAX_UPDATES} записей о ходе исполнения.", code="too-many-updates")
    photos = tuple(Photo(**media.stored(p)) for p in data.photos)
    ports.check_images((f"photos.{i}", {"id": p.id}) for i, p in enumerate(photos))
    at = iso(now or ports.clock())
    update = ExecutionUpdate(date=data.date.isoformat(), text=data.text, links=tuple(data.links), added_at=at,
                             added_by=actor.subject, photos=photos)
    report = replace(report, updates=(*report.updates, update), updated_at=at)
    saved = ports.polls.set_fields(poll_id, "final", execution=report)
    ports.audit.append(actor=actor.subject, actor_role=acting_role(actor, "poll.execution_update"),
                       action="poll.execution_update", target_type="poll", target_id=poll_id,
                       after=update.as_dict(), at=at)
    _notify_followers(poll, report, ports)
    return staff_execution(saved.execution)


def _notify_followers(poll: model.Poll, report: Execution, ports: PollStaffPorts) -> None:
    """A poll's followers hear of each change of its execution report (docs/decisions/018-web-push.md)."""
    ports.notify("poll_execution", poll.poll_id, poll.title, status_title=report.status_title)


def _summary(report: Execution | None) -> dict | None:
    return None if report is None else {"decision": report.decision, "status": report.status}


def staff_execution(report: Execution | None) -> dict | None:
    """The execution report as staff read it: as stored, with each photo's URL."""
    return report.for_staff(media.url_for) if report else None


def resident_execution(poll: model.Poll) -> dict | None:
    """The execution report as residents read it: no staff ids, photos as URLs with alt text."""
    return poll.execution.for_residents(media.url_for) if poll.execution else None


# ---------------------------------------------------------------- review
REVIEWED_FIELDS = {
    "title": "Заголовок", "description": "Описание", "image_url": "Изображение (ссылка)", "image": "Изображение",
    "territory_ids": "Территории",
    "opens_at": "Начало", "closes_at": "Окончание", "min_age": "Минимальный возраст",
    "results_visibility": "Видимость результатов", "questions": "Вопросы",
}


def content_changes(before: dict | None, after: dict) -> list[dict]:
    """What changed between the content the Directorate last rejected and the content now."""
    if not before:
        return []
    changes = []
    for name, title in REVIEWED_FIELDS.items():
        if name == "questions":
            changes.extend(_question_changes(before.get("questions", []), after.get("questions", [])))
        elif before.get(name) != after.get(name):
            changes.append({"field": name, "title": title, "before": before.get(name), "after": after.get(name)})
    return changes


def _question_text(q: dict) -> str:
    limits = "один ответ" if q["kind"] == "single" else f"от {q['min_choices']} до {q['max_choices']} ответов"
    return f"{q['text']} ({limits}): " + "; ".join(o["text"] for o in q["options"])


def _question_changes(before: list[dict], after: list[dict]) -> list[dict]:
    changes = []
    for i in range(max(len(before), len(after))):
        old = _question_text(before[i]) if i < len(before) else None
        new = _question_text(after[i]) if i < len(after) else None
        if old != new:
            changes.append({"field": f"questions.{i}", "title": f"Вопрос {i + 1}", "before": old, "after": new})
    return changes
