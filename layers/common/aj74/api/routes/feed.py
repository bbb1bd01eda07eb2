"""Resident feed routes: the feed, one item, the events calendar."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api.routing import route
from aj74.content import service
from aj74.pagination import parse_limit

bp = Blueprint(__name__)


@route(bp, "/v1/feed")
def get_feed(ctx):
    return service.feed(ctx.principal, parse_limit(ctx.query.get("limit")), ctx.query.get("cursor"))


@route(bp, "/v1/feed/{content_id}")
def get_feed_item(ctx, content_id):
    return service.get_for_resident(ctx.principal, content_id)


@route(bp, "/v1/events")
def list_events(ctx):
    q = ctx.query
    return service.events(ctx.principal, q.get("from"), q.get("to"), q.get("territory_id"),
                          parse_limit(q.get("limit")), q.get("cursor"))
