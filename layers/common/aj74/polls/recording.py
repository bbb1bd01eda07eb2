"""Recording queued ballots exactly once — see docs/decisions/004-exactly-once-ballots.md and
012-ballot-secrecy-and-integrity.md.

Per ballot, one conditional put of the ledger item keyed by the ballot key: one person, one ballot,
and a later ballot of the same resident replaces the earlier one. Per batch, one update adds the
batch's changes to a live-tally shard. The official result is a recount of the ledger, so the live
tally only has to be right when nothing went wrong. Points are not credited here: the consumer
never learns who voted (the API settles participation points after the result, aj74.points.settlement).

Nothing is taken on trust from the queue: a message must carry a valid MAC under the message key,
and what it says is re-checked against the poll (accepted inside [opens_at, closes_at), options of
the poll within each question's limits, not older than the queue's retention after close).

The recorder belongs to ``polls/``, which runs the vote: it reads polls and flags amendments;
``ballots/`` below it gives the message, the ledger and the live tallies.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass

from aj74.ballots.message import BallotMessage, PoisonMessage
from aj74.errors import NotFound
from aj74.polls.model import UNPUBLISHED_STATES, Poll, choice_problem
from aj74.polls.ports import RecordingPorts


def default_ports(**overrides) -> RecordingPorts:
    """The recorder's real adapters (the poll cache and table, the ledger and live tallies in
    DynamoDB, the wall clock), ``overrides`` in their place."""
    from aj74.ballots.repository import BallotLedger, LiveTallies
    from aj74.clock import utcnow
    from aj74.polls.access import ballot_path_polls
    from aj74.polls.repository import PollRepository

    return RecordingPorts(**{"polls": ballot_path_polls, "poll_store": PollRepository(), "ledger": BallotLedger(),
                             "tallies": LiveTallies(), "clock": utcnow, **overrides})


@dataclass(frozen=True)
class Outcome:
    poll_id: str
    status: str  # counted | replaced | duplicate | rejected_cancelled
    option_ids: tuple[str, ...] = ()  # added to the count
    replaced: tuple[str, ...] = ()  # taken out of the count (the resident's earlier ballot)
    after_close: bool = False  # recorded after closes_at: the published result may need amending


class BallotRecorder:
    def __init__(self, message_key: bytes, retention_seconds: int, ports: RecordingPorts | None = None) -> None:
        """``ports``: the polls, the ledger, the live tallies and the clock (the real adapters when
        None; the recorder uses neither the queue nor the key secret)."""
        self.message_key = message_key
        self.retention_ms = retention_seconds * 1000
        self.ports = ports or default_ports()
        self.ledger = self.ports.ledger
        self.polls = self.ports.poll_store
        self.tallies = self.ports.tallies

    def _poll(self, poll_id: str, fresh: bool = False) -> Poll:
        """The poll, through the process's one poll cache (``aj74.polls.access``) by default."""
        try:
            return self.ports.polls.get(poll_id, fresh=fresh)
        except NotFound as exc:
            raise PoisonMessage(f"ballot for unknown poll {poll_id}", reason="invalid") from exc

    def record(self, body: str, now_ms: int | None = None) -> Outcome:
        """Record one queued ballot. Raises PoisonMessage for what must never be recorded (it goes
        to the DLQ) and Unavailable (throttling) for what should be retried."""
        msg = BallotMessage.decode(body, self.message_key)
        now_ms = _ms(self.ports.clock()) if now_ms is None else now_ms
        poll = self._poll(msg.poll_id)
        if poll.state in UNPUBLISHED_STATES or poll.state == "approved":
            poll = self._poll(msg.poll_id, fresh=True)  # the cache may predate the opening
        if poll.state == "cancelled":
            return Outcome(msg.poll_id, "rejected_cancelled")
        problem = self._problem(poll, msg, now_ms)
        if problem:
            raise PoisonMessage(f"ballot for poll {msg.poll_id} refused: {problem}", reason="invalid")
        recorded = self.ledger.record(msg)
        closes_ms = _ms(poll.closes_at)
        after_close = recorded.status != "unchanged" and now_ms >= closes_ms
        # Recorded after close: the result may already be out (the cached state cannot tell).
        if after_close:
            self.polls.mark_amendment_pending(msg.poll_id)
        if recorded.status == "new":
            return Outcome(msg.poll_id, "counted", msg.option_ids, after_close=after_close)
        if recorded.status == "replaced":
            return Outcome(msg.poll_id, "replaced", msg.option_ids, recorded.previous, after_close=after_close)
        return Outcome(msg.poll_id, "duplicate")

    def _problem(self, poll: Poll, msg: BallotMessage, now_ms: int) -> str | None:
        if poll.state in UNPUBLISHED_STATES or poll.state == "approved":
            return f"the poll is {poll.state}, it never accepted ballots"
        opens_ms, closes_ms = _ms(poll.opens_at), _ms(poll.closes_at)
        if not opens_ms <= msg.accepted_at_ms < closes_ms:
            return "accepted outside the voting period"
        if now_ms - closes_ms > self.retention_ms:
            return "arrived after the amendment window (the queue's retention) had passed"
        return choice_problem(poll, msg.option_ids)

    def add_to_live_tallies(self, outcomes: list[Outcome]) -> None:
        """One tally update per poll for the batch's newly counted and replaced ballots."""
        per_poll: dict[str, tuple[list[int], Counter]] = defaultdict(lambda: ([0], Counter()))
        for o in outcomes:
            if o.status not in ("counted", "replaced"):
                continue
            n, counts = per_poll[o.poll_id]
            if o.status == "counted":
                n[0] += 1
            counts.update(o.option_ids)
            counts.subtract(o.replaced)
        for poll_id, (n, counts) in per_poll.items():
            changed = Counter({k: v for k, v in counts.items() if v})
            if n[0] or changed:
                self.tallies.add(poll_id, n[0], changed)


def _ms(moment) -> int:
    return int(moment.timestamp() * 1000)
