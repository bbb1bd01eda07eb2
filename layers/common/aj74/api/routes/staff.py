"""Staff roles and territory scopes, assigned by the Ministry of IT administrator."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api import contract
from aj74.api.routing import json_response, route
from aj74.identity.roles import ADMINS
from aj74.staff import service

bp = Blueprint(__name__)


@route(bp, "/v1/admin/staff", roles=ADMINS, summary="Назначения сотрудников", response=contract.LIST_OF_ITEMS)
def list_staff(ctx):
    return service.list_assignments(ctx.principal)


@route(bp, "/v1/admin/staff/{subject}", roles=ADMINS, summary="Назначение сотрудника",
       response=contract.STAFF_ASSIGNMENT)
def get_staff(ctx, subject):
    return service.get_assignment(ctx.principal, subject)


@route(bp, "/v1/admin/staff/{subject}", methods=("PUT",), roles=ADMINS, summary="Назначить роли и территории",
       description="Роли «Согласующий» и «Администратор» не назначаются себе; их назначение другому "
                   "ждёт подтверждения вторым администратором (202, поле pending), остальное действует сразу (200).",
       body="aj74.staff.schemas:AssignmentIn", status=(200, 202), response=contract.STAFF_ASSIGNMENT,
       problems=(403,))
def put_staff(ctx, subject):
    view, applied = service.put_assignment(ctx.principal, subject, ctx.body())
    return json_response(view, status=200 if applied else 202)


@route(bp, "/v1/admin/staff/{subject}/confirm", methods=("POST",), roles=ADMINS,
       summary="Подтвердить назначение роли (второй администратор)",
       description="Применяет ожидающее назначение. Подтверждает администратор, который его не запрашивал и "
                   "не получает эти роли сам.", response=contract.STAFF_ASSIGNMENT, problems=(403, 409))
def confirm_staff(ctx, subject):
    return service.confirm_assignment(ctx.principal, subject)
