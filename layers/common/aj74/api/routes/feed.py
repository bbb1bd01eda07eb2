"""Resident feed routes: the feed, one item, the events calendar."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api import contract
from aj74.api.routing import route
from aj74.content import service
from aj74.pagination import parse_limit

bp = Blueprint(__name__)


@route(bp, "/v1/feed", summary="Лента жителя", query=contract.PAGE, response=contract.FEED_PAGE,
       problems=(403,))
def get_feed(ctx):
    return service.feed(ctx.principal, parse_limit(ctx.query.get("limit")), ctx.query.get("cursor"))


@route(bp, "/v1/feed/{content_id}", summary="Материал ленты", response=contract.FEED_ITEM,
       problems=(403,))
def get_feed_item(ctx, content_id):
    return service.get_for_resident(ctx.principal, content_id)


@route(bp, "/v1/events", summary="Афиша", query={
    "from": contract.TIME_FILTER, "to": contract.TIME_FILTER,
    "territory_id": {"type": "string", "pattern": contract.TERRITORY_ID}, **contract.PAGE},
    response=contract.FEED_PAGE, problems=(403,))
def list_events(ctx):
    q = ctx.query
    return service.events(ctx.principal, q.get("from"), q.get("to"), q.get("territory_id"),
                          parse_limit(q.get("limit")), q.get("cursor"))
