"""Health, the territory tree and the caller's own profile."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api.routing import route
from aj74.identity.principal import ROLE_TITLES
from aj74.territories import UnknownTerritory, territory_tree

bp = Blueprint(__name__)


@route(bp, "/v1/health", auth=False)
def health(ctx):
    return {"status": "ok"}


@route(bp, "/v1/territories", auth=False)
def list_territories(ctx):
    tree = territory_tree()
    return {"root_id": tree.root.id, "territories": [t.as_dict() for t in tree.all()]}


@route(bp, "/v1/me")
def me(ctx):
    p = ctx.principal
    tree = territory_tree()
    home = None
    if p.territory_id:
        try:
            home = [t.as_dict() for t in tree.chain(p.territory_id)]
        except UnknownTerritory:
            home = None
    scope = [tree.get(t).as_dict() for t in p.scope_territory_ids if t in tree]
    roles = sorted(p.roles)
    return {
        "id": p.subject,
        "display_name": p.display_name,
        "roles": roles,
        "role_titles": [ROLE_TITLES[r] for r in roles],
        "territory": home[0] if home else None,
        "territory_chain": home or [],
        "birth_year": p.birth_year,
        "gender": p.gender,
        "scope_territories": scope,
    }
