"""Poll use cases: drafting and moderation by staff, listing, reading and results for residents.

Casting and the state of a ballot are in ``aj74.polls.voting``, the helpers that decide who reaches
which poll in ``aj74.polls.access``. Routes call these functions; they hold no HTTP. The staff use
cases reach the poll table, the audit log, the territory tree, the clock and the media check through
a :class:`aj74.polls.ports.PollStaffPorts` (``ports=None``: the real adapters of
:func:`default_ports`; docs/decisions/021-ports-and-adapters.md), the resident use cases the poll
table, the ledger, the live tallies, the territory tree, the ballot-key secret, the clock and
settlement through a :class:`aj74.polls.ports.ResidentPollPorts` (:func:`default_resident_ports`).
"""

from __future__ import annotations

from datetime import datetime

from aj74 import scope
from aj74.clock import iso, utcnow
from aj74.errors import Conflict, Forbidden, InvalidInput
from aj74.identity.principal import Principal
from aj74.identity.roles import APPROVER, acting_role, is_region_wide
from aj74.ids import ulid
from aj74.integrity.ports import ResidentViewPorts
from aj74.media import service as media
from aj74.pagination import decode_cursor, encode_cursor
from aj74.polls import model, reporting
from aj74.polls import resident_view as resident_extras
from aj74.polls.access import check_poll_id, resident_poll, voter_key
from aj74.polls.breakdown import live
from aj74.polls.lifecycle import POLL_WORKFLOW
from aj74.polls.ports import PollStaffPorts, PollTable, ResidentPollPorts
from aj74.polls.repository import PollRepository
from aj74.polls.state import Result, ReviewSnapshot
from aj74.settings import get_settings
from aj74.territories import TerritoryTree, territory_tree
from aj74.validation import LazySchemas, parse_model
from aj74.workflow import edit_entry

# Said in the audit entry of an approver's edit: four eyes then needs another approver.
APPROVER_EDIT_NOTE = "Правка согласующего: эту версию согласует другой согласующий."


_schemas = LazySchemas("aj74.polls.schemas")


def default_ports(**overrides) -> PollStaffPorts:
    """The staff use cases' real adapters (the poll and audit tables, the territory registry, the
    wall clock, the media bucket, the push outbox), ``overrides`` in their place; built per call, as
    they were built inline before. The execution report shares them: they are wired in
    ``aj74.polls.reporting.default_execution_ports`` (this module imports that one)."""
    return reporting.default_execution_ports(**overrides)


def default_resident_ports(**overrides) -> ResidentPollPorts:
    """The resident use cases' real adapters (the poll, ballot and live-tally tables, the territory
    registry, the ballot-key secret, the wall clock, settlement), ``overrides`` in their place;
    built per call, as they were built inline before."""
    from aj74.ballots.repository import BallotLedger, LiveTallies
    from aj74.keystore import ballot_key_secret
    from aj74.points.settlement import settle

    return ResidentPollPorts(**{"polls": PollRepository(), "ledger": BallotLedger(), "tallies": LiveTallies(),
                                "territories": territory_tree, "key_secret": ballot_key_secret, "clock": utcnow,
                                "settle": settle, **overrides})


# ====================================================================== staff
def _content_from(data) -> dict:
    return data.model_dump(mode="python")


def _check_images(data, ports: PollStaffPorts) -> None:
    """Every image the body names (the poll's, its options') is one POST /v1/admin/media accepted."""
    refs = [("image", media.stored(data.image))]
    refs += [(f"questions.{qi}.options.{oi}.image", media.stored(o.image))
             for qi, q in enumerate(data.questions) for oi, o in enumerate(q.options) if o.image]
    ports.check_images(refs)


def _with_images(content: dict) -> dict:
    """Poll content as views show it: images (the poll's, its options') with their URLs."""
    questions = [{**q, "options": [{**o, "image": media.present(o["image"])} if o.get("image") else o
                                   for o in q["options"]]} for q in content["questions"]]
    return {**content, "image": media.present(content.get("image")), "questions": questions}


def _require_future_close(data, now: datetime) -> None:
    if data.closes_at <= now:
        raise InvalidInput("Время окончания опроса уже прошло.",
                           errors=[{"field": "closes_at", "detail": "время окончания должно быть в будущем"}])


def create_poll(actor: Principal, body: dict, now: datetime | None = None,
                ports: PollStaffPorts | None = None) -> dict:
    data = parse_model(_schemas.PollContentIn, body)
    ports = ports or default_ports()
    now = now or ports.clock()
    _require_future_close(data, now)
    _check_images(data, ports)
    tree = ports.territories()
    scope.check_territories_exist(data.territory_ids, tree)
    scope.require_scope(actor, data.territory_ids, tree)
    poll = model.new_poll(ulid(), _content_from(data), actor, now)
    poll = ports.polls.create(poll)
    ports.audit.append(actor=actor.subject, actor_role=acting_role(actor, "poll.create"), action="poll.create",
                       target_type="poll", target_id=poll.poll_id, after=poll.content(), at=iso(now))
    return staff_view(poll, ports)


def edit_poll(actor: Principal, poll_id: str, body: dict, ports: PollStaffPorts | None = None) -> dict:
    check_poll_id(poll_id)
    patch = parse_model(_schemas.PollPatchIn, body)
    ports = ports or default_ports()
    repo = ports.polls
    poll = repo.get(poll_id)
    tree = ports.territories()
    scope.require_scope(actor, poll.territory_ids, tree)
    if poll.state not in model.EDITABLE_STATES:
        raise Conflict("Редактировать можно только черновик или отклонённый опрос; после открытия "
                       "содержание опроса не меняется.", code="not-editable", state=poll.state)
    changes = patch.model_dump(mode="python", exclude_unset=True, exclude={"version"})
    merged = {**_editable_input(poll), **changes}
    data = parse_model(_schemas.PollContentIn, merged)
    _require_future_close(data, ports.clock())
    _check_images(data, ports)
    scope.check_territories_exist(data.territory_ids, tree)
    scope.require_scope(actor, data.territory_ids, tree)
    updated = poll.with_content({**_content_from(data), "questions": model.assign_ids(
        [q.model_dump() for q in data.questions])})
    before = poll.content()
    at = iso(ports.clock())
    edit = edit_entry(POLL_WORKFLOW.name, actor, poll.state, patch.version + 1, at)
    saved = repo.save_content(updated, patch.version, edit=edit)
    ports.audit.append(actor=actor.subject, actor_role=edit["actor_role"], action="poll.edit", target_type="poll",
                       target_id=poll_id, before=before, after=saved.content(), at=at,
                       comment=APPROVER_EDIT_NOTE if edit["actor_role"] == APPROVER else None)
    return staff_view(saved, ports)


def _editable_input(poll: model.Poll) -> dict:
    """A poll's content in the shape of the create body (for merging a partial edit)."""
    content = poll.content()
    content["questions"] = [
        {"text": q["text"], "kind": q["kind"], "min_choices": q["min_choices"], "max_choices": q["max_choices"],
         "options": [{"text": o["text"], **({"image": o["image"]} if o.get("image") else {})}
                     for o in q["options"]]}
        for q in content["questions"]
    ]
    return content


def moderate(actor: Principal, poll_id: str, action: str, body: dict | None = None,
             ports: PollStaffPorts | None = None) -> dict:
    """submit / approve / reject / cancel, as the workflow allows."""
    check_poll_id(poll_id)
    comment = parse_model(_schemas.CommentIn, body or {}).comment
    ports = ports or default_ports()
    repo = ports.polls
    poll = repo.get(poll_id)
    item = {"territory_ids": poll.territory_ids, "created_by": poll.created_by, "state": poll.state,
            "history": poll.history}
    transition = POLL_WORKFLOW.plan(action, poll.state, actor, item, comment, iso(ports.clock()))
    # What the Directorate rejected is kept, so the next review shows what changed since.
    fields = {"review_snapshot": ReviewSnapshot(poll.content())} if action == "reject" else {}
    saved = repo.apply(poll_id, transition, expected_version=poll.version, **fields)
    ports.audit.append(actor=actor.subject, actor_role=transition.actor_role, action=f"poll.{action}",
                       target_type="poll", target_id=poll_id, before={"state": transition.from_state},
                       after={"state": transition.to_state}, comment=comment, at=transition.at)
    return staff_view(saved, ports)


def get_staff(actor: Principal, poll_id: str, ports: PollStaffPorts | None = None) -> dict:
    check_poll_id(poll_id)
    ports = ports or default_ports()
    poll = ports.polls.get(poll_id)
    if actor.has_role("moderator") and not is_region_wide(actor):
        scope.require_scope(actor, poll.territory_ids, ports.territories())
    return staff_view(poll, ports)


def list_staff(actor: Principal, state: str | None, limit: int, cursor: str | None,
               ports: PollStaffPorts | None = None) -> dict:
    if state is not None and state not in model.STATES:
        raise InvalidInput("Неизвестное состояние опроса.",
                           errors=[{"field": "state", "detail": "допустимые значения: " + ", ".join(model.STATES)}])
    states = [state] if state else list(model.STATES)
    ports = ports or default_ports()
    tree = ports.territories()
    polls = []
    for s in states:
        polls.extend(_all_in_state(ports.polls, s))
    if actor.has_role("moderator") and not is_region_wide(actor):
        polls = [p for p in polls if not scope.out_of_scope(actor, p.territory_ids, tree)]
    page, next_cursor = _page(polls, limit, cursor)
    return {"items": [staff_view(p, ports) for p in page], "next_cursor": next_cursor}


def _all_in_state(repo: PollTable, state: str) -> list[model.Poll]:
    polls, cursor = [], None
    while True:
        batch, cursor = repo.by_state(state, cursor=cursor)
        polls.extend(batch)
        if not cursor:
            return polls


def _page(polls: list[model.Poll], limit: int, cursor: str | None) -> tuple[list[model.Poll], str | None]:
    """Newest opening first; the cursor remembers the last (opens_at, id) shown."""
    ordered = sorted(polls, key=lambda p: (p.opens_at, p.poll_id), reverse=True)
    after = decode_cursor(cursor)
    if after:
        mark = (after.get("o", ""), after.get("i", ""))
        ordered = [p for p in ordered if (iso(p.opens_at), p.poll_id) < mark]
    page = ordered[:limit]
    more = len(ordered) > limit
    next_cursor = encode_cursor({"o": iso(page[-1].opens_at), "i": page[-1].poll_id}) if more and page else None
    return page, next_cursor


def staff_view(poll: model.Poll, ports: PollStaffPorts | None = None) -> dict:
    tree = (ports.territories if ports else territory_tree)()
    return {
        "id": poll.poll_id, "state": poll.state, "state_title": model.STATE_TITLES[poll.state],
        "version": poll.version, **_with_images(poll.content()),
        "territories": [tree.get(t).as_dict() for t in poll.territory_ids if t in tree],
        "created_by": poll.created_by, "created_at": poll.created_at, "history": list(poll.history),
        "fingerprint": poll.fingerprint, "result": poll.result.as_dict() if poll.result else None,
        "amendments": [a.as_dict() for a in poll.amendments],
        "execution": reporting.staff_execution(poll.execution),
        "informed_content_id": poll.informed.content_id if poll.informed else None,
        "changes_since_review": reporting.content_changes(
            poll.review_snapshot.content if poll.review_snapshot else None, poll.content()),
    }


# ====================================================================== residents
RESIDENT_STATES = ("open", "final")


def resident_view(poll: model.Poll, voted: bool, tree: TerritoryTree | None = None) -> dict:
    """A published poll as a resident reads it; ``tree`` defaults to the territory registry."""
    tree = tree if tree is not None else territory_tree()
    content = _with_images(poll.content())
    return {
        "id": poll.poll_id, "state": poll.state, "title": content["title"], "description": content["description"],
        "image_url": content["image_url"], "image": content["image"], "territory_ids": content["territory_ids"],
        "territories": [tree.get(t).name for t in poll.territory_ids if t in tree],
        "opens_at": content["opens_at"], "closes_at": content["closes_at"], "min_age": content["min_age"],
        "results_visibility": content["results_visibility"], "questions": content["questions"],
        "voted": voted, "fingerprint": poll.fingerprint, "execution": reporting.resident_execution(poll),
    }


def _voted(actor: Principal, poll_id: str, ports: ResidentPollPorts) -> bool:
    """Whether the ledger holds the resident's ballot in this poll (as ``voting.has_voted``)."""
    return ports.ledger.get(poll_id, voter_key(poll_id, actor, ports.key_secret())) is not None


def _extended(actor: Principal, poll: model.Poll, tree: TerritoryTree, ports: ResidentPollPorts) -> dict:
    """The resident's view of ``poll`` with what the poll page adds (``aj74.polls.resident_view``)."""
    view = resident_view(poll, _voted(actor, poll.poll_id, ports), tree)
    return resident_extras.extend(view, poll, actor, tree,
                                  ports=ResidentViewPorts(tallies=ports.tallies, clock=ports.clock))


def list_for_resident(actor: Principal, state: str, limit: int, cursor: str | None,
                      ports: ResidentPollPorts | None = None) -> dict:
    if state not in RESIDENT_STATES:
        raise InvalidInput("Можно запросить только открытые (open) или завершённые (final) опросы.",
                           errors=[{"field": "state", "detail": "допустимые значения: open, final"}])
    ports = ports or default_resident_ports()
    tree = ports.territories()
    if state == "final":
        ports.settle(actor)  # participation points for the results the resident is about to see
    polls = [p for p in _all_in_state(ports.polls, state) if model.visible_to(p, actor, tree)]
    page, next_cursor = _page(polls, limit, cursor)
    return {"items": [_extended(actor, p, tree, ports) for p in page], "next_cursor": next_cursor}


def get_for_resident(actor: Principal, poll_id: str, ports: ResidentPollPorts | None = None) -> dict:
    ports = ports or default_resident_ports()
    poll = resident_poll(actor, poll_id, polls=ports.polls, territories=ports.territories)
    return _extended(actor, poll, ports.territories(), ports)


def results(actor: Principal, poll_id: str, ports: ResidentPollPorts | None = None) -> dict:
    ports = ports or default_resident_ports()
    poll = resident_poll(actor, poll_id, polls=ports.polls, territories=ports.territories)
    if poll.state == "final":
        result = poll.result or Result(total_ballots=0, counts={})
        return model.results_body(poll, result.counts, result.total_ballots, "final") | {
            "merkle_root": result.merkle_root, "amendments": [a.as_dict() for a in poll.amendments],
            "fingerprint": poll.fingerprint, "audit_head": result.audit_head}
    if poll.results_visibility == "after_close":
        raise Forbidden("Результаты будут опубликованы после завершения голосования.", code="results-hidden")
    if not _voted(actor, poll_id, ports):
        raise Forbidden("Результаты видны после того, как ваш голос учтён.", code="results-after-vote")
    total, counts = ports.tallies.read(poll_id)
    step = get_settings().small_cell_threshold  # live numbers move in steps: no single ballot is seen arriving
    return model.results_body(poll, {k: live(v, step) for k, v in counts.items()}, live(total, step), "live")
