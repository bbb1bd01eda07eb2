"""Staff poll routes: drafting, editing and moderation (the admin site's backbone)."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api import contract
from aj74.api.routing import json_response, route
from aj74.identity.roles import APPROVERS, DRAFTERS, STAFF_READERS
from aj74.pagination import parse_limit
from aj74.polls import service
from aj74.polls.model import STATES

bp = Blueprint(__name__)



def _moderation(summary: str) -> dict:
    return {"summary": summary, "body": "aj74.polls.schemas:CommentIn", "body_required": False,
            "response": contract.STAFF_ITEM, "problems": (403, 409)}


@route(bp, "/v1/admin/polls", methods=("POST",), roles=DRAFTERS, summary="Создать черновик опроса",
       body="aj74.polls.schemas:PollContentIn", status=201, response=contract.STAFF_ITEM, problems=(403,))
def create_poll(ctx):
    poll = service.create_poll(ctx.principal, ctx.body())
    return json_response(poll, status=201, headers={"Location": f"/v1/admin/polls/{poll['id']}"})


@route(bp, "/v1/admin/polls", roles=STAFF_READERS, summary="Опросы для сотрудников",
       query={"state": {"type": "string", "enum": list(STATES)}, **contract.PAGE}, response=contract.PAGE_OF_ITEMS)
def list_polls(ctx):
    return service.list_staff(ctx.principal, ctx.query.get("state"), parse_limit(ctx.query.get("limit")),
                              ctx.query.get("cursor"))


@route(bp, "/v1/admin/polls/{poll_id}", roles=STAFF_READERS, summary="Опрос (для сотрудников)",
       response=contract.STAFF_ITEM)
def get_poll(ctx, poll_id):
    return service.get_staff(ctx.principal, poll_id)


@route(bp, "/v1/admin/polls/{poll_id}", methods=("PATCH",), roles=DRAFTERS, summary="Изменить черновик опроса",
       body="aj74.polls.schemas:PollPatchIn", response=contract.STAFF_ITEM, problems=(403, 409))
def edit_poll(ctx, poll_id):
    return service.edit_poll(ctx.principal, poll_id, ctx.body())


def _moderation_body(ctx) -> dict:
    return ctx.body() if ctx.request.raw_body else {}


@route(bp, "/v1/admin/polls/{poll_id}/submit", methods=("POST",), roles=DRAFTERS,
       **_moderation("Отправить на согласование"))
def submit_poll(ctx, poll_id):
    return service.moderate(ctx.principal, poll_id, "submit", _moderation_body(ctx))


@route(bp, "/v1/admin/polls/{poll_id}/approve", methods=("POST",), roles=APPROVERS, **_moderation("Согласовать"))
def approve_poll(ctx, poll_id):
    return service.moderate(ctx.principal, poll_id, "approve", _moderation_body(ctx))


@route(bp, "/v1/admin/polls/{poll_id}/reject", methods=("POST",), roles=APPROVERS, **_moderation("Отклонить"))
def reject_poll(ctx, poll_id):
    return service.moderate(ctx.principal, poll_id, "reject", _moderation_body(ctx))


@route(bp, "/v1/admin/polls/{poll_id}/cancel", methods=("POST",), roles=DRAFTERS, **_moderation("Отменить опрос"))
def cancel_poll(ctx, poll_id):
    return service.moderate(ctx.principal, poll_id, "cancel", _moderation_body(ctx))
