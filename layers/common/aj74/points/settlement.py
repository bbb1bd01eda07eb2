"""Participation points, settled after the result and never at the moment of voting.

The consumer that records a ballot does not know who cast it (docs/decisions/012): the queue
message carries no resident id. So the API credits participation when a resident next reads their
points, orders or final polls: for each final poll visible to them without a credit yet, it
recomputes their ballot key (only the API holds the ballot-key secret) and asks the ledger, in one
BatchGetItem per 100 polls, which of those keys it holds. Each hit gets the conditional credit put
(``credit#ballot#<poll>``): once per resident and poll, whatever the number of reads, dated at the
settlement, so no value of the credit can be matched with the ballot item.

Cost: reads only for polls the resident skipped; one write per counted participation, as before.
"""

from __future__ import annotations

import threading
import time

from aj74.ballots import keys
from aj74.identity.principal import Principal
from aj74.points.ports import SettlementPorts
from aj74.polls import model
from aj74.settings import get_settings

FINAL_POLLS_TTL_SECONDS = 30.0
_lock = threading.Lock()
_final_polls: tuple[float, list[model.Poll]] | None = None


def final_polls() -> list[model.Poll]:
    """Every final poll, cached for half a minute per instance (results are published by the
    minute-by-minute scheduler, so a fresher list would credit no sooner)."""
    global _final_polls
    with _lock:
        now = time.monotonic()
        if _final_polls and now - _final_polls[0] < FINAL_POLLS_TTL_SECONDS:
            return _final_polls[1]
        from aj74.polls.repository import PollRepository

        repo, polls, cursor = PollRepository(), [], None
        while True:
            batch, cursor = repo.by_state("final", cursor=cursor)
            polls.extend(batch)
            if not cursor:
                break
        _final_polls = (now, polls)
        return polls


def forget_final_polls() -> None:
    global _final_polls
    with _lock:
        _final_polls = None


def default_ports(**overrides) -> SettlementPorts:
    """Settlement's real adapters (the points and ballot tables, the cached final polls, the
    territory registry, the ballot-key secret, the wall clock), ``overrides`` in their place."""
    from aj74.ballots.repository import BallotLedger
    from aj74.clock import utcnow
    from aj74.keystore import ballot_key_secret
    from aj74.points.repository import PointsLedger
    from aj74.territories import territory_tree

    return SettlementPorts(**{"ledger": PointsLedger(), "final_polls": final_polls, "ballots": BallotLedger(),
                              "territories": territory_tree, "key_secret": ballot_key_secret, "clock": utcnow,
                              **overrides})


def settle(actor: Principal, now_ms: int | None = None, ports: SettlementPorts | None = None) -> list[str]:
    """Credit ``actor`` for every final poll they took part in and were not yet credited for.
    Returns the polls credited now. ``ports``: the real adapters when None."""
    if not actor.has_role("resident"):
        return []
    ports = ports or default_ports()
    tree = ports.territories()
    visible = [p for p in ports.final_polls() if model.visible_to(p, actor, tree)]
    if not visible:
        return []
    points = ports.ledger
    credited = points.credited_polls(actor.subject)
    pending = [p.poll_id for p in visible if p.poll_id not in credited]
    if not pending:
        return []
    secret = ports.key_secret()
    voted = ports.ballots.holders([(p, keys.ballot_key(secret, p, actor.subject)) for p in pending])
    now_ms = int(ports.clock().timestamp() * 1000) if now_ms is None else now_ms
    per_ballot = get_settings().points_per_ballot
    return [p for p in sorted(voted) if points.credit_ballot(actor.subject, p, per_ballot, now_ms)]
