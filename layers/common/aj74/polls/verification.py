"""Checking the vote (verifiable results): inclusion proofs, the published ballot list, the audit-log
export and the staff integrity check. Routes call these; storage is reached through repositories.

``integrity/`` below gives the cryptography (fingerprints, Merkle trees, the published list's format
and recount) and the list's storage; which poll a caller may check, and the recount of the ledger
(``aj74.polls.scheduling.counted_ballots``), are the vote's, so these use cases live in ``polls/``.

Each use case takes ``ports=None`` last (``aj74.integrity.ports.VerificationPorts``); the routes pass
none and get :func:`default_ports`."""

from __future__ import annotations

from aj74.audit.repository import LOG
from aj74.clock import iso
from aj74.errors import Conflict, InvalidInput, NotFound
from aj74.identity.principal import Principal
from aj74.integrity.fingerprint import fingerprint
from aj74.integrity.ports import VerificationPorts
from aj74.integrity.published import CANONICAL_ORDER, PAGE_LIMIT, differences, is_commitment, tally
from aj74.pagination import decode_cursor, encode_cursor
from aj74.polls import model
from aj74.polls.access import check_poll_id, visible_poll, voter_key
from aj74.polls.scheduling import counted_ballots
from aj74.polls.state import Result


def default_ports(**overrides) -> VerificationPorts:
    """The real adapters (DynamoDB, Secrets Manager, the territory registry, the wall clock),
    ``overrides`` in their place; built per call, as the functions built them inline before."""
    from aj74.audit.repository import AuditLog
    from aj74.ballots.repository import BallotLedger
    from aj74.clock import utcnow
    from aj74.integrity.repository import PublishedBallots
    from aj74.keystore import ballot_key_secret
    from aj74.polls.repository import PollRepository
    from aj74.territories import territory_tree

    return VerificationPorts(**{"polls": PollRepository(), "ledger": BallotLedger(), "published": PublishedBallots(),
                                "audit": AuditLog(), "territories": territory_tree,
                                "key_secret": ballot_key_secret, "clock": utcnow, **overrides})


def _visible(actor: Principal, poll_id: str, ports: VerificationPorts, consistent: bool = False) -> model.Poll:
    return visible_poll(actor, poll_id, consistent=consistent, polls=ports.polls, territories=ports.territories)


def _final_result(poll: model.Poll) -> Result:
    result = poll.result
    if poll.state != "final" or not result:
        raise Conflict("Итоги опроса ещё не подведены: проверка голосов станет доступна после публикации "
                       "итогов.", code="poll-not-final", state=poll.state)
    return result


def _list_missing() -> Conflict:
    return Conflict("Список голосов этого опроса не опубликован (итоги подведены до появления списков).",
                    code="published-list-missing")


def proof(actor: Principal, poll_id: str, receipt: str | None, ports: VerificationPorts | None = None) -> dict:
    """The inclusion proof of a receipt's commitment in the poll's published Merkle tree."""
    receipt = (receipt or "").strip().lower()
    if not is_commitment(receipt):
        raise InvalidInput("receipt: укажите обязательство из квитанции — 64 шестнадцатеричных символа.",
                           errors=[{"field": "receipt", "detail": "64 шестнадцатеричных символа"}])
    ports = ports or default_ports()
    poll = _visible(actor, poll_id, ports)
    result = _final_result(poll)
    found = ports.published.proof(poll_id, result.merkle_root, receipt)
    if found is None:
        if result.tree_size and ports.published.index(poll_id, result.merkle_root) is None:
            raise _list_missing()
        if _replaced_by_a_later_ballot(actor, poll_id, receipt, ports):
            raise Conflict("Этот голос заменён вашим более поздним голосом: в итогах учтён только последний. "
                           "Проверьте квитанцию последнего голоса.", code="ballot-replaced")
        raise NotFound("Голос с таким обязательством не входит в опубликованные итоги опроса.",
                       code="receipt-not-found")
    return found


def _replaced_by_a_later_ballot(actor: Principal, poll_id: str, commitment: str, ports: VerificationPorts) -> bool:
    """Whether the caller's own ballot in the ledger is another one than this receipt's: only the
    resident can ask (their ballot key needs the secret), and the answer concerns only them."""
    if not actor.has_role("resident"):
        return False
    standing = ports.ledger.get(poll_id, voter_key(poll_id, actor, ports.key_secret()))
    return standing is not None and standing.commitment != commitment


def published_ballots(actor: Principal, poll_id: str, cursor: str | None, limit_raw: str | None,
                      ports: VerificationPorts | None = None) -> dict:
    """A page of the published ballot list (``limit`` ≤ PAGE_LIMIT, opaque cursor)."""
    _limit(limit_raw)
    ports = ports or default_ports()
    return _published_page(_visible(actor, poll_id, ports), cursor, limit_raw, ports)


def _published_page(poll: model.Poll, cursor: str | None, limit_raw: str | None, ports: VerificationPorts) -> dict:
    limit = _limit(limit_raw)
    after = decode_cursor(cursor) or {}
    poll_id = poll.poll_id
    result = _final_result(poll)
    root = result.merkle_root
    start = after.get("i", 0)
    if cursor and (after.get("r") != root or not isinstance(start, int) or start < 0):
        raise Conflict("Итоги опроса изменились (опубликована поправка): начните чтение списка заново.",
                       code="published-list-changed")
    page = ports.published.page(poll_id, root, start, limit)
    if page is None:
        raise _list_missing()
    end = start + len(page)
    more = end < (result.tree_size or 0)
    return {"items": [b.as_dict() for b in page], "next_cursor": encode_cursor({"r": root, "i": end}) if more else None,
            "tree_size": result.tree_size or 0, "merkle_root": root, "canonical_order": CANONICAL_ORDER}


# ---- public reads of a final poll (no sign-in): the vote check page of anyone -------------------
# A final poll's results, its published ballot list (commitments and options, no voter) and proofs
# hold nothing personal; anyone may check them. Polls not yet final do not exist here.

def _public_final(poll_id: str, ports: VerificationPorts) -> tuple[model.Poll, Result]:
    check_poll_id(poll_id)
    poll = ports.polls.get(poll_id)
    if poll.state in model.UNPUBLISHED_STATES:
        raise NotFound("Опрос не найден.", code="poll-not-found")
    return poll, _final_result(poll)


def public_result(poll_id: str, ports: VerificationPorts | None = None) -> dict:
    """A final poll's results for anyone: option texts and counts, the published root."""
    poll, result = _public_final(poll_id, ports or default_ports())
    body = model.results_body(poll, result.counts, result.total_ballots, "final")
    return body | {"title": poll.title, "merkle_root": result.merkle_root, "tree_size": result.tree_size or 0,
                   "closed_at": iso(poll.closes_at), "amendments": [a.as_dict() for a in poll.amendments]}


def public_proof(poll_id: str, receipt: str | None, ports: VerificationPorts | None = None) -> dict:
    """A receipt's inclusion proof in a final poll's published tree, for anyone."""
    receipt = (receipt or "").strip().lower()
    if not is_commitment(receipt):
        raise InvalidInput("receipt: укажите обязательство из квитанции — 64 шестнадцатеричных символа.",
                           errors=[{"field": "receipt", "detail": "64 шестнадцатеричных символа"}])
    ports = ports or default_ports()
    _poll, result = _public_final(poll_id, ports)
    found = ports.published.proof(poll_id, result.merkle_root, receipt)
    if found is None:
        if result.tree_size and ports.published.index(poll_id, result.merkle_root) is None:
            raise _list_missing()
        raise NotFound("Голос с таким обязательством не входит в опубликованные итоги опроса.",
                       code="receipt-not-found")
    return found


def public_published_ballots(poll_id: str, cursor: str | None, limit_raw: str | None,
                             ports: VerificationPorts | None = None) -> dict:
    """A page of a final poll's published ballot list, for anyone."""
    ports = ports or default_ports()
    return _published_page(_public_final(poll_id, ports)[0], cursor, limit_raw, ports)


def _limit(raw: str | None) -> int:
    if raw is None or raw == "":
        return PAGE_LIMIT
    if not (raw.isascii() and raw.isdigit()) or not 1 <= int(raw) <= PAGE_LIMIT:
        raise InvalidInput(f"limit должен быть от 1 до {PAGE_LIMIT}.",
                           errors=[{"field": "limit", "detail": f"от 1 до {PAGE_LIMIT}"}])
    return int(raw)


def audit_export(ports: VerificationPorts | None = None) -> dict:
    """The whole audit chain, as ``python -m aj74.verify audit`` reads it."""
    ports = ports or default_ports()
    entries = ports.audit.entries()
    head = {"seq": entries[-1]["seq"], "hash": entries[-1]["hash"]} if entries else None
    return {"log": LOG, "exported_at": iso(ports.clock()), "entries": entries, "head": head}


def integrity_report(actor: Principal, poll_id: str, ports: VerificationPorts | None = None) -> dict:
    """Re-check a poll against what was fixed: content against its fingerprint, the published result
    against a fresh recount of the ledger and against its published ballot list."""
    ports = ports or default_ports()
    stored = _visible(actor, poll_id, ports, consistent=True)
    computed = fingerprint(stored.content())
    report = {
        "poll_id": poll_id, "state": stored.state, "checked_at": iso(ports.clock()),
        "fingerprint": {"stored": stored.fingerprint, "computed": computed,
                        "matches": None if stored.fingerprint is None else stored.fingerprint == computed},
        "result": None, "published_list": None,
    }
    if stored.state == "final" and stored.result:
        result = stored.result.as_dict()
        recounted = tally(counted_ballots(stored, ports.ledger))
        diffs = differences(result, recounted)
        report["result"] = {"published": {k: result.get(k) for k in ("total_ballots", "counts", "merkle_root",
                                                                       "tree_size")},
                            "recount": recounted, "matches": not diffs, "differences": diffs}
        listed = ports.published.all(poll_id, stored.result.merkle_root)
        if listed is None:
            report["published_list"] = {"matches": False, "differences": ["the published ballot list is missing"]}
        else:
            list_diffs = differences(result, tally(listed))
            if any(d.startswith("merkle_root") for d in list_diffs):
                list_diffs.append("the stored ballot list does not rebuild the published Merkle root: a commitment "
                                  "or a ballot's choices were changed after the result was published")
            report["published_list"] = {"matches": not list_diffs, "differences": list_diffs}
    checks = [report["fingerprint"]["matches"], *(report[k]["matches"] for k in ("result", "published_list")
                                                   if report[k] is not None)]
    report["ok"] = all(c is not False for c in checks)
    return report
