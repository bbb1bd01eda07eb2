"""Resident poll routes: list, read, vote, ballot state, results."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api import contract
from aj74.api.routing import json_response, route
from aj74.pagination import parse_limit
from aj74.polls import resident_view, service, voting

bp = Blueprint(__name__)


@route(bp, "/v1/polls", summary="Опросы для жителя", query={
    "state": {"type": "string", "enum": ["open", "final"], "default": "open"}, **contract.PAGE},
    response=contract.POLL_PAGE, problems=(403,))
def list_polls(ctx):
    return service.list_for_resident(ctx.principal, ctx.query.get("state", "open"), parse_limit(ctx.query.get("limit")),
                                     ctx.query.get("cursor"))


@route(bp, "/v1/polls/{poll_id}", summary="Опрос", response=contract.POLL, problems=(403,))
def get_poll(ctx, poll_id):
    return service.get_for_resident(ctx.principal, poll_id)


@route(bp, "/v1/polls/{poll_id}/ballots", methods=("POST",), summary="Проголосовать",
       description="Заголовок Idempotency-Key делает повтор запроса безопасным: тот же ответ 202.",
       body="aj74.polls.schemas:BallotIn", headers=contract.BALLOT_IDEMPOTENCY_KEY, status=202,
       response=contract.BALLOT_ACCEPTED, problems=(403, 409),
       rate_limit="ballots")
def cast_ballot(ctx, poll_id):
    body = voting.cast_ballot(ctx.principal, poll_id, ctx.body(), ctx.headers.get("idempotency-key"))
    return json_response(resident_view.ballot_with_title(body), status=202)


@route(bp, "/v1/polls/{poll_id}/ballot", summary="Состояние своего голоса",
       query={"ballot_id": {"type": "string", "maxLength": 64, "description": "ballot_id из ответа 202."}},
       response=contract.BALLOT_STATE, problems=(403,))
def get_ballot(ctx, poll_id):
    return resident_view.ballot_with_title(voting.ballot_state(ctx.principal, poll_id, ctx.query.get("ballot_id")))


@route(bp, "/v1/polls/{poll_id}/results", summary="Итоги опроса", response=contract.POLL_RESULTS, problems=(403, 409))
def get_results(ctx, poll_id):
    return resident_view.results_with_titles(service.results(ctx.principal, poll_id))
