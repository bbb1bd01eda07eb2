"""What the scheduled function does on every tick: open approved polls at ``opens_at``, close open
polls at ``closes_at``, finalise closed polls with an exact recount from the ledger, and amend a
published result when a ballot accepted before close reached the ledger after it.

Every step is a conditional state change, so overlapping or repeated ticks do no harm.

The tick reaches the poll table, the ledger's ballots, the published lists, the live tallies, the
audit log, the push outbox and the clock through a :class:`aj74.polls.ports.SchedulerPorts`
(``ports=None``, as functions/poll_scheduler.py calls it: the real adapters of :func:`default_ports`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from aj74.clock import iso, utcnow
from aj74.errors import Conflict
from aj74.integrity.fingerprint import fingerprint
from aj74.integrity.published import PublishedBallot, canonical, tally
from aj74.observability import logger
from aj74.polls.lifecycle import POLL_WORKFLOW
from aj74.polls.model import Poll
from aj74.polls.ports import BallotReads, PollTable, SchedulerPorts
from aj74.polls.state import Amendment, Result


def _wall_clock() -> datetime:
    return utcnow()  # looked up per call: tests move this module's utcnow


def _notify(kind: str, poll_id: str, title: str, territory_ids) -> bool:
    from aj74.push.outbox import notify_poll_event

    return notify_poll_event(kind, poll_id, title, territory_ids)


def default_ports(**overrides) -> SchedulerPorts:
    """The tick's real adapters (the poll, ballot, published-list and audit tables, the live
    tallies, the push queue, the wall clock), ``overrides`` in their place; built per call."""
    from aj74.audit.repository import AuditLog
    from aj74.ballots.repository import BallotLedger, LiveTallies
    from aj74.integrity.repository import PublishedBallots
    from aj74.polls.repository import PollRepository

    return SchedulerPorts(**{"polls": PollRepository(), "ledger": BallotLedger(), "published": PublishedBallots(),
                             "tallies": LiveTallies(), "audit": AuditLog(), "notify": _notify,
                             "clock": _wall_clock, **overrides})


def _ledger(ledger: BallotReads | None) -> BallotReads:
    if ledger is not None:
        return ledger
    from aj74.ballots.repository import BallotLedger

    return BallotLedger()


@dataclass
class TickReport:
    opened: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    finalised: list[str] = field(default_factory=list)
    amended: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)  # polls whose step raised; retried next tick

    def as_dict(self) -> dict:
        return {"opened": self.opened, "closed": self.closed, "finalised": self.finalised, "amended": self.amended,
                "failed": self.failed}


def isolated(what: str, subject: str, work, failed: list[str]):
    """Run one poll's (or the feed's) step; an exception is logged with its subject, counted in the
    SchedulerStepFailed metric (alarmed) and kept from the other polls, which go on."""
    try:
        return work()
    except Exception:  # noqa: BLE001 - one poll's failure must not stop another's or the feed
        from aj74.observability import count_metric

        count_metric("SchedulerStepFailed")
        logger.exception("scheduler step failed", step=what, poll_id=subject)
        failed.append(subject)
        return None


def _all(repo: PollTable, state: str, opens_before: datetime | None = None) -> list[Poll]:
    polls, cursor = [], None
    while True:
        batch, cursor = repo.by_state(state, opens_before=opens_before, cursor=cursor)
        polls.extend(batch)
        if not cursor:
            return polls


def counted_ballots(poll: Poll, ledger: BallotReads | None = None) -> list[PublishedBallot]:
    """Every ballot in the ledger accepted before close, as published: canonical order, no keys.
    ``ledger`` defaults to the ballot table."""
    closes_ms = int(poll.closes_at.timestamp() * 1000)
    return canonical(PublishedBallot(b.commitment, b.option_ids) for b in _ledger(ledger).all_ballots(poll.poll_id)
                     if b.accepted_at_ms < closes_ms)


def recount(poll: Poll, ports: SchedulerPorts | None = None) -> dict:
    """The official result: every counted ballot once, and its published ballot list stored first,
    so a result is never visible without the list that lets anyone check it."""
    ports = ports or default_ports()
    ballots = counted_ballots(poll, ports.ledger)
    result = tally(ballots)
    ports.published.write(poll.poll_id, result["merkle_root"], ballots, poll.option_ids)
    return result


def tick(now: datetime | None = None, grace_seconds: int = 60, ports: SchedulerPorts | None = None) -> TickReport:
    ports = ports or default_ports()
    now = now or ports.clock()
    repo, audit, report = ports.polls, ports.audit, TickReport()

    def step(poll: Poll, action: str, **fields) -> bool:
        transition = POLL_WORKFLOW.plan(action, poll.state, None, {}, None, iso(now))
        try:
            repo.apply(poll.poll_id, transition, **fields)
        except Conflict:
            return False  # another tick got there first
        audit.append(actor=transition.actor, actor_role="system", action=f"poll.{action}", target_type="poll",
                     target_id=poll.poll_id, before={"state": transition.from_state},
                     after={"state": transition.to_state, **({"fingerprint": fields["fingerprint"]}
                                                              if "fingerprint" in fields else {})}, at=transition.at)
        return True

    def run(what: str, poll: Poll, work, done: list[str]) -> None:
        if isolated(what, poll.poll_id, work, report.failed):
            done.append(poll.poll_id)

    def notified(poll: Poll, kind: str, done: bool) -> bool:
        # Residents hear of a poll that opened (its territories) and of its final result (its
        # followers); queued only by the tick whose step took effect (docs/decisions/018-web-push.md).
        if done:
            ports.notify(kind, poll.poll_id, poll.title, poll.territory_ids)
        return done

    def opened(poll: Poll) -> bool:
        return notified(poll, "poll_opened", step(poll, "open", fingerprint=fingerprint(poll.content())))

    def finalised(poll: Poll) -> bool:
        return notified(poll, "poll_final", step(poll, "finalise", result=_final_result(poll, now, ports)))

    for poll in _all(repo, "approved", opens_before=now):
        run("open", poll, lambda p=poll: opened(p), report.opened)
    for poll in _all(repo, "open"):
        if poll.closes_at <= now:
            run("close", poll, lambda p=poll: step(p, "close"), report.closed)
    for poll in _all(repo, "closed"):
        if poll.closes_at + timedelta(seconds=grace_seconds) <= now:
            run("finalise", poll, lambda p=poll: finalised(p), report.finalised)
    for poll in _all(repo, "final"):
        if poll.amend_pending:
            run("amend", poll, lambda p=poll: _amend(ports, p, now), report.amended)
    if any(report.as_dict().values()):
        logger.info("scheduler tick", **report.as_dict())
    return report


def _final_result(poll: Poll, now: datetime, ports: SchedulerPorts) -> Result:
    counted = recount(poll, ports)
    live_total, live_counts = ports.tallies.read(poll.poll_id)
    matched = live_total == counted["total_ballots"] and all(
        live_counts.get(k, 0) == v for k, v in counted["counts"].items())
    if not matched:
        logger.warning("live tally differs from the recount", poll_id=poll.poll_id, live_total=live_total,
                       recount_total=counted["total_ballots"])
    return Result(**counted, live_tally_matched=matched, finalised_at=iso(now),
                  breakdowns=(_frozen_breakdowns(poll, [], ports.ledger),),
                  # Published with the result: the log up to here can no longer be rewritten unseen
                  # (docs/decisions/013).
                  audit_head=ports.audit.head())


def counted_voter_groups(poll: Poll, ledger: BallotReads | None = None) -> list:
    """Every counted ballot with its coarse attributes (territory, age band, gender): the input of
    breakdowns (``ledger`` defaults to the ballot table). Imported lazily: the breakdown module
    loads scipy (docs/decisions/014)."""
    from aj74.polls import breakdown as bd

    closes_ms = int(poll.closes_at.timestamp() * 1000)
    return [bd.VoterGroupBallot(b.option_ids, b.territory_id, b.age_band, b.gender)
            for b in _ledger(ledger).all_ballots(poll.poll_id) if b.accepted_at_ms < closes_ms]


def _frozen_breakdowns(poll: Poll, earlier: list[dict], ledger: BallotReads | None = None) -> dict | None:
    """The breakdowns to store with a final result or an amendment (a release, see
    ``breakdown.release``), or None when they cannot be computed: the result must not wait for them."""
    from aj74.observability import count_metric
    from aj74.polls import breakdown as bd
    from aj74.settings import get_settings

    try:
        return bd.release([q.as_dict() for q in poll.questions], counted_voter_groups(poll, ledger),
                          get_settings().small_cell_threshold, earlier)
    except Exception:  # noqa: BLE001 - the official result goes out without breakdowns; alarmed
        count_metric("BreakdownFailed")
        logger.exception("breakdowns not computed", poll_id=poll.poll_id)
        return None


def _amend(ports: SchedulerPorts, poll: Poll, now: datetime) -> bool:
    repo, audit = ports.polls, ports.audit
    previous = poll.result
    previous_total = previous.total_ballots if previous else None
    previous_root = previous.merkle_root if previous else None
    # Clear the flag first: a ballot that lands during the recount sets it again.
    repo.set_fields(poll.poll_id, "final", amend_pending=None)
    counted = recount(poll, ports)
    if counted["total_ballots"] == previous_total and counted["merkle_root"] == previous_root:
        return False
    # An amendment's tables are suppressed together with every earlier release: the late ballots'
    # groups and choices stay hidden like any other small cell (docs/decisions/014).
    earlier = [r for r in (previous.breakdowns if previous else None) or () if r]
    result = Result(**counted, finalised_at=previous.finalised_at if previous else None, amended_at=iso(now),
                    breakdowns=(*earlier, _frozen_breakdowns(poll, earlier, ports.ledger)),
                    audit_head=audit.head())
    amendment = Amendment(at=iso(now), previous_total=previous_total, total=result.total_ballots,
                          previous_merkle_root=previous_root, merkle_root=result.merkle_root,
                          audit_head=result.audit_head)
    fresh = repo.get(poll.poll_id)
    repo.set_fields(poll.poll_id, "final", result=result, amendments=(*fresh.amendments, amendment))
    audit.append(actor="system:scheduler", actor_role="system", action="poll.amend_result", target_type="poll",
                 target_id=poll.poll_id, before={"total_ballots": previous_total},
                 after={"total_ballots": result.total_ballots}, at=iso(now))
    return True
