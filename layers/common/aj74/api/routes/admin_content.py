"""Staff content routes: drafting, editing, moderation and the emergency fast path."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api import contract
from aj74.api.routing import json_response, route
from aj74.content import service
from aj74.content.model import STATES
from aj74.identity.roles import APPROVERS, CONTENT_READERS, DRAFTERS, EMERGENCY
from aj74.pagination import parse_limit

bp = Blueprint(__name__)

# The emergency role creates bulletins (published at once); the workflow refuses it anything else.
CREATORS = (*DRAFTERS, EMERGENCY)
SCHEMAS = "aj74.content.schemas"


def _moderation(summary: str) -> dict:
    return {"summary": summary, "body": "aj74.polls.schemas:CommentIn", "body_required": False,
            "response": contract.STAFF_ITEM, "problems": (403, 409)}


@route(bp, "/v1/admin/content", methods=("POST",), roles=CREATORS, summary="Создать материал ленты",
       body=(f"{SCHEMAS}:NewsIn", f"{SCHEMAS}:BulletinIn", f"{SCHEMAS}:MissingPersonIn", f"{SCHEMAS}:EventIn"),
       status=201, response=contract.STAFF_ITEM, problems=(403, 409))
def create_content(ctx):
    item = service.create_content(ctx.principal, ctx.body())
    return json_response(item, status=201, headers={"Location": f"/v1/admin/content/{item['id']}"})


@route(bp, "/v1/admin/content", roles=CONTENT_READERS, summary="Материалы ленты для сотрудников",
       query={"state": {"type": "string", "enum": list(STATES)}, **contract.PAGE}, response=contract.PAGE_OF_ITEMS)
def list_content(ctx):
    return service.list_staff(ctx.principal, ctx.query.get("state"), parse_limit(ctx.query.get("limit")),
                              ctx.query.get("cursor"))


@route(bp, "/v1/admin/content/{content_id}", roles=CONTENT_READERS, summary="Материал ленты (для сотрудников)",
       response=contract.STAFF_ITEM)
def get_content(ctx, content_id):
    return service.get_staff(ctx.principal, content_id)


@route(bp, "/v1/admin/content/{content_id}", methods=("PATCH",), roles=DRAFTERS,
       summary="Изменить материал (поля его типа и version)", body=f"{SCHEMAS}:VersionIn",
       response=contract.STAFF_ITEM, problems=(403, 409))
def edit_content(ctx, content_id):
    return service.edit_content(ctx.principal, content_id, ctx.body())


def _moderation_body(ctx) -> dict:
    return ctx.body() if ctx.request.raw_body else {}


@route(bp, "/v1/admin/content/{content_id}/submit", methods=("POST",), roles=DRAFTERS,
       **_moderation("Отправить на согласование"))
def submit_content(ctx, content_id):
    return service.moderate(ctx.principal, content_id, "submit", _moderation_body(ctx))


@route(bp, "/v1/admin/content/{content_id}/approve", methods=("POST",), roles=APPROVERS,
       **_moderation("Согласовать"))
def approve_content(ctx, content_id):
    return service.moderate(ctx.principal, content_id, "approve", _moderation_body(ctx))


@route(bp, "/v1/admin/content/{content_id}/reject", methods=("POST",), roles=APPROVERS, **_moderation("Отклонить"))
def reject_content(ctx, content_id):
    return service.moderate(ctx.principal, content_id, "reject", _moderation_body(ctx))


@route(bp, "/v1/admin/content/{content_id}/retract", methods=("POST",), roles=(*APPROVERS, EMERGENCY),
       **_moderation("Снять с публикации"))
def retract_content(ctx, content_id):
    return service.moderate(ctx.principal, content_id, "retract", _moderation_body(ctx))
