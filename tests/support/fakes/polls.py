"""In-memory fakes of the poll cycle's ports (aj74.polls.ports: PollTable, AuditChain, PublishedList,
the push outbox), for fast tests of the staff use cases, the execution report, informing, the
scheduler's tick and the resident use cases.

``FakePollTable`` extends the vote path's ``FakePolls`` to the whole poll table. Every write goes
through the adapter's own attribute conversion (``aj74.polls.repository``: ``to_item``/``from_item``,
``_to_poll``), so a poll reads back as the adapter reads it back, and the conditions of its writes
(version, state) are written out here. tests/integration/test_poll_ports_contract.py runs the same
checks against these fakes and against the adapters on moto. Nothing here opens a socket.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from aj74.clock import iso
from aj74.errors import Conflict
from aj74.items import from_item, to_item
from aj74.polls import model
from aj74.polls.model import EDITABLE_STATES
from aj74.polls.ports import PollStaffPorts, ResidentPollPorts, SchedulerPorts
from aj74.polls.repository import ATTRIBUTES, DEFAULTS, STALE, _stored, _to_poll
from aj74.territories import TerritoryTree, packaged
from aj74.workflow import Transition

from tests.support.fakes.audit import FakeAuditLog
from tests.support.fakes.integrity import FakePublishedBallots
from tests.support.fakes.vote import (
    BALLOT_KEY_SECRET,
    FakeBallotQueue,
    FakeClock,
    FakeLedger,
    FakePolls,
    FakeTallies,
    FakeWorld,
)


def _values(poll: model.Poll) -> dict:
    """A poll's attributes as the adapter's item holds them (plain values, JSON not yet encoded)."""
    content = poll.content()
    return {"poll_id": poll.poll_id, "state": poll.state, "opens_at": content["opens_at"],
            "closes_at": content["closes_at"], "version": poll.version, "content": content,
            "created_by": poll.created_by, "created_at": poll.created_at, "history": list(poll.history),
            "fingerprint": poll.fingerprint, "result": _stored(poll.result), "amendments": _stored(poll.amendments),
            "amend_pending": True if poll.amend_pending else None, "review_snapshot": _stored(poll.review_snapshot),
            "execution": _stored(poll.execution), "informed": _stored(poll.informed)}


def _stored_poll(values: dict) -> model.Poll:
    """What the adapter reads back after writing ``values``."""
    return _to_poll(from_item(ATTRIBUTES, to_item(ATTRIBUTES, values), DEFAULTS))


class FakePollTable(FakePolls):
    """The poll table: create, get, save_content, apply, set_fields, mark_amendment_pending and the
    ``by-state`` index with its paging, each write conditioned as the adapter's and raising the
    version by one."""

    def create(self, poll: model.Poll) -> model.Poll:
        if poll.poll_id in self._items:
            raise Conflict("Опрос с таким идентификатором уже существует.")
        values = {**_values(poll), "version": 1, "history": [], "amendments": [], "fingerprint": None,
                  "result": None, "amend_pending": None, "review_snapshot": None, "execution": None,
                  "informed": None}
        return self._write(values)

    def _write(self, values: dict) -> model.Poll:
        poll = _stored_poll(values)
        self._items[poll.poll_id] = poll
        return poll

    def save_content(self, poll: model.Poll, expected_version: int, edit: dict | None = None) -> model.Poll:
        current = self.get(poll.poll_id)
        if current.version != expected_version:
            raise Conflict(f"Опрос уже изменён другим редактором (текущая версия {current.version}). "
                           "Обновите страницу и внесите правки заново.", code="version-conflict",
                           current_version=current.version)
        if current.state not in EDITABLE_STATES:
            raise Conflict("Редактировать можно только черновик или отклонённый опрос.", code="not-editable")
        content = poll.content()
        values = {**_values(current), "content": content, "opens_at": content["opens_at"],
                  "closes_at": content["closes_at"], "version": current.version + 1}
        if edit:
            values["history"] = [*values["history"], edit]
        return self._write(values)

    def apply(self, poll_id: str, transition: Transition, expected_version: int | None = None,
              **fields) -> model.Poll:
        current = self.get(poll_id)
        if current.state != transition.from_state or (expected_version and current.version != expected_version):
            raise Conflict(STALE, code="state-changed", state=current.state)
        values = {**_values(current), "state": transition.to_state,
                  "history": [*current.history, transition.as_dict()], "version": current.version + 1}
        values.update({name: _stored(value) for name, value in fields.items()})
        return self._write(values)

    def set_fields(self, poll_id: str, expected_state: str, **fields) -> model.Poll:
        current = self.get(poll_id)
        if current.state != expected_state:
            raise Conflict("Опрос изменился.", code="state-changed", state=current.state)
        values = {**_values(current), "version": current.version + 1}
        values.update({name: _stored(value) for name, value in fields.items()})
        return self._write(values)

    def by_state(self, state: str, *, opens_before: datetime | None = None, limit: int | None = None,
                 cursor: dict | None = None) -> tuple[list[model.Poll], dict | None]:
        """Latest opening first (the index's sort key is the ISO ``opens_at``, then, in this fake, the
        id); the cursor is the last key returned, as DynamoDB's LastEvaluatedKey: it is given
        whenever a page is full, even when nothing follows."""
        matching = [p for p in self._items.values() if p.state == state
                    and (opens_before is None or iso(p.opens_at) <= iso(opens_before))]
        ordered = sorted(matching, key=lambda p: (iso(p.opens_at), p.poll_id), reverse=True)
        if cursor:
            mark = (cursor["opens_at"]["S"], cursor["poll_id"]["S"])
            ordered = [p for p in ordered if (iso(p.opens_at), p.poll_id) < mark]
        if limit is None or len(ordered) < limit:
            return ordered, None
        page = ordered[:limit]
        last = page[-1]
        return page, {"poll_id": {"S": last.poll_id}, "state": {"S": state}, "opens_at": {"S": iso(last.opens_at)}}


class FakePushOutbox:
    """The push outbox: keeps each poll event queued, as ``(kind, poll_id)`` and in full."""

    def __init__(self) -> None:
        self.sent: list[dict] = []

    def __call__(self, kind: str, poll_id: str, title: str, territory_ids: Sequence[str] = (),
                 status_title: str | None = None) -> bool:
        message = {"kind": kind, "poll_id": poll_id, "title": title, "territory_ids": list(territory_ids)}
        if status_title:
            message["status_title"] = status_title  # as aj74.push.outbox.notify_poll_event queues it
        self.sent.append(message)
        return True

    def events(self) -> list[tuple[str, str]]:
        return [(m["kind"], m["poll_id"]) for m in self.sent]


def accept_every_image(references) -> None:
    """The media check when every image named was uploaded."""


class FakeSettlement:
    """Settlement (``aj74.points.settlement.settle``) as the resident list calls it: remembers who
    was settled, credits nothing (its behaviour is tested on tests/support/fakes/shop.py)."""

    def __init__(self) -> None:
        self.settled: list[str] = []

    def __call__(self, actor) -> list[str]:
        self.settled.append(actor.subject)
        return []


@dataclass
class FakePollWorld(FakeWorld):
    """The vote path's fakes (one poll table for casting, recording and the poll cycle) plus the
    audit log, the published lists, the push outbox and the media check of the staff use cases
    and the scheduler."""

    polls: FakePollTable = field(default_factory=FakePollTable)
    ledger: FakeLedger = field(default_factory=FakeLedger)
    tallies: FakeTallies = field(default_factory=FakeTallies)
    queue: FakeBallotQueue = field(default_factory=FakeBallotQueue)
    clock: FakeClock = field(default_factory=FakeClock)
    tree: TerritoryTree = field(default_factory=lambda: packaged().tree)
    audit: FakeAuditLog = field(default_factory=FakeAuditLog)
    published: FakePublishedBallots = field(default_factory=FakePublishedBallots)
    push: FakePushOutbox = field(default_factory=FakePushOutbox)
    check_images: object = accept_every_image
    settle: FakeSettlement = field(default_factory=FakeSettlement)

    def staff_ports(self, **overrides) -> PollStaffPorts:
        return PollStaffPorts(**{"polls": self.polls, "audit": self.audit, "territories": lambda: self.tree,
                                 "clock": self.clock, "check_images": self.check_images, "notify": self.push,
                                 **overrides})

    def resident_ports(self, **overrides) -> ResidentPollPorts:
        """The resident use cases' ports on the same tables as casting (``vote_ports``)."""
        return ResidentPollPorts(**{"polls": self.polls, "ledger": self.ledger, "tallies": self.tallies,
                                    "territories": lambda: self.tree, "key_secret": lambda: BALLOT_KEY_SECRET,
                                    "clock": self.clock, "settle": self.settle, **overrides})

    def scheduler_ports(self, **overrides) -> SchedulerPorts:
        return SchedulerPorts(**{"polls": self.polls, "ledger": self.ledger, "published": self.published,
                                 "tallies": self.tallies, "audit": self.audit, "notify": self.push,
                                 "clock": self.clock, **overrides})

    def put(self, poll: model.Poll) -> model.Poll:
        """Store ``poll`` as the adapter would read it back (a test's way to set a poll up)."""
        return self.polls._write(_values(poll))
