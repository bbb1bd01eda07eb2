"""Reading the audit log for people: filters, pages, CSV. Reads only — the log is append-only.

Approvers, IT administrators and analysts read the whole log; a moderator reads the entries about
polls and content inside their territories.
"""

from __future__ import annotations

import json

from aj74 import scope
from aj74.audit.ports import AuditViewPorts
from aj74.audit.repository import LOG, AuditLog
from aj74.clock import iso, parse_iso, utcnow
from aj74.errors import Forbidden, InvalidInput, NotFound
from aj74.exports import excel_csv
from aj74.identity.principal import Principal
from aj74.identity.roles import ROLE_TITLES, SYSTEM
from aj74.pagination import decode_cursor, encode_cursor
from aj74.territories import territory_tree

FULL_READERS = frozenset({"approver", "admin", "analyst"})
CSV_LIMIT = 10_000
ACTION_TITLES = {
    "create": "создание", "edit": "правка", "submit": "отправка на согласование", "approve": "согласование",
    "reject": "отклонение", "cancel": "отмена", "open": "открытие", "close": "закрытие",
    "finalise": "подведение итогов", "amend_result": "уточнение итогов", "execution": "отчёт об исполнении",
    "execution_update": "ход исполнения", "inform": "информирование", "assign": "назначение ролей",
    "assign.request": "запрос на назначение ролей", "assign.confirm": "подтверждение назначения ролей",
    "redeem": "погашение кода поощрения", "item.create": "добавление поощрения", "item.update": "изменение поощрения",
    "adjust": "корректировка баллов", "retract": "снятие с публикации", "publish": "публикация",
    "upload": "загрузка изображения",
    "rename": "переименование", "retire": "вывод из реестра",
    "emergency_publish": "экстренная публикация", "found": "завершение поиска (человек найден)",
}


def default_ports() -> AuditViewPorts:
    """The real adapters (the routes pass no ports)."""
    from aj74.polls.repository import PollRepository
    from aj74.settings import get_settings
    from aj74.staff.repository import StaffRepository

    staff = StaffRepository() if get_settings().staff_table else None
    return AuditViewPorts(audit=AuditLog(), polls=PollRepository(), staff=staff, territories=territory_tree,
                          clock=utcnow)


def _time(raw: str | None, name: str) -> str | None:
    if raw is None or raw == "":
        return None
    try:
        value = parse_iso(raw) if "T" in raw else parse_iso(raw + "T00:00:00Z")
    except ValueError:
        raise InvalidInput("Неверная дата в фильтре журнала.",
                           errors=[{"field": name, "detail": "дата ГГГГ-ММ-ДД или время ISO 8601"}]) from None
    return iso(value)


def _filters(query: dict) -> dict:
    poll_id = query.get("poll_id") or None
    actor = query.get("actor") or None
    for name, value in (("poll_id", poll_id), ("actor", actor)):
        if value is not None and (len(value) > 64 or not value.isprintable()):
            raise InvalidInput("Неверный фильтр журнала.", errors=[{"field": name, "detail": "до 64 символов"}])
    start, end = _time(query.get("from"), "from"), _time(query.get("to"), "to")
    if end and "T" not in (query.get("to") or "T"):
        end = end[:10] + "T23:59:59Z"  # a date means "up to the end of that day"
    return {"poll_id": poll_id, "actor": actor, "from": start, "to": end}


def _visible_to(actor: Principal, ports: AuditViewPorts):
    if actor.roles & FULL_READERS:
        return lambda entry: True
    if not actor.has_role("moderator"):
        raise Forbidden("Журнал аудита доступен согласующим, администраторам, аналитикам и модераторам "
                        "(по своей территории).", code="role-required")
    tree = ports.territories()
    known: dict[str, bool] = {}

    def in_scope(entry: dict) -> bool:
        target = entry["target_id"]
        if entry["target_type"] not in ("poll", "content"):
            return False
        if target not in known:
            territories = (entry.get("after") or {}).get("territory_ids")
            try:
                if entry["target_type"] == "poll":
                    territories = ports.polls.get(target, consistent=False).territory_ids
            except NotFound:
                territories = None
            known[target] = bool(territories) and not scope.out_of_scope(actor, territories, tree)
        return known[target]

    return in_scope


def _matches(entry: dict, f: dict) -> bool:
    return ((f["poll_id"] is None or entry["target_id"] == f["poll_id"])
            and (f["actor"] is None or entry["actor"] == f["actor"])
            and (f["from"] is None or entry["at"] >= f["from"])
            and (f["to"] is None or entry["at"] <= f["to"]))


def _scan(actor: Principal, query: dict, before_seq: int | None, limit: int, ports: AuditViewPorts):
    f, visible = _filters(query), _visible_to(actor, ports)
    out: list[dict] = []
    for entry in ports.audit.newest_first(before_seq):
        if _matches(entry, f) and visible(entry):
            out.append(entry)
            if len(out) > limit:
                break
    return out


ACTOR_ROLE_TITLES = {**ROLE_TITLES, SYSTEM: "Система (автоматически)", "unknown": "Роль не определена"}


def _names(ports: AuditViewPorts) -> dict[str, str]:
    """Staff members' names as the IT administrator recorded them (subject → name)."""
    if ports.staff is None:
        return {}
    return {a["subject"]: a["display_name"] for a in ports.staff.all() if a.get("display_name")}


def _view(entry: dict, names: dict[str, str] | None = None) -> dict:
    kind, _, action = entry["action"].partition(".")
    return {**entry, "action_title": ACTION_TITLES.get(action, entry["action"]),
            "actor_role_title": ACTOR_ROLE_TITLES.get(entry["actor_role"], entry["actor_role"]),
            "actor_name": (names or {}).get(entry["actor"])}


def published_head(ports: AuditViewPorts | None = None) -> dict:
    """The chain's head for anyone (no sign-in): seq and hash with the time of its entry and of this
    answer. Whoever keeps it can later prove the log was not rewritten up to it
    (``python -m aj74.verify audit --head``); it discloses nothing of the entries themselves."""
    ports = ports or default_ports()
    return {"log": LOG, **ports.audit.head(), "published_at": iso(ports.clock())}


def audit_page(actor: Principal, query: dict, limit: int, ports: AuditViewPorts | None = None) -> dict:
    """Entries newest first, filtered; the cursor is the last sequence number shown."""
    ports = ports or default_ports()
    cursor = decode_cursor(query.get("cursor"))
    before = cursor.get("s") if cursor else None
    if before is not None and not isinstance(before, int):
        raise InvalidInput("Неверный курсор страницы.", errors=[{"field": "cursor", "detail": "неверный курсор"}])
    entries = _scan(actor, query, before, limit, ports)
    page = entries[:limit]
    next_cursor = encode_cursor({"s": page[-1]["seq"]}) if len(entries) > limit else None
    names = _names(ports) if page else {}
    return {"items": [_view(e, names) for e in page], "next_cursor": next_cursor}


def audit_csv(actor: Principal, query: dict, ports: AuditViewPorts | None = None) -> str:
    """The filtered log as CSV for Excel (UTF-8 with a BOM, «;» separated), newest first."""
    entries = _scan(actor, query, None, CSV_LIMIT, ports or default_ports())[:CSV_LIMIT]
    header = ["№", "Время (UTC)", "Кто", "Роль", "Действие", "Объект", "Идентификатор", "До", "После",
              "Комментарий", "Хеш"]
    return excel_csv([header, *([e["seq"], e["at"], e["actor"],
                                 ACTOR_ROLE_TITLES.get(e["actor_role"], e["actor_role"]), _view(e)["action_title"],
                                 e["target_type"], e["target_id"], _json(e["before"]), _json(e["after"]),
                                 e["comment"] or "", e["hash"]] for e in entries)])


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)
