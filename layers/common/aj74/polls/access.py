"""Who reaches which poll: the id check, the poll a resident, a staff member or anyone may see, the
caller's ballot key, and the one cache of polls read on the ballot path.

Every use case of ``polls/`` (staff, residents, voting, recording, verification, reporting) takes its
poll through these helpers, so "not found" and "outside your territories" read the same everywhere.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from aj74 import scope
from aj74.ballots import keys
from aj74.caching import on_forget
from aj74.errors import Forbidden, NotFound
from aj74.identity.principal import Principal
from aj74.identity.roles import STAFF_READERS, is_region_wide
from aj74.ids import is_ulid
from aj74.keystore import ballot_key_secret
from aj74.polls import model
from aj74.polls.repository import PollRepository
from aj74.territories import territory_tree

if TYPE_CHECKING:
    from collections.abc import Callable

    from aj74.polls.ports import PollStore
    from aj74.territories import TerritoryTree


def check_poll_id(poll_id: str) -> None:
    """A poll id is a ULID; anything else is a poll that does not exist."""
    if not is_ulid(poll_id):
        raise NotFound("Опрос не найден.", code="poll-not-found")


def voter_key(poll_id: str, actor: Principal, secret: bytes | None = None) -> str:
    """The caller's ballot key in this poll (one person, one ballot); ``secret`` defaults to the
    ballot-key secret from the keystore."""
    return keys.ballot_key(ballot_key_secret() if secret is None else secret, poll_id, actor.subject)


def resident_poll(actor: Principal, poll_id: str, polls: PollStore | None = None,
                  territories: Callable[[], TerritoryTree] | None = None) -> model.Poll:
    """A published poll that targets the resident; any other is "not found". ``polls`` defaults to
    the poll table, ``territories`` to the territory registry."""
    check_poll_id(poll_id)
    poll = (polls if polls is not None else PollRepository()).get(poll_id, consistent=False)
    if poll.state in model.UNPUBLISHED_STATES or not model.visible_to(poll, actor, (territories or territory_tree)()):
        raise NotFound("Опрос не найден.", code="poll-not-found")
    return poll


def staff_poll(actor: Principal, poll_id: str, polls: PollStore | None = None,
               territories: Callable[[], TerritoryTree] | None = None) -> model.Poll:
    """The poll, if ``actor`` may see it: moderators only inside their territories. ``polls``
    defaults to the poll table, ``territories`` to the territory registry."""
    check_poll_id(poll_id)
    poll = (polls if polls is not None else PollRepository()).get(poll_id)
    if actor.has_role("moderator") and not is_region_wide(actor):
        tree = (territories or territory_tree)()
        outside = scope.out_of_scope(actor, poll.territory_ids, tree)
        if outside:
            names = ", ".join(tree.get(t).name for t in outside)
            raise Forbidden(f"Опрос проводится на территориях вне вашей зоны ответственности: {names}.",
                            code="territory-scope")
    return poll


def visible_poll(actor: Principal, poll_id: str, consistent: bool = False, polls: PollStore | None = None,
                 territories: Callable[[], TerritoryTree] | None = None) -> model.Poll:
    """A poll the caller may see: staff within their scope, residents when it targets them.
    ``polls`` defaults to the poll table, ``territories`` to the territory registry."""
    check_poll_id(poll_id)
    poll = (polls if polls is not None else PollRepository()).get(poll_id, consistent=consistent)
    tree = (territories or territory_tree)()
    if any(actor.has_role(r) for r in STAFF_READERS):
        if not is_region_wide(actor):
            scope.require_scope(actor, poll.territory_ids, tree)
        return poll
    if poll.state in model.UNPUBLISHED_STATES or not model.visible_to(poll, actor, tree):
        raise NotFound("Опрос не найден.", code="poll-not-found")
    return poll


class PollCache:
    """Polls on the ballot path, held for ``ttl`` seconds per instance: at a spike, every ballot
    would otherwise read its poll, once when cast and once when recorded. Content is frozen once
    open, and acceptance is decided by the clock against ``closes_at``, so a second of staleness
    cannot let a late ballot in; a reader that must see a state change asks for ``fresh``."""

    def __init__(self, ttl: float = 1.0, size: int = 256) -> None:
        self.ttl = ttl
        self.size = size
        self._items: dict[str, tuple[float, model.Poll]] = {}
        on_forget(self._items.clear)

    def get(self, poll_id: str, fresh: bool = False) -> model.Poll:
        """The poll (eventually consistent read), or a consistent read when ``fresh``; NotFound
        when there is none."""
        now = time.monotonic()
        hit = self._items.get(poll_id)
        if hit and not fresh and now - hit[0] < self.ttl:
            return hit[1]
        poll = PollRepository().get(poll_id, consistent=fresh)
        if len(self._items) > self.size:
            self._items.clear()
        self._items[poll_id] = (now, poll)
        return poll


# The one poll cache of a process: the cast path (API) and the recorder (ballot consumer) read through it.
ballot_path_polls = PollCache()
