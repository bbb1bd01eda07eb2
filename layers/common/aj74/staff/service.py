"""Staff roles and scopes: the IT administrator assigns them; a stored assignment overrides the
token's staff roles, scope and partner for that subject (docs/decisions/010-decision-cycle.md).

The override is looked up on every route where staff act (``aj74.api.routing``) and cached per
instance for ``CACHE_SECONDS``, so a resident's vote never pays for a staff lookup and a revoked
role stops working everywhere within a minute. Granting ``approver`` or ``admin`` takes two
administrators (``aj74.staff.rules``).
"""

from __future__ import annotations

import re
import threading
import time
from dataclasses import replace

from aj74 import scope
from aj74.audit.repository import AuditLog
from aj74.clock import iso, utcnow
from aj74.errors import Forbidden, InvalidInput
from aj74.identity.principal import Principal
from aj74.identity.roles import ADMIN, STAFF_ROLES, titles
from aj74.settings import get_settings
from aj74.staff import rules
from aj74.staff.repository import StaffRepository
from aj74.territories import territory_tree

CACHE_SECONDS = 30.0
SUBJECT = re.compile(r"^[A-Za-z0-9._:@-]{1,64}$")
_lock = threading.Lock()
_cache: dict[str, tuple[float, dict | None]] = {}


def _assignment(subject: str) -> dict | None:
    now = time.monotonic()
    with _lock:
        hit = _cache.get(subject)
    if hit and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    assignment = StaffRepository().get(subject)
    with _lock:
        if len(_cache) > 1024:
            _cache.clear()
        _cache[subject] = (now, assignment)
    return assignment


def effective_principal(principal: Principal) -> Principal:
    """The caller with a stored assignment applied: its staff roles, scope and partner replace the
    token's; a resident role from the token stays. Without an assignment the token decides."""
    if not get_settings().staff_table:
        return principal
    assignment = _assignment(principal.subject)
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


def _view(assignment: dict) -> dict:
    tree = territory_tree()
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


def get_assignment(actor: Principal, subject: str) -> dict:
    _require_admin(actor)
    _check_subject(subject)
    assignment = StaffRepository().get(subject)
    if assignment is None:
        assignment = {"subject": subject, "roles": None, "scope_territory_ids": [], "display_name": None}
    return _view(assignment)


def list_assignments(actor: Principal) -> dict:
    _require_admin(actor)
    return {"items": [_view(a) for a in StaffRepository().all()]}


def put_assignment(actor: Principal, subject: str, body: dict) -> tuple[dict, bool]:
    """Apply an assignment, or (granting approver or admin) store it for a second administrator.
    Returns the view and whether it applied. A new request replaces a pending one."""
    from aj74.staff.schemas import AssignmentIn
    from aj74.validation import parse_model

    _require_admin(actor)
    _check_subject(subject)
    data = parse_model(AssignmentIn, body)
    tree = territory_tree()
    scope.check_territories_exist(data.scope_territory_ids, tree)
    if "moderator" in data.roles and not data.scope_territory_ids:
        raise InvalidInput("Модератору нужна хотя бы одна территория.",
                           errors=[{"field": "scope_territory_ids", "detail": "укажите зону ответственности"}])
    if subject == actor.subject and ADMIN not in data.roles:
        raise InvalidInput("Нельзя снять роль администратора с самого себя.",
                           errors=[{"field": "roles", "detail": "оставьте роль администратора"}])
    rules.check_assignment(data.roles, data.scope_territory_ids, data.partner)
    repo = StaffRepository()
    before = repo.get(subject)
    held = (before or {}).get("roles") or ()
    at = iso(utcnow())
    requested = {"roles": sorted(set(data.roles)), "scope_territory_ids": list(dict.fromkeys(data.scope_territory_ids)),
                 "display_name": data.display_name, "partner": data.partner}
    if rules.needs_confirmation(actor, subject, data.roles, held):
        # Without an assignment yet, the stored item holds only the request: roles null, token decides.
        current = before or {"subject": subject, "roles": None, "scope_territory_ids": [], "display_name": None,
                             "updated_at": at, "updated_by": actor.subject}
        stored = {**current, "pending": {**requested, "requested_by": actor.subject, "requested_at": at}}
        repo.put(stored)
        AuditLog().append(actor=actor.subject, actor_role=ADMIN, action="staff.assign.request", target_type="staff",
                          target_id=subject, before=_audited(before), after=requested, at=at,
                          comment="Ждёт подтверждения другим администратором.")
        return _view(stored), False
    assignment = {"subject": subject, **requested, "updated_at": at, "updated_by": actor.subject}
    _store(repo, assignment)
    AuditLog().append(actor=actor.subject, actor_role=ADMIN, action="staff.assign", target_type="staff",
                      target_id=subject, before=_audited(before), after=_audited(assignment), at=at)
    return _view(assignment), True


def confirm_assignment(actor: Principal, subject: str) -> dict:
    """A second administrator confirms a pending grant of approver or admin; it applies at once."""
    _require_admin(actor)
    _check_subject(subject)
    repo = StaffRepository()
    before = repo.get(subject)
    pending = (before or {}).get("pending")
    rules.check_confirmer(actor, subject, pending)
    at = iso(utcnow())
    assignment = {"subject": subject, **{k: pending[k] for k in ("roles", "scope_territory_ids", "display_name",
                                                                  "partner")},
                  "updated_at": at, "updated_by": pending["requested_by"]}
    _store(repo, assignment)
    AuditLog().append(actor=actor.subject, actor_role=ADMIN, action="staff.assign.confirm", target_type="staff",
                      target_id=subject, before=_audited(before), after=_audited(assignment), at=at,
                      comment=f"Подтверждено; запросил {pending['requested_by']}.")
    return _view(assignment)


def _store(repo: StaffRepository, assignment: dict) -> None:
    repo.put(assignment)
    with _lock:
        _cache.pop(assignment["subject"], None)


def _audited(assignment: dict | None) -> dict | None:
    if assignment is None or assignment.get("roles") is None:
        return None
    return {k: assignment.get(k) for k in ("roles", "scope_territory_ids", "display_name", "partner")}
