"""The audit log for people: filtered pages and a CSV export (reads only), and its published head."""

from __future__ import annotations

from chalice import Blueprint, Response

from aj74.api import contract
from aj74.api.routing import route
from aj74.audit import view
from aj74.exports import CSV_CONTENT_TYPE
from aj74.identity.roles import STAFF_READERS
from aj74.pagination import parse_limit

bp = Blueprint(__name__)

READERS = STAFF_READERS
FILTERS = {"poll_id": {"type": "string", "maxLength": 64}, "actor": {"type": "string", "maxLength": 64},
         "from": contract.TIME_FILTER, "to": contract.TIME_FILTER}


@route(bp, "/v1/admin/audit", roles=READERS, summary="Журнал аудита",
       query={**FILTERS, **contract.PAGE, "limit": {**contract.LIMIT, "default": 50}}, response=contract.AUDIT_PAGE)
def list_audit(ctx):
    return view.audit_page(ctx.principal, ctx.query, parse_limit(ctx.query.get("limit"), default=50))


@route(bp, "/v1/admin/audit.csv", roles=READERS, summary="Журнал аудита в CSV", query=FILTERS,
       response=contract.CSV, media_type=CSV_CONTENT_TYPE)
def audit_csv(ctx):
    return Response(body=view.audit_csv(ctx.principal, ctx.query), status_code=200, headers={
        "Content-Type": CSV_CONTENT_TYPE, "Content-Disposition": 'attachment; filename="audit.csv"'})


@route(bp, "/v1/audit/head", auth=False, summary="Голова журнала аудита (публично)",
       description="Номер и хеш последней записи хеш-цепочки журнала аудита с меткой времени, без входа. "
                   "Сохранённая голова позволяет позже проверить выгрузку журнала командой "
                   "python -m aj74.verify audit --head: правка, удаление или перецепление записей до неё "
                   "обнаруживаются. Та же голова публикуется с итогами опросов и в хранилище S3 с Object Lock.",
       response=contract.AUDIT_HEAD)
def get_audit_head(ctx):
    return view.published_head()
