"""Staff roles and scopes: the IT administrator assigns them; a stored assignment overrides the
token's staff roles and scope for that subject (docs/decisions/010-decision-cycle.md).

The override is looked up on staff routes only and cached per instance for ``CACHE_SECONDS``, so a
resident's vote never pays for a staff lookup and a revoked role stops working within a minute.
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
from aj74.identity.principal import ROLE_TITLES, STAFF_ROLES, Principal
from aj74.settings import get_settings
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
    """The caller with a stored assignment applied: its staff roles and scope replace the token's;
    a resident role from the token stays. Without an assignment the token decides."""
    if not get_settings().staff_table:
        return principal
    assignment = _assignment(principal.subject)
    if assignment is None:
        return principal
    roles = (principal.roles - STAFF_ROLES) | frozenset(assignment["roles"])
    return replace(principal, roles=roles, scope_territory_ids=tuple(assignment["scope_territory_ids"]),
                   display_name=assignment.get("display_name") or principal.display_name)


def _check_subject(subject: str) -> None:
    if not SUBJECT.match(subject):
        raise InvalidInput("Неверный идентификатор сотрудника.",
                           errors=[{"field": "subject", "detail": "латинские буквы, цифры и . _ : @ -, до 64"}])


def _view(assignment: dict) -> dict:
    tree = territory_tree()
    return {**assignment, "role_titles": [ROLE_TITLES[r] for r in assignment["roles"]],
            "scope_territories": [tree.get(t).as_dict() for t in assignment["scope_territory_ids"] if t in tree]}


def _require_admin(actor: Principal) -> None:
    if not actor.has_role("admin"):
        raise Forbidden("Роли и зоны ответственности назначает только администратор Министерства "
                        "информационных технологий.", code="role-required")


def get_assignment(actor: Principal, subject: str) -> dict:
    _require_admin(actor)
    _check_subject(subject)
    assignment = StaffRepository().get(subject)
    if assignment is None:
        return {"subject": subject, "assigned": False, "roles": [], "role_titles": [], "scope_territory_ids": [],
                "scope_territories": [], "display_name": None,
                "detail": "Назначений нет: действуют роли из токена входа."}
    return {**_view(assignment), "assigned": True}


def list_assignments(actor: Principal) -> dict:
    _require_admin(actor)
    return {"items": [_view(a) | {"assigned": True} for a in StaffRepository().all()]}


def put_assignment(actor: Principal, subject: str, body: dict) -> dict:
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
    if subject == actor.subject and "admin" not in data.roles:
        raise InvalidInput("Нельзя снять роль администратора с самого себя.",
                           errors=[{"field": "roles", "detail": "оставьте роль администратора"}])
    repo = StaffRepository()
    before = repo.get(subject)
    at = iso(utcnow())
    assignment = {"subject": subject, "roles": sorted(set(data.roles)),
                  "scope_territory_ids": list(dict.fromkeys(data.scope_territory_ids)),
                  "display_name": data.display_name, "updated_at": at, "updated_by": actor.subject}
    repo.put(assignment)
    with _lock:
        _cache.pop(subject, None)
    AuditLog().append(actor=actor.subject, actor_role="admin", action="staff.assign", target_type="staff",
                      target_id=subject, before=_audited(before), after=_audited(assignment), at=at)
    return {**_view(assignment), "assigned": True}


def _audited(assignment: dict | None) -> dict | None:
    if assignment is None:
        return None
    return {k: assignment[k] for k in ("roles", "scope_territory_ids", "display_name")}
