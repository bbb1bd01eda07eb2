"""Verifiable results: inclusion proofs and the published ballot list of final polls (residents and
staff), the audit-log export and the staff integrity check."""

from __future__ import annotations

from chalice import Blueprint

from aj74.api import contract
from aj74.api.routing import route
from aj74.identity.roles import AUDIT_EXPORTERS, STAFF_READERS
from aj74.integrity.published import PAGE_LIMIT
from aj74.polls import verification

bp = Blueprint(__name__)



@route(bp, "/v1/polls/{poll_id}/proof", summary="Доказательство включения голоса в итоги",
       query={"receipt": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$",
                          "description": "Обязательство из квитанции голоса (64 шестнадцатеричных символа)."}},
       response=contract.PROOF, problems=(403, 409))
def get_proof(ctx, poll_id):
    return verification.proof(ctx.principal, poll_id, ctx.query.get("receipt"))


@route(bp, "/v1/polls/{poll_id}/ballots/published", summary="Опубликованный список голосов",
       query={"cursor": contract.CURSOR, "limit": {**contract.LIMIT, "maximum": PAGE_LIMIT, "default": PAGE_LIMIT}},
       response=contract.PUBLISHED_BALLOTS, problems=(403, 409))
def get_published_ballots(ctx, poll_id):
    return verification.published_ballots(ctx.principal, poll_id, ctx.query.get("cursor"), ctx.query.get("limit"))


PUBLIC = ("Без входа: итоги подведённого опроса, его опубликованный список голосов и доказательства "
          "включения не содержат ничего личного. Опрос, итоги которого не подведены, — 404 или 409.")


@route(bp, "/v1/public/polls/{poll_id}/result", auth=False, summary="Итоги подведённого опроса (публично)",
       description=PUBLIC, response=contract.PUBLIC_RESULT, problems=(409,))
def get_public_result(ctx, poll_id):
    return verification.public_result(poll_id)


@route(bp, "/v1/public/polls/{poll_id}/proof", auth=False, summary="Доказательство включения голоса (публично)",
       description=PUBLIC, query={"receipt": {"type": "string", "pattern": "^[0-9a-fA-F]{64}$",
                                              "description": "Обязательство из квитанции голоса."}},
       response=contract.PROOF, problems=(409,))
def get_public_proof(ctx, poll_id):
    return verification.public_proof(poll_id, ctx.query.get("receipt"))


@route(bp, "/v1/public/polls/{poll_id}/ballots/published", auth=False,
       summary="Опубликованный список голосов (публично)", description=PUBLIC,
       query={"cursor": contract.CURSOR, "limit": {**contract.LIMIT, "maximum": PAGE_LIMIT, "default": PAGE_LIMIT}},
       response=contract.PUBLISHED_BALLOTS, problems=(409,))
def get_public_published_ballots(ctx, poll_id):
    return verification.public_published_ballots(poll_id, ctx.query.get("cursor"), ctx.query.get("limit"))


@route(bp, "/v1/admin/audit/export", roles=AUDIT_EXPORTERS, summary="Выгрузка журнала аудита с хешами",
       response=contract.AUDIT_EXPORT)
def export_audit_log(ctx):
    return verification.audit_export()


@route(bp, "/v1/admin/polls/{poll_id}/integrity", roles=STAFF_READERS, summary="Проверка целостности итогов опроса",
       response=contract.INTEGRITY_REPORT, problems=(409,))
def check_poll_integrity(ctx, poll_id):
    return verification.integrity_report(ctx.principal, poll_id)
