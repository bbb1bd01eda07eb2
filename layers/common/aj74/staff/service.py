"""Staff roles and scopes: the IT administrator assigns them; a stored assignment overrides the
token's staff roles, scope and partner for that subject (docs/decisions/010-decision-cycle.md).

The override is looked up on every route where staff act (``aj74.api.routing``) and cached per
instance for ``CACHE_SECONDS``, so a resident's vote never pays for a staff lookup and a revoked
role stops working everywhere within a minute. Granting ``approver`` or ``admin`` takes two
administrators (``aj74.staff.rules``).

What the service reaches (assignments, the audit log, the territory tree, the clock) comes in a
``StaffPorts`` (``aj74.staff.ports``), an optional last parameter; the routes pass none and get
:func:`default_ports` (docs/decisions/021-ports-and-adapters.md).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace

from aj74 import scope
from aj74.clock import iso
from aj74.errors import Forbidden, InvalidInput
from aj74.identity.principal import Principal
from aj74.identity.roles import ADMIN, STAFF_ROLES, titles
from aj74.settings import get_settings
from aj74.staff import rules
from aj74.staff.ports import StaffPorts, StaffStore

CACHE_SECONDS = 30.0
SUBJECT = re.compile(r"^[A-Za-z0-9._:@-]{1,64}$")
_lock = threading.Lock()
_cache: dict[str, tuple[float, dict | None]] = {}


def default_ports(**overrides) -> StaffPorts:
    """The real adapters (the staff and audit tables, the territory registry, the wall clock),
    ``overrides`` in their place. Built per call, as the functions built them inline before."""
    from aj74.audit.repository import AuditLog
    from aj74.clock import utcnow
    from aj74.staff.repository import StaffRepository
    from aj74.territories import territory_tree

    return StaffPorts(**{"staff": StaffRepository(), "audit": AuditLog(), "territories": territory_tree,
                         "clock": utcnow, **overrides})


def _assignment(subject: str, staff: StaffStore) -> dict | None:
    now = time.monotonic()
    with _lock:
        hit = _cache.get(subject)
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    assignment = staff.get(subject)
    with _lock:
        if len(_cache) > 1024:
            _cache.clear()
        _cache[subject] = (now, assignment)
    return assignment


def effective_principal(principal: Principal, ports: StaffPorts | None = None) -> Principal:
    """The caller with a stored assignment applied: its staff roles, scope and partner replace the
    token's; a resident role from the token stays. Without an assignment (or, with the default
    ports, without a staff table) the token decides."""
    if ports is None:
        if not get_settings().staff_table:
            return principal
        ports = default_ports()
    assignment = _assignment(principal.subject, ports.staff)
    if assignment is None or assignment["roles"] is None:
        return principal
    roles = (principal.roles - STAFF_ROLES) | frozenset(assignment["roles"])
    return replace(principal, roles=roles, scope_territory_ids=tuple(assignment["scope_territory_ids"]),
                   display_name=assignment.get("display_name") or principal.display_name,
                   partner=assignment.get("partner") if "partner" in roles else None)


def _check_subject(subject: str) -> None:
    if not SUBJECT.match(subject):
        raise InvalidInput("Неверный идентификатор сотрудника.",
                           errors=[{"field": "subject", "detail": "латинские буквы, цифры и . _ : @ -, до 64"}])


def _view(assignment: dict, ports: StaffPorts) -> dict:
    tree = ports.territories()
    pending = assignment.get("pending")
    assigned = assignment["roles"] is not None
    view = {"subject": assignment["subject"], "assigned": assigned, "roles": list(assignment["roles"] or []),
            "role_titles": titles(assignment["roles"] or []),
            "scope_territory_ids": list(assignment["scope_territory_ids"]) if assigned else [],
            "scope_territories": [tree.get(t).as_dict() for t in assignment["scope_territory_ids"] if t in tree]
            if assigned else [],
            "display_name": assignment.get("display_name"), "partner": assignment.get("partner"),
            "updated_at": assignment.get("updated_at"), "updated_by": assignment.get("updated_by"),
            "pending": {**pending, "role_titles": titles(pending["roles"])} if pending else None}
    if not assigned:
        view["detail"] = "Назначений нет: действуют роли из токена входа."
    if pending:
        view["detail"] = (f"Назначение ролей {', '.join(titles(pending['roles']))} ждёт подтверждения "
                          "другим администратором.")
    return view


def _require_admin(actor: Principal) -> None:
    if not actor.has_role(ADMIN):
        raise Forbidden("Роли и зоны ответственности назначает только администратор Министерства "
                        "информационных технологий.", code="role-required")


def get_assignment(actor: Principal, subject: str, ports: StaffPorts | None = None) -> dict:
    ports = ports or default_ports()
    _require_admin(actor)
    _check_subject(subject)
    assignment = ports.staff.get(subject)
    if assignment is None:
        assignment = {"subject": subject, "roles": None, "scope_territory_ids": [], "display_name": None}
    return _view(assignment, ports)


def list_assignments(actor: Principal, ports: StaffPorts | None = None) -> dict:
    ports = ports or default_ports()
    _require_admin(actor)
    return {"items": [_view(a, ports) for a in ports.staff.all()]}


def put_assignment(actor: Principal, subject: str, body: dict, ports: StaffPorts | None = None) -> tuple[dict, bool]:
    """Apply an assignment, or (granting approver or admin) store it for a second administrator.
    Returns the view and whether it applied. A new request replaces a pending one."""
    from aj74.staff.schemas import AssignmentIn
    from aj74.validation import parse_model

    ports = ports or default_ports()
    _require_admin(actor)
    _check_subject(subject)
    data = parse_model(AssignmentIn, body)
    tree = ports.territories()
    scope.check_territories_exist(data.scope_territory_ids, tree)
    if "moderator" in data.roles and not data.scope_territory_ids:
        raise InvalidInput("Модератору нужна хотя бы одна территория.",
                           errors=[{"field": "scope_territory_ids", "detail": "укажите зону ответственности"}])
    if subject == actor.subject and ADMIN not in data.roles:
        raise InvalidInput("Нельзя снять роль администратора с самого себя.",
                           errors=[{"field": "roles", "detail": "оставьте роль администратора"}])
    rules.check_assignment(data.roles, data.scope_territory_ids, data.partner)
    before = ports.staff.get(subject)
    held = (before or {}).get("roles") or ()
    at = iso(ports.clock())
    requested = {"roles": sorted(set(data.roles)), "scope_territory_ids": list(dict.fromkeys(data.scope_territory_ids)),
                 "display_name": data.display_name, "partner": data.partner}
    if rules.needs_confirmation(actor, subject, data.roles, held):
        # Without an assignment yet, the stored item holds only the request: roles null, token decides.
        current = before or {"subject": subject, "roles": None, "scope_territory_ids": [], "display_name": None,
                             "updated_at": at, "updated_by": actor.subject}
        stored = {**current, "pending": {**requested, "requested_by": actor.subject, "requested_at": at}}
        ports.staff.put(stored)
        ports.audit.append(actor=actor.subject, actor_role=ADMIN, action="staff.assign.request", target_type="staff",
                           target_id=subject, before=_audited(before), after=requested, at=at,
                           comment="Ждёт подтверждения другим администратором.")
        return _view(stored, ports), False
    assignment = {"subject": subject, **requested, "updated_at": at, "updated_by": actor.subject}
    _store(ports.staff, assignment)
    ports.audit.append(actor=actor.subject, actor_role=ADMIN, action="staff.assign", target_type="staff",
                       target_id=subject, before=_audited(before), after=_audited(assignment), at=at)
    return _view(assignment, ports), True


def confirm_assignment(actor: Principal, subject: str, ports: StaffPorts | None = None) -> dict:
    """A second administrator confirms a pending grant of approver or admin; it applies at once."""
    ports = ports or default_ports()
    _require_admin(actor)
    _check_subject(subject)
    before = ports.staff.get(subject)
    pending = (before or {}).get("pending")
    rules.check_confirmer(actor, subject, pending)
    at = iso(ports.clock())
    assignment = {"subject": subject, **{k: pending[k] for k in ("roles", "scope_territory_ids", "display_name",
                                                                  "partner")},
                  "updated_at": at, "updated_by": pending["requested_by"]}
    _store(ports.staff, assignment)
    ports.audit.append(actor=actor.subject, actor_role=ADMIN, action="staff.assign.confirm", target_type="staff",
                       target_id=subject, before=_audited(before), after=_audited(assignment), at=at,
                       comment=f"Подтверждено; запросил {pending['requested_by']}.")
    return _view(assignment, ports)


def _store(staff: StaffStore, assignment: dict) -> None:
    staff.put(assignment)
    with _lock:
        _cache.pop(assignment["subject"], None)


def _audited(assignment: dict | None) -> dict | None:
    if assignment is None or assignment.get("roles") is None:
        return None
    return {k: assignment.get(k) for k in ("roles", "scope_territory_ids", "display_name", "partner")}
