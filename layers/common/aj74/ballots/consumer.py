"""Recording queued ballots exactly once — see docs/decisions/004-exactly-once-ballots.md.

Per ballot, two conditional puts, each idempotent on its own:
1. the ledger entry keyed by the ballot key (one person, one ballot, enforced by the database);
2. the points credit keyed by (resident, poll) (credited once, whatever the number of deliveries).
A redelivery after a crash between them finds (1) present and still makes (2). Per batch, one
update adds the batch's new ballots to a live-tally shard. The official result is a recount of
the ledger, so the live tally only has to be right when nothing went wrong.
"""

from __future__ import annotations

import time
from collections import Counter, defaultdict
from dataclasses import dataclass

from aj74.ballots.message import BallotMessage, PoisonMessage
from aj74.ballots.repository import BallotLedger, LiveTallies
from aj74.errors import NotFound
from aj74.points.repository import PointsLedger
from aj74.polls.model import Poll
from aj74.polls.repository import PollRepository


@dataclass(frozen=True)
class Outcome:
    poll_id: str
    status: str  # counted | duplicate | rejected_late | rejected_cancelled
    option_ids: tuple[str, ...] = ()


class BallotRecorder:
    def __init__(self, points_per_ballot: int, poll_ttl_seconds: float = 2.0) -> None:
        self.points_per_ballot = points_per_ballot
        self.ledger = BallotLedger()
        self.points = PointsLedger()
        self.polls = PollRepository()
        self.tallies = LiveTallies()
        self._poll_ttl = poll_ttl_seconds
        self._poll_cache: dict[str, tuple[float, Poll]] = {}

    def _poll(self, poll_id: str) -> Poll:
        now = time.monotonic()
        hit = self._poll_cache.get(poll_id)
        if hit and now - hit[0] < self._poll_ttl:
            return hit[1]
        try:
            poll = self.polls.get(poll_id, consistent=False)
        except NotFound as exc:
            raise PoisonMessage(f"ballot for unknown poll {poll_id}") from exc
        self._poll_cache[poll_id] = (now, poll)
        return poll

    def record(self, body: str) -> Outcome:
        """Record one queued ballot. Raises PoisonMessage for what can never be recorded and
        Unavailable (throttling) for what should be retried."""
        msg = BallotMessage.decode(body)
        poll = self._poll(msg.poll_id)
        if poll.state == "cancelled":
            return Outcome(msg.poll_id, "rejected_cancelled")
        closes_ms = int(poll.closes_at.timestamp() * 1000)
        if msg.accepted_at_ms >= closes_ms:
            return Outcome(msg.poll_id, "rejected_late")
        new = self.ledger.record(msg)
        self.points.credit_ballot(msg.voter, msg.poll_id, self.points_per_ballot, msg.accepted_at_ms)
        # Recorded after close: the result may already be out (the cached state cannot tell).
        if new and time.time() * 1000 >= closes_ms:
            self.polls.mark_amendment_pending(msg.poll_id)
        return Outcome(msg.poll_id, "counted" if new else "duplicate", msg.option_ids if new else ())

    def add_to_live_tallies(self, outcomes: list[Outcome]) -> None:
        """One tally update per poll for the batch's newly counted ballots."""
        per_poll: dict[str, tuple[list[int], Counter]] = defaultdict(lambda: ([0], Counter()))
        for o in outcomes:
            if o.status == "counted":
                n, counts = per_poll[o.poll_id]
                n[0] += 1
                counts.update(o.option_ids)
        for poll_id, (n, counts) in per_poll.items():
            self.tallies.add(poll_id, n[0], counts)
