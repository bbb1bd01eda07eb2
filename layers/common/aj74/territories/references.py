"""What references a territory, so that a referenced one is never retired: its active children,
polls aimed at it, staff scopes that name it, and residents who voted from it.

Residents are known to the platform only through their ballots (the territory comes with each
sign-in), so a resident reference is a ballot from the territory: in the frozen territory
breakdown of a final poll, or in the ledger of an open or closed one. Only polls aimed at the
territory or above it can hold such a ballot. A rare administrative action may read that much.

The polls, the ledger and the staff table are read through the ports of ``aj74.territories.ports``
(the registry service passes its own).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from aj74.polls.model import STATES
from aj74.territories import TerritoryTree

if TYPE_CHECKING:
    from aj74.territories.ports import BallotsOfPoll, PollsByState, TerritoryPorts

MAX_LISTED = 5


def _all_polls(polls_by_state: PollsByState):
    for state in STATES:
        cursor = None
        while True:
            polls, cursor = polls_by_state.by_state(state, limit=200, cursor=cursor)
            yield from polls
            if not cursor:
                break


def _voted_from(poll, territory_id: str, ballots: BallotsOfPoll) -> bool:
    if poll.state == "final":
        for release in (poll.result.breakdowns if poll.result else None) or ():
            table = (release or {}).get("tables", {}).get("territory")
            if table and territory_id in table.get("groups", []):
                return True
    if poll.state not in ("open", "closed", "final"):
        return False
    return any(b.territory_id == territory_id for b in ballots.all_ballots(poll.poll_id))


def _listed(prefix: str, names: list[str]) -> str:
    shown = ", ".join(f"«{n}»" for n in names[:MAX_LISTED])
    more = f" и ещё {len(names) - MAX_LISTED}" if len(names) > MAX_LISTED else ""
    return f"{prefix} {shown}{more}"


def of(territory_id: str, tree: TerritoryTree, ports: TerritoryPorts) -> list[str]:
    """Russian phrases naming what references ``territory_id`` (empty: nothing does); the polls,
    ballots and staff scopes are read through ``ports``."""
    found: list[str] = []
    children = tree.children(territory_id)
    if children:
        found.append(_listed("входящие в неё территории", [c.name for c in children]))
    chain = set(tree.chain_ids(territory_id))
    aimed, voted = [], False
    for poll in _all_polls(ports.polls):
        if territory_id in poll.territory_ids:
            aimed.append(poll.title)
        elif not voted and chain & set(poll.territory_ids) and _voted_from(poll, territory_id, ports.ballots):
            voted = True
    if aimed:
        found.append(_listed("опросы", aimed))
    if ports.staff is not None:
        staff = [a.get("display_name") or a["subject"] for a in ports.staff.all()
                 if territory_id in (a.get("scope_territory_ids") or [])
                 or territory_id in ((a.get("pending") or {}).get("scope_territory_ids") or [])]
        if staff:
            found.append(_listed("назначения сотрудников", staff))
    if voted:
        found.append("жители, голосовавшие с этой территорией в профиле")
    return found
