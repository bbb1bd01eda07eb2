"""The territory registry, maintained by the Ministry of IT administrator
(docs/decisions/017-territory-registry.md)."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api import contract
from aj74.api.routing import json_response, route
from aj74.identity.roles import ADMINS
from aj74.territories import service

bp = Blueprint(__name__)


@route(bp, "/v1/admin/territories", roles=ADMINS, summary="Реестр территорий",
       description="Все территории реестра, включая выведенные (retired_at), с ОКТМО и численностью.",
       response=contract.TERRITORY_REGISTRY)
def list_territories(ctx):
    return service.list_registry(ctx.principal)


@route(bp, "/v1/admin/territories", methods=("POST",), roles=ADMINS, summary="Добавить территорию",
       description="Поселение или внутригородской район; действует сразу в этом экземпляре API и в течение "
                   "минуты во всех остальных.",
       body="aj74.territories.schemas:TerritoryIn", status=201, response=contract.TERRITORY_RECORD,
       problems=(403, 409))
def create_territory(ctx):
    return json_response(service.create(ctx.principal, ctx.body()), status=201)


@route(bp, "/v1/admin/territories/{territory_id}", methods=("PATCH",), roles=ADMINS,
       summary="Переименовать территорию, указать ОКТМО и численность",
       body="aj74.territories.schemas:TerritoryPatch", response=contract.TERRITORY_RECORD, problems=(403, 404, 409))
def update_territory(ctx, territory_id):
    return service.update(ctx.principal, territory_id, ctx.body())


@route(bp, "/v1/admin/territories/{territory_id}/retire", methods=("POST",), roles=ADMINS,
       summary="Вывести территорию из реестра",
       description="Территория не удаляется: она перестаёт предлагаться. Нельзя вывести территорию, на которую "
                   "ссылаются опросы, назначения сотрудников, жители или входящие в неё территории (409).",
       body={"type": "object", "properties": {"comment": {"type": "string", "maxLength": 500}}},
       body_required=False, response=contract.TERRITORY_RECORD, problems=(403, 404, 409))
def retire_territory(ctx, territory_id):
    return service.retire(ctx.principal, territory_id, ctx.body() if ctx.request.raw_body else None)
