"""Staff routes of the rewards shop: the catalogue (IT administrator everywhere, moderators within
their territories) and manual points adjustments (IT administrator)."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api import contract
from aj74.api.routing import json_response, route
from aj74.identity.roles import ADMINS, CATALOGUE_STAFF

bp = Blueprint(__name__)



def _shop():
    from aj74.shop import service

    return service


@route(bp, "/v1/admin/shop/items", roles=CATALOGUE_STAFF, summary="Каталог поощрений (для сотрудников)",
       response=contract.LIST_OF_ITEMS)
def list_items(ctx):
    return _shop().staff_items(ctx.principal)


@route(bp, "/v1/admin/shop/items", methods=("POST",), roles=CATALOGUE_STAFF, summary="Добавить поощрение",
       body="aj74.shop.schemas:ItemIn", status=201, response=contract.SHOP_ITEM, problems=(403,))
def create_item(ctx):
    item = _shop().create_item(ctx.principal, ctx.body())
    return json_response(item, status=201, headers={"Location": f"/v1/admin/shop/items/{item['id']}"})


@route(bp, "/v1/admin/shop/items/{item_id}", roles=CATALOGUE_STAFF, summary="Поощрение (для сотрудников)",
       response=contract.SHOP_ITEM)
def get_item(ctx, item_id):
    return _shop().staff_item(ctx.principal, item_id)


@route(bp, "/v1/admin/shop/items/{item_id}", methods=("PATCH",), roles=CATALOGUE_STAFF, summary="Изменить поощрение",
       body="aj74.shop.schemas:ItemPatchIn", response=contract.SHOP_ITEM, problems=(409,))
def update_item(ctx, item_id):
    return _shop().update_item(ctx.principal, item_id, ctx.body())


@route(bp, "/v1/admin/points/adjustments", methods=("POST",), roles=ADMINS, summary="Ручная корректировка баллов",
       body="aj74.shop.schemas:AdjustmentIn", status=201, response=contract.ADJUSTMENT, problems=(409,))
def adjust_points(ctx):
    from aj74.points import service

    return json_response(service.adjust(ctx.principal, ctx.body()), status=201)
