"""Staff routes of the decision cycle after the vote: results and exports, the execution report,
informing the public."""

from __future__ import annotations

from chalice import Blueprint, Response

from aj74.api import contract
from aj74.api.routing import json_response, route
from aj74.exports import CSV_CONTENT_TYPE
from aj74.identity.roles import DRAFTERS, STAFF_READERS
from aj74.polls import informing, reporting

bp = Blueprint(__name__)

BREAKDOWN = {"breakdown": {"type": "string", "enum": ["territory", "age", "gender"]}}


@route(bp, "/v1/admin/polls/{poll_id}/results", roles=STAFF_READERS, summary="Итоги и участие (для сотрудников)",
       query=BREAKDOWN, response=contract.STAFF_RESULTS, problems=(409,))
def get_results(ctx, poll_id):
    return reporting.staff_results(ctx.principal, poll_id, ctx.query.get("breakdown"))


@route(bp, "/v1/admin/polls/{poll_id}/results.csv", roles=STAFF_READERS, summary="Итоги в CSV", query=BREAKDOWN,
       response=contract.CSV, media_type=CSV_CONTENT_TYPE, problems=(409,))
def get_results_csv(ctx, poll_id):
    body = reporting.results_csv(ctx.principal, poll_id, ctx.query.get("breakdown"))
    return Response(body=body, status_code=200, headers={
        "Content-Type": CSV_CONTENT_TYPE, "Content-Disposition": f'attachment; filename="results-{poll_id}.csv"'})


@route(bp, "/v1/admin/polls/{poll_id}/execution", methods=("PUT",), roles=DRAFTERS,
       summary="Отчёт об исполнении решения",
       body="aj74.polls.report_schemas:ExecutionIn", response=contract.EXECUTION, problems=(409,))
def put_execution(ctx, poll_id):
    return reporting.put_execution(ctx.principal, poll_id, ctx.body())


@route(bp, "/v1/admin/polls/{poll_id}/execution/updates", methods=("POST",), roles=DRAFTERS,
       summary="Добавить ход исполнения", body="aj74.polls.report_schemas:ExecutionUpdateIn", status=201,
       response=contract.EXECUTION, problems=(409,))
def add_execution_update(ctx, poll_id):
    return json_response(reporting.add_execution_update(ctx.principal, poll_id, ctx.body()), status=201)


@route(bp, "/v1/admin/polls/{poll_id}/inform", methods=("POST",), roles=DRAFTERS,
       summary="Информировать жителей об итогах (черновик новости)",
       description="Новость готовится один раз на опрос: повторный вызов возвращает её же с кодом 200.",
       status=(201, 200), response=contract.STAFF_ITEM, problems=(409,))
def inform(ctx, poll_id):
    item, created = informing.inform(ctx.principal, poll_id)
    return json_response(item, status=201 if created else 200)
