"""Resident and partner routes of the rewards shop: points, catalogue, orders, redemption."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api import contract
from aj74.api.routing import json_response, route
from aj74.identity.roles import REDEEMERS, RESIDENT
from aj74.pagination import parse_limit

bp = Blueprint(__name__)



def _points():
    from aj74.points import service

    return service


def _shop():
    from aj74.shop import service

    return service


@route(bp, "/v1/me/points", roles=(RESIDENT,), summary="Мои баллы и история", query=contract.PAGE,
       response=contract.POINTS)
def my_points(ctx):
    return _points().my_points(ctx.principal, parse_limit(ctx.query.get("limit")), ctx.query.get("cursor"))


@route(bp, "/v1/shop/items", roles=(RESIDENT,), summary="Поощрения для жителя", response=contract.LIST_OF_ITEMS)
def list_items(ctx):
    return _shop().items_for_resident(ctx.principal)


@route(bp, "/v1/shop/orders", methods=("POST",), roles=(RESIDENT,), summary="Заказать поощрение за баллы",
       description="С заголовком Idempotency-Key повтор возвращает тот же заказ с кодом 200.",
       body="aj74.shop.schemas:OrderIn", headers=contract.IDEMPOTENCY_KEY_REQUIRED, status=(201, 200),
       response=contract.ORDER, problems=(404, 409),
       rate_limit="orders")
def place_order(ctx):
    order, created = _shop().place_order(ctx.principal, ctx.body(), ctx.headers.get("idempotency-key"))
    return json_response(order, status=201 if created else 200,
                         headers={"Location": f"/v1/me/orders/{order['id']}"})


@route(bp, "/v1/me/orders", roles=(RESIDENT,), summary="Мои заказы", query=contract.PAGE,
       response=contract.ORDER_PAGE)
def my_orders(ctx):
    return _shop().my_orders(ctx.principal, parse_limit(ctx.query.get("limit")), ctx.query.get("cursor"))


@route(bp, "/v1/me/orders/{order_id}", roles=(RESIDENT,), summary="Мой заказ",
       description="Адрес из заголовка Location ответа на заказ. Чужой заказ — 404, как несуществующий.",
       response=contract.ORDER)
def my_order(ctx, order_id):
    return _shop().my_order(ctx.principal, order_id)


@route(bp, "/v1/me/orders/{order_id}/cancel", methods=("POST",), roles=(RESIDENT,), summary="Отменить заказ",
       response=contract.ORDER, problems=(409,))
def cancel_order(ctx, order_id):
    return _shop().cancel_order(ctx.principal, order_id)


@route(bp, "/v1/shop/redeem", methods=("POST",), roles=REDEEMERS, summary="Погасить код заказа (партнёр)",
       body="aj74.shop.schemas:RedeemIn", response=contract.REDEMPTION, problems=(404, 409))
def redeem(ctx):
    return _shop().redeem(ctx.principal, ctx.body())
