"""Health, the territory tree and the caller's own profile."""

from __future__ import annotations

from chalice import Blueprint, Response

from aj74.api import contract
from aj74.api.routing import route
from aj74.identity import roles as staff_roles
from aj74.territories import UnknownTerritory, territory_tree

bp = Blueprint(__name__)


@route(bp, "/v1/health", auth=False, summary="Проверка работоспособности",
       response={"type": "object", "required": ["status"], "properties": {"status": {"const": "ok"}}})
def health(ctx):
    return {"status": "ok"}


@route(bp, "/v1/territories", auth=False, summary="Дерево территорий области", response=contract.TERRITORIES)
def list_territories(ctx):
    tree = territory_tree()
    return {"root_id": tree.root.id, "territories": [t.as_dict() for t in tree.all()]}


@route(bp, "/v1/roles", auth=False, summary="Роли и их названия",
       description="Названия ролей для людей: сайт сотрудников показывает их, а не свою копию.",
       response=contract.ROLE_CATALOGUE)
def list_roles(ctx):
    return {"items": staff_roles.catalogue()}


@route(bp, "/v1/me", summary="Мой профиль", response=contract.ME)
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
        "role_titles": staff_roles.titles(roles),
        "partner": p.partner,
        "territory": home[0] if home else None,
        "territory_chain": home or [],
        "birth_year": p.birth_year,
        "gender": p.gender,
        "scope_territories": scope,
    }


@route(bp, "/v1/openapi.json", auth=False, summary="Этот документ OpenAPI 3.1",
       response={"type": "object", "required": ["openapi", "info", "paths", "components"],
                 "properties": {"openapi": {"type": "string"}, "info": {"type": "object"},
                                "paths": {"type": "object"}, "components": {"type": "object"}}})
def openapi_document(ctx):
    from aj74.api import openapi

    return Response(body=openapi.document_json(bp.current_app.routes), status_code=200,
                    headers={"Content-Type": "application/json", "Cache-Control": "public, max-age=300"})
