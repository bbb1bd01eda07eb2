"""Content use cases: drafting, moderation and the emergency fast path for staff; the feed, an
item and the events calendar for residents. Everything outside the process is a port
(aj74.content.ports, docs/decisions/021-ports-and-adapters.md); the routes pass none and
``default_ports()`` gives the real adapters."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

from aj74 import scope
from aj74.clock import iso, parse_iso
from aj74.content import model
from aj74.content.lifecycle import CONTENT_WORKFLOW
from aj74.content.model import Content
from aj74.content.ports import ContentPorts
from aj74.errors import Conflict, Forbidden, InvalidInput, NotFound
from aj74.identity.principal import Principal
from aj74.identity.roles import APPROVER, EMERGENCY, MODERATOR, acting_role, is_region_wide
from aj74.ids import is_ulid, ulid
from aj74.media import service as media
from aj74.pagination import decode_cursor, encode_cursor
from aj74.validation import LazySchemas, invalid_fields, parse_model
from aj74.workflow import edit_entry

# The calendar's default window, and the longest one a request may ask for.
DEFAULT_EVENTS_DAYS = 30
MAX_EVENTS_DAYS = 366
# Said in the audit entry of an approver's edit: four eyes then needs another approver.
APPROVER_EDIT_NOTE = "Правка согласующего: эту версию согласует другой согласующий."


_schemas = LazySchemas("aj74.content.schemas")


def default_ports() -> ContentPorts:
    """The real adapters (those of ``aj74.content.publishing``, which the scheduler uses too)."""
    from aj74.content.publishing import default_ports as real

    return real()


def _check_id(content_id: str) -> None:
    if not is_ulid(content_id):
        raise NotFound("Материал не найден.", code="content-not-found")


def _audit(ports: ContentPorts, actor: Principal, action: str, content_id: str, **kw) -> None:
    ports.audit.append(actor=actor.subject, actor_role=acting_role(actor, f"content.{action}"),
                       action=f"content.{action}", target_type="content", target_id=content_id, **kw)


# ====================================================================== staff
def _parse(body: dict):
    kind = body.get("type")
    if kind not in model.TYPES:
        raise InvalidInput("Неизвестный тип материала.",
                           errors=[{"field": "type", "detail": "допустимые значения: " + ", ".join(model.TYPES)}])
    return parse_model(_schemas.CONTENT_MODELS[kind], body)


def _fields(data) -> dict:
    """The type's fields with times as UTC ``…Z`` strings (they sort and compare as text)."""
    raw = data.model_dump(mode="python", exclude={"type", "territory_ids", "publish_at"})
    return {k: iso(v) if isinstance(v, datetime) else v for k, v in raw.items() if v is not None}


def _check_times(data, now: datetime) -> None:
    errors = []
    if data.type == "bulletin" and data.expires_at <= now:
        errors.append({"field": "expires_at", "detail": "Срок действия бюллетеня уже истёк"})
    if data.type == "event" and data.ends_at <= now:
        errors.append({"field": "ends_at", "detail": "Событие уже закончилось"})
    if errors:
        raise invalid_fields(errors)


def _check_image(data) -> None:
    """An image the body names must be one POST /v1/admin/media accepted."""
    media.check([("image", media.stored(getattr(data, "image", None)))])


def _with_image(item: dict) -> dict:
    """A view or card with its image shown as a URL (types that carry one always have the key)."""
    if item.get("type") in model.IMAGE_TYPES:
        return {**item, "image": media.present(item.get("image"))}
    return item


def _input_of(content: Content) -> dict:
    """An item in the shape of the create body (for merging a partial edit)."""
    body = {"type": content.type, "territory_ids": list(content.territory_ids), **content.fields}
    body.pop("found_at", None)
    if content.publish_at:
        body["publish_at"] = content.publish_at
    return body


def create_content(actor: Principal, body: dict, now: datetime | None = None, content_id: str | None = None,
                   ports: ContentPorts | None = None) -> dict:
    """A draft by a moderator or approver; a live bulletin at once for the emergency role.
    ``content_id`` is given by callers that reserved the id beforehand (polls.informing)."""
    ports = ports or default_ports()
    data = _parse(body)
    now = now or ports.clock()
    _check_times(data, now)
    _check_image(data)
    tree = ports.territories()
    scope.check_territories_exist(data.territory_ids, tree)
    scope.require_scope(actor, data.territory_ids, tree)
    content = Content(content_id=content_id or ulid(), type=data.type, state="draft",
                      territory_ids=tuple(data.territory_ids), fields=_fields(data),
                      publish_at=iso(data.publish_at) if data.publish_at else None,
                      created_by=actor.subject, created_at=iso(now))
    if actor.has_role(EMERGENCY) and not (actor.has_role(MODERATOR) or actor.has_role(APPROVER)):
        return _emergency_publish(actor, content, now, ports)
    if not (actor.has_role(MODERATOR) or actor.has_role(APPROVER)):
        raise Forbidden("Материалы готовят модераторы территорий и Управление по внутренней политике.",
                        code="role-required")
    saved = ports.content.create(content)
    _audit(ports, actor, "create", saved.content_id, after=_input_of(saved), at=iso(now))
    return staff_view(saved, ports)


def _emergency_publish(actor: Principal, content: Content, now: datetime, ports: ContentPorts) -> dict:
    from aj74.content.publishing import sync_feed

    item = {"type": content.type, "territory_ids": content.territory_ids, "created_by": content.created_by}
    transition = CONTENT_WORKFLOW.plan("emergency_publish", model.NEW, actor, item, None, iso(now))
    content = replace(content, state=transition.to_state, publish_at=iso(now), published_at=model.iso_ms(now),
                      feed_pending="publish", history=(transition.as_dict(),))
    saved = ports.content.create(content)
    _audit(ports, actor, "emergency_publish", saved.content_id, before=None,
           after={"state": "published", **_input_of(saved)}, at=transition.at)
    return staff_view(sync_feed(saved, ports), ports)


def edit_content(actor: Principal, content_id: str, body: dict, ports: ContentPorts | None = None) -> dict:
    """Edit a draft (optimistic ``version``), or record that a missing person was found."""
    ports = ports or default_ports()
    _check_id(content_id)
    version = parse_model(_schemas.VersionIn, body).version
    repo = ports.content
    content = repo.get(content_id)
    tree = ports.territories()
    scope.require_scope(actor, content.territory_ids, tree)
    if content.state == "published" and content.type == "missing_person":
        return _record_found(actor, content, body, ports)
    if content.state not in model.EDITABLE_STATES:
        raise Conflict("Редактировать можно только черновик или отклонённый материал.", code="not-editable",
                       state=content.state)
    changes = {k: v for k, v in body.items() if k != "version"}
    if "type" in changes and changes["type"] != content.type:
        raise InvalidInput("Тип материала не меняется.", errors=[{"field": "type", "detail": "тип не меняется"}])
    data = _parse({**_input_of(content), **changes})
    _check_times(data, ports.clock())
    _check_image(data)
    scope.check_territories_exist(data.territory_ids, tree)
    scope.require_scope(actor, data.territory_ids, tree)
    updated = content.with_fields(_fields(data), data.territory_ids, iso(data.publish_at) if data.publish_at else None)
    at = iso(ports.clock())
    edit = edit_entry(CONTENT_WORKFLOW.name, actor, content.state, version + 1, at)
    saved = repo.save(updated, version, model.EDITABLE_STATES, edit=edit)
    _audit(ports, actor, "edit", content_id, before=_input_of(content), after=_input_of(saved), at=at,
           comment=APPROVER_EDIT_NOTE if edit["actor_role"] == APPROVER else None)
    return staff_view(saved, ports)


def _record_found(actor: Principal, content: Content, body: dict, ports: ContentPorts) -> dict:
    from aj74.content.publishing import sync_feed

    data = parse_model(_schemas.SearchOutcomeIn, body)
    if content.fields.get("status") == "found":
        raise Conflict("Поиск уже завершён.", code="already-found")
    fields = {**content.fields, "status": "found", "outcome": data.outcome, "found_at": iso(ports.clock())}
    updated = replace(content, fields=fields, feed_pending="publish")
    saved = ports.content.save(updated, data.version, frozenset({"published"}))
    _audit(ports, actor, "found", content.content_id, before={"status": "searching"},
           after={"status": "found", "outcome": data.outcome})
    return staff_view(sync_feed(saved, ports), ports)


def moderate(actor: Principal, content_id: str, action: str, body: dict | None = None,
             ports: ContentPorts | None = None) -> dict:
    """submit / approve / reject / retract, as the content workflow allows."""
    from aj74.polls.schemas import CommentIn

    ports = ports or default_ports()
    _check_id(content_id)
    comment = parse_model(CommentIn, body or {}).comment
    repo = ports.content
    content = repo.get(content_id)
    item = {"territory_ids": content.territory_ids, "created_by": content.created_by, "type": content.type,
            "history": content.history}
    transition = CONTENT_WORKFLOW.plan(action, content.state, actor, item, comment, iso(ports.clock()))
    extra = {"feed_pending": "remove"} if content.state == "published" else {}
    if action == "reject":  # kept so that the next review shows what changed since
        extra["review_snapshot"] = _input_of(content)
    saved = repo.apply(content_id, transition, expected_version=content.version, **extra)
    _audit(ports, actor, action, content_id, before={"state": transition.from_state},
           after={"state": transition.to_state}, comment=comment, at=transition.at)
    if saved.feed_pending:
        from aj74.content.publishing import sync_feed

        saved = sync_feed(saved, ports)
    return staff_view(saved, ports)


def _reads_everything(actor: Principal) -> bool:
    # The МЧС operator reads every territory's content (bulletins are region-wide work).
    return is_region_wide(actor) or actor.has_role(EMERGENCY)


def get_staff(actor: Principal, content_id: str, ports: ContentPorts | None = None) -> dict:
    ports = ports or default_ports()
    _check_id(content_id)
    content = ports.content.get(content_id)
    if not _reads_everything(actor):
        scope.require_scope(actor, content.territory_ids, ports.territories())
    return staff_view(content, ports)


def list_staff(actor: Principal, state: str | None, limit: int, cursor: str | None,
               ports: ContentPorts | None = None) -> dict:
    if state is not None and state not in model.STATES:
        raise InvalidInput("Неизвестное состояние материала.",
                           errors=[{"field": "state", "detail": "допустимые значения: " + ", ".join(model.STATES)}])
    ports = ports or default_ports()
    repo, tree = ports.content, ports.territories()
    items = [c for s in ([state] if state else model.STATES) for c in repo.in_state(s)]
    if not _reads_everything(actor):
        items = [c for c in items if not scope.out_of_scope(actor, c.territory_ids, tree)]
    ordered = sorted(items, key=lambda c: (c.created_at, c.content_id), reverse=True)
    after = decode_cursor(cursor)
    if after:
        mark = (str(after.get("c", "")), str(after.get("i", "")))
        ordered = [c for c in ordered if (c.created_at, c.content_id) < mark]
    page = ordered[:limit]
    more = len(ordered) > limit
    next_cursor = encode_cursor({"c": page[-1].created_at, "i": page[-1].content_id}) if more and page else None
    return {"items": [staff_view(c, ports) for c in page], "next_cursor": next_cursor}


def staff_view(content: Content, ports: ContentPorts) -> dict:
    tree = ports.territories()
    return _with_image({
        "id": content.content_id, "type": content.type, "state": content.state,
        "state_title": model.STATE_TITLES[content.state], "version": content.version,
        "territory_ids": list(content.territory_ids),
        "territories": [tree.get(t).as_dict() for t in content.territory_ids if t in tree],
        "publish_at": content.publish_at, "published_at": content.published_at, **content.fields,
        "created_by": content.created_by, "created_at": content.created_at, "history": list(content.history),
        "changes_since_review": model.review_changes(content.review_snapshot, _input_of(content)),
    })


# ====================================================================== residents
def _home(actor: Principal, tree) -> str:
    if not actor.territory_id or actor.territory_id not in tree:
        raise Forbidden("В профиле не указано место жительства.", code="no-home-territory")
    return actor.territory_id


def _after(cursor: str | None, key: str, prefixes: tuple[str, ...] = ()) -> str | None:
    data = decode_cursor(cursor)
    if data is None:
        return None
    value = data.get(key)
    if not isinstance(value, str) or not value or (prefixes and not value.startswith(prefixes)) or len(value) > 200:
        raise InvalidInput("Неверный курсор страницы.", errors=[{"field": "cursor", "detail": "неверный курсор"}])
    return value


def feed(actor: Principal, limit: int, cursor: str | None, now: datetime | None = None,
         ports: ContentPorts | None = None) -> dict:
    """The resident's feed: active bulletins pinned first, then everything else newest first, from
    one query per territory level of their home."""
    ports = ports or default_ports()
    tree = ports.territories()
    home = _home(actor, tree)
    after = _after(cursor, "k", (model.PINNED_PREFIX, model.REGULAR_PREFIX))
    levels = [ports.feed.feed_page(t, after, limit + 1) for t in tree.chain_ids(home)]
    page = model.merge_feed(levels, limit, now or ports.clock())
    return {"items": [model.with_titles(_with_image(i)) for i in page.items],
            "next_cursor": encode_cursor({"k": page.next_after}) if page.next_after else None}


def get_for_resident(actor: Principal, content_id: str, now: datetime | None = None,
                     ports: ContentPorts | None = None) -> dict:
    from aj74.content.repository import found_visible

    ports = ports or default_ports()
    _check_id(content_id)
    tree = ports.territories()
    home = _home(actor, tree)
    content = ports.content.get(content_id, consistent=False)
    if not model.is_live(content, now or ports.clock(), found_visible()) or not model.reaches(
            content.territory_ids, home, tree):
        raise NotFound("Материал не найден.", code="content-not-found")
    fields = {k: v for k, v in content.fields.items() if k != "found_at"}
    return model.with_titles(_with_image({
        "id": content.content_id, "type": content.type, "published_at": content.published_at,
        "pinned": content.type == "bulletin", "territory_ids": list(content.territory_ids),
        "territories": [tree.get(t).name for t in content.territory_ids if t in tree], **fields}))


def _query_time(raw: str | None, name: str) -> datetime | None:
    if raw is None:
        return None
    try:
        return parse_iso(raw)
    except ValueError:
        raise InvalidInput(f"{name}: ожидается дата и время ISO 8601 со смещением.",
                           errors=[{"field": name, "detail": "ожидается дата и время ISO 8601 со смещением"}]) from None


def events(actor: Principal, start_raw: str | None, end_raw: str | None, territory_id: str | None,
           limit: int, cursor: str | None, now: datetime | None = None, ports: ContentPorts | None = None) -> dict:
    """Events for a territory of the resident's chain overlapping [from, to], earliest first."""
    ports = ports or default_ports()
    tree = ports.territories()
    home = _home(actor, tree)
    chain = tree.chain_ids(home)
    if territory_id is not None and territory_id not in chain:
        if territory_id not in tree:
            raise InvalidInput("Неизвестная территория.",
                               errors=[{"field": "territory_id", "detail": "неизвестная территория"}])
        raise Forbidden("Афиша доступна для вашего места жительства и территорий, в которые оно входит.",
                        code="territory-not-yours")
    start = _query_time(start_raw, "from") or (now or ports.clock())
    end = _query_time(end_raw, "to") or start + timedelta(days=DEFAULT_EVENTS_DAYS)
    if end < start:
        raise InvalidInput("to раньше from.", errors=[{"field": "to", "detail": "должно быть не раньше from"}])
    if end - start > timedelta(days=MAX_EVENTS_DAYS):
        raise InvalidInput(f"Период не длиннее {MAX_EVENTS_DAYS} дней.",
                           errors=[{"field": "to", "detail": f"период не длиннее {MAX_EVENTS_DAYS} дней"}])
    after = _after(cursor, "e")
    levels_from = chain[chain.index(territory_id):] if territory_id else chain
    low = iso(start - timedelta(days=model.MAX_EVENT_DAYS))
    high = iso(end) + "#~"
    levels = [ports.feed.events(t, max(low, after) if after else low, high) for t in levels_from]
    page = model.merge_events(levels, start, end, limit, after)
    return {"items": [model.with_titles(_with_image(i)) for i in page.items],
            "next_cursor": encode_cursor({"e": page.next_after}) if page.next_after else None}
