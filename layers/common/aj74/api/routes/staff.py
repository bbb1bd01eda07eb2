"""Staff roles and territory scopes, assigned by the Ministry of IT administrator."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api import contract
from aj74.api.routing import route
from aj74.staff import service

bp = Blueprint(__name__)


@route(bp, "/v1/admin/staff", roles=("admin",), summary="Назначения сотрудников", response=contract.LIST_OF_ITEMS)
def list_staff(ctx):
    return service.list_assignments(ctx.principal)


@route(bp, "/v1/admin/staff/{subject}", roles=("admin",), summary="Назначение сотрудника",
       response=contract.STAFF_ASSIGNMENT)
def get_staff(ctx, subject):
    return service.get_assignment(ctx.principal, subject)


@route(bp, "/v1/admin/staff/{subject}", methods=("PUT",), roles=("admin",), summary="Назначить роли и территории",
       body="aj74.staff.schemas:AssignmentIn", response=contract.STAFF_ASSIGNMENT)
def put_staff(ctx, subject):
    return service.put_assignment(ctx.principal, subject, ctx.body())
