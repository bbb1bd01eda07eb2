"""Informing the public (step 6 of the decision cycle): one action drafts a feed news item with a
final poll's result and the decision taken, for the poll's territories. The item then goes through
the same approval as any content (aj74.content). It reaches the poll table, the audit log, the
territory tree, the clock and the content service's ports through an
:class:`aj74.polls.ports.InformingPorts` (``ports=None``: :func:`default_ports`)."""

from __future__ import annotations

from aj74.clock import iso
from aj74.errors import Conflict, Forbidden, NotFound
from aj74.identity.principal import Principal
from aj74.identity.roles import acting_role
from aj74.ids import ulid
from aj74.polls import model
from aj74.polls.access import staff_poll
from aj74.polls.ports import InformingPorts
from aj74.polls.state import Informed

TITLE_LIMIT = 200


def default_ports(**overrides) -> InformingPorts:
    """The real adapters (the poll and audit tables, the territory registry, the wall clock, the
    content service's own), ``overrides`` in their place; built per call."""
    from aj74.audit.repository import AuditLog
    from aj74.clock import utcnow
    from aj74.content.service import default_ports as content_ports
    from aj74.polls.repository import PollRepository
    from aj74.territories import territory_tree

    return InformingPorts(**{"polls": PollRepository(), "audit": AuditLog(), "territories": territory_tree,
                             "clock": utcnow, **({} if "content" in overrides else {"content": content_ports()}),
                             **overrides})


def russian_date(value: str) -> str:
    """A report's plain date (``2026-12-01``) as residents read it: ``01.12.2026``."""
    year, month, day = value.split("-")
    return f"{day}.{month}.{year}"


def news_body(poll: model.Poll) -> dict:
    """The create body of the news item: the result per question and the execution report."""
    total = int(poll.result.total_ballots) if poll.result else 0
    summary = model.results_body(poll, poll.result.counts if poll.result else {}, total, "final")
    lines = [f"Голосование «{poll.title}» завершено. Приняли участие: {total}.", ""]
    for q in summary["questions"]:
        lines.append(q["text"])
        for o in sorted(q["options"], key=lambda o: -o["count"]):
            lines.append(f"— {o['text']}: {o['count']} ({round(o['share'] * 100)} %)")
        lines.append("")
    report = poll.execution
    if report:
        lines.append(f"Принятое решение: {report.decision}")
        lines.append(f"Статус исполнения: {report.status_title}.")
        for update in report.updates:
            lines.append(f"{russian_date(update.date)}: {update.text}")
    title = f"Итоги опроса «{poll.title}»"
    if len(title) > TITLE_LIMIT:
        title = title[:TITLE_LIMIT - 2] + "…»"
    return {"type": "news", "title": title, "body": "\n".join(lines).strip(),
            "territory_ids": list(poll.territory_ids)}


def inform(actor: Principal, poll_id: str, ports: InformingPorts | None = None) -> tuple[dict, bool]:
    """Draft the news item and submit it for approval, once per poll: returns (content item, created).

    A repeated call returns the item drafted first, whatever became of it since (staff edit and
    resubmit it through the content workflow). The item's id is remembered on the poll *before*
    the item is created, by a version-conditioned write, so of two concurrent calls only one drafts;
    a call that failed between the two writes is completed by the next one.
    """
    from aj74.content import service as content

    ports = ports or default_ports()
    poll = staff_poll(actor, poll_id, ports.polls, ports.territories)
    if not (actor.has_role("moderator") or actor.has_role("approver")):
        raise Forbidden("Информировать жителей могут модератор территории или Управление по внутренней политике.",
                        code="role-required")
    if poll.state != "final":
        raise Conflict("Сообщить об итогах можно после подведения итогов.", code="not-final", state=poll.state)
    informed = poll.informed
    if informed is None:
        informed = Informed(content_id=ulid(), at=iso(ports.clock()), by=actor.subject)
        ports.polls.set_fields(poll_id, "final", informed=informed)
    try:
        return content.get_staff(actor, informed.content_id, ports=ports.content), False
    except NotFound:
        pass
    draft = content.create_content(actor, news_body(poll), content_id=informed.content_id, ports=ports.content)
    submitted = content.moderate(actor, draft["id"], "submit", ports=ports.content)
    ports.audit.append(actor=actor.subject, actor_role=acting_role(actor, "poll.inform"), action="poll.inform",
                       target_type="poll", target_id=poll_id, after={"content_id": draft["id"]})
    return submitted, True
