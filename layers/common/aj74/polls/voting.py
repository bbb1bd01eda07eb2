"""Casting a ballot and the state of the caller's ballot — see docs/decisions/004-exactly-once-ballots.md
and 012-ballot-secrecy-and-integrity.md.

The cast path validates (poll open by the clock, eligibility, answers), answers with a receipt and
enqueues the ballot; the consumer (``aj74.polls.recording``) records it. ``ballots/`` gives the keys,
receipts, the message and the queue; nothing here writes the ledger.
"""

from __future__ import annotations

from datetime import datetime

from aj74.ballots import keys, receipts
from aj74.ballots.demographics import age_band
from aj74.ballots.message import BallotMessage
from aj74.clock import iso
from aj74.errors import Conflict, Forbidden, InvalidInput, NotFound
from aj74.identity.principal import Principal
from aj74.polls import model
from aj74.polls.access import check_poll_id, resident_poll, voter_key
from aj74.polls.ports import Ledger, VotePorts
from aj74.validation import parse_model


def default_ports(**overrides) -> VotePorts:
    """The vote's real adapters (DynamoDB, SQS, Secrets Manager, the territory registry, the wall
    clock), ``overrides`` in their place. Built per call, as the functions built them inline before:
    nothing here outlives ``tests.support.env.clear_cached_clients``."""
    from aj74.ballots.queue import BallotQueue
    from aj74.ballots.repository import BallotLedger
    from aj74.clock import utcnow
    from aj74.keystore import ballot_key_secret
    from aj74.polls.access import ballot_path_polls
    from aj74.polls.repository import PollRepository
    from aj74.territories import territory_tree

    return VotePorts(**{"polls": ballot_path_polls, "poll_store": PollRepository(), "ledger": BallotLedger(),
                        "queue": BallotQueue(), "territories": territory_tree, "key_secret": ballot_key_secret,
                        "clock": utcnow, **overrides})


def has_voted(actor: Principal, poll_id: str, ledger: Ledger | None = None,
              ports: VotePorts | None = None) -> bool:
    """Whether the ledger holds a ballot of the caller in this poll."""
    ports = ports or default_ports()
    ledger = ledger if ledger is not None else ports.ledger
    return ledger.get(poll_id, voter_key(poll_id, actor, ports.key_secret())) is not None


def cast_ballot(actor: Principal, poll_id: str, body: dict, idempotency_key: str | None,
                now: datetime | None = None, ports: VotePorts | None = None) -> dict:
    """Validate a ballot and enqueue it; the consumer records it. Returns the 202 body.

    ``ports``: where polls, the territory tree, the key secret, the clock and the queue come from
    (the real adapters when None)."""
    # pydantic costs ~90 ms of import: only the routes that parse a body pay for it.
    from aj74.polls.schemas import BallotIn

    check_poll_id(poll_id)
    if idempotency_key is not None and not (1 <= len(idempotency_key) <= 128 and idempotency_key.isprintable()):
        raise InvalidInput("Idempotency-Key: от 1 до 128 печатных символов.",
                           errors=[{"field": "Idempotency-Key", "detail": "от 1 до 128 печатных символов"}])
    ballot = parse_model(BallotIn, body)
    ports = ports or default_ports()
    now = now or ports.clock()
    poll = ports.polls.get(poll_id)
    tree = ports.territories()
    if poll.state in model.UNPUBLISHED_STATES:
        raise NotFound("Опрос не найден.", code="poll-not-found")
    if not poll.is_accepting(now):
        raise Conflict(_not_open_reason(poll, now), code="poll-not-open", state=poll.state)
    reason = model.eligibility_problem(poll, actor, tree)
    if reason:
        raise Forbidden(reason, code="not-eligible")
    option_ids = model.normalize_answers(poll, [a.model_dump() for a in ballot.answers])
    secret = ports.key_secret()
    ballot_id = keys.ballot_key(secret, poll_id, actor.subject)
    salt = None
    if ballot.commitment:
        commitment = ballot.commitment
    else:
        salt = (keys.derived_salt(secret, poll_id, actor.subject, idempotency_key, option_ids)
                if idempotency_key else receipts.random_salt())
        commitment = receipts.commitment(poll_id, ballot_id, option_ids, salt)
    response = {
        "ballot_id": ballot_id, "state": "accepted", "poll_id": poll_id, "can_change_until": iso(poll.closes_at),
        "receipt": {"poll_id": poll_id, "ballot_id": ballot_id, "commitment": commitment,
                    "option_ids": list(option_ids), **({"salt": salt} if salt else {}),
                    "fingerprint": poll.fingerprint},
    }
    # A first ballot, a change or a retry, always enqueued: the ledger keeps the one accepted last,
    # so this 202 is true even when an earlier ballot of the same resident is still in the queue.
    accepted_ms = int(now.timestamp() * 1000)
    ports.queue.send(BallotMessage(
        poll_id=poll_id, ballot_key=ballot_id, option_ids=option_ids, commitment=commitment,
        accepted_at_ms=accepted_ms, territory_id=actor.territory_id or "-",
        age_band=age_band(actor.birth_year, poll.opens_at.year), gender=actor.gender or "-",
    ))
    return response


def _not_open_reason(poll: model.Poll, now: datetime) -> str:
    if poll.state == "approved" or (poll.state == "open" and now < poll.opens_at):
        return "Голосование ещё не началось."
    if poll.state in ("closed", "final") or (poll.state == "open" and now >= poll.closes_at):
        return "Голосование уже завершено."
    if poll.state == "cancelled":
        return "Опрос отменён."
    return "Голосование не идёт."


def ballot_state(actor: Principal, poll_id: str, ballot_id: str | None, ports: VotePorts | None = None) -> dict:
    """The caller's ballot: counted (in the ledger), accepted (still on its way) or rejected (it did
    not reach the count before the result)."""
    ports = ports or default_ports()
    poll = resident_poll(actor, poll_id, ports.poll_store, ports.territories)
    key = voter_key(poll_id, actor, ports.key_secret())
    recorded = ports.ledger.get(poll_id, key)
    if recorded is not None:
        return {"ballot_id": key, "state": "counted", "commitment": recorded.commitment}
    if ballot_id == key and poll.state in ("open", "closed"):
        return {"ballot_id": key, "state": "accepted"}
    if ballot_id == key and poll.state == "final":
        return {"ballot_id": key, "state": "rejected",
                "reason": "Голос не поступил в подсчёт до подведения итогов."}
    raise NotFound("Вы не голосовали в этом опросе.", code="ballot-not-found")
