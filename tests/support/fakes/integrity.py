"""An in-memory published ballot list store (the port ``aj74.integrity.ports.PublishedLists``), and
one set of fakes for the services that read results (``aj74.integrity.ports``).

``FakePublishedBallots`` is the adapter ``aj74.integrity.repository.PublishedBallots`` with its three
storage calls (``_put_items``, ``_get``, ``_query``) answered from a dict of the items **as the
adapter stores them** (attribute-value dicts: ``commitments`` and ``choices`` as binary, the index
item's ``tree_size``, ``option_ids``, ``firsts``, ``roots``). Paging, proofs and the chunk layout are
the adapter's own code; a test may change a stored item (``item``) to play a tampered table.
``tests/integration/test_integrity_ports_contract.py`` runs the same checks on this and on the
adapter over moto.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from aj74.integrity.ports import ReportingPorts, ResidentViewPorts, VerificationPorts
from aj74.integrity.published import tally
from aj74.integrity.repository import PublishedBallots
from aj74.polls import model
from aj74.polls.scheduling import counted_ballots
from aj74.polls.state import Result

from tests.support.fakes.audit import FakeAuditLog
from tests.support.fakes.vote import BALLOT_KEY_SECRET, FakeWorld


class FakePublishedBallots(PublishedBallots):
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], dict] = {}

    # ---- the adapter's storage calls, on the dict
    def _put_items(self, items: list[dict]) -> None:
        if len(items) > 25:  # BatchWriteItem's limit, which the adapter batches under
            raise ValueError("at most 25 items per BatchWriteItem")
        for item in items:
            self.items[(item["poll_id"]["S"], item["part"]["S"])] = _copy(item)

    def _get(self, poll_id: str, part: str) -> dict | None:
        item = self.items.get((poll_id, part))
        return _copy(item) if item is not None else None

    def _query(self, poll_id: str, low: str, high: str) -> list[dict]:
        return [_copy(self.items[(p, part)]) for p, part in sorted(self.items)
                if p == poll_id and low <= part <= high]

    # ---- a test's access to what is stored
    def item(self, poll_id: str, part: str) -> dict:
        """The stored item, to read or change in place (a tampered table)."""
        return self.items[(poll_id, part)]

    def parts(self, poll_id: str) -> list[str]:
        return sorted(part for p, part in self.items if p == poll_id)


def _copy(item: dict) -> dict:
    return {name: dict(value) for name, value in item.items()}


@dataclass
class ResultWorld(FakeWorld):
    """The vote's fakes (polls, ledger, live tallies, clock, the territory tree) plus the published
    lists, the audit log and the queue backlog: what reporting, verification and the resident view
    reach."""

    published: FakePublishedBallots = field(default_factory=FakePublishedBallots)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)
    backlog: int = 0

    def reporting_ports(self) -> ReportingPorts:
        return ReportingPorts(polls=self.polls, ledger=self.ledger, tallies=self.tallies,
                              backlog=lambda: self.backlog, territories=lambda: self.tree, clock=self.clock)

    def verification_ports(self) -> VerificationPorts:
        return VerificationPorts(polls=self.polls, ledger=self.ledger, published=self.published, audit=self.audit,
                                 territories=lambda: self.tree, key_secret=lambda: BALLOT_KEY_SECRET,
                                 clock=self.clock)

    def resident_view_ports(self) -> ResidentViewPorts:
        return ResidentViewPorts(tallies=self.tallies, clock=self.clock)

    def finalise(self, poll: model.Poll, publish: bool = True) -> model.Poll:
        """What the scheduler does at the close, on these fakes: recount the ledger's ballots
        accepted before close, store the published list (unless ``publish`` is False: a result
        finalised before lists existed) and the poll as final with its result."""
        ballots = counted_ballots(poll, self.ledger)
        result = tally(ballots)
        if publish:
            self.published.write(poll.poll_id, result["merkle_root"], ballots, poll.option_ids)
        final = replace(poll, state="final", result=Result(
            total_ballots=result["total_ballots"], counts=result["counts"], merkle_root=result["merkle_root"],
            tree_size=result["tree_size"], finalised_at=self.clock.now.isoformat()))
        return self.polls.put(final)
