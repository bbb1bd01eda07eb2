"""The rules of points that need no storage: what counts as earned, levels, affordability.

A resident's ledger is a list of entries ``{"entry", "kind", "points", "at", "ref"}``; the balance is
their sum, always. ``lifetime`` is what was earned (ballot credits and manual adjustments), so
spending and refunds never move a resident between levels.
"""

from __future__ import annotations

from dataclasses import dataclass

from aj74.errors import Conflict

LEVEL_NAMES = ("Новичок", "Участник", "Активист", "Активный житель")
EARNED_KINDS = frozenset({"ballot", "adjustment"})


@dataclass(frozen=True)
class Level:
    rank: int
    name: str
    since: int
    next_at: int | None

    def as_dict(self, lifetime: int) -> dict:
        return {"rank": self.rank, "name": self.name, "since": self.since, "next_at": self.next_at,
                "to_next": None if self.next_at is None else self.next_at - lifetime}


def level_for(lifetime: int, thresholds: tuple[int, ...]) -> Level:
    """The level for ``lifetime`` points; ``thresholds`` are where levels 2, 3 and 4 begin."""
    starts = (0, *thresholds)
    rank = max(i for i, start in enumerate(starts) if lifetime >= start)
    next_at = starts[rank + 1] if rank + 1 < len(starts) else None
    return Level(rank + 1, LEVEL_NAMES[rank], starts[rank], next_at)


def balance_of(entries: list[dict]) -> int:
    return sum(e["points"] for e in entries)


def lifetime_of(entries: list[dict]) -> int:
    return max(0, sum(e["points"] for e in entries if e["kind"] in EARNED_KINDS))


def require_affordable(balance: int, price: int) -> None:
    """Conflict with a reason a resident understands when ``price`` exceeds ``balance``."""
    if price > balance:
        raise Conflict(f"Недостаточно баллов: нужно {price}, на счёте {balance}.", code="insufficient-points",
                       balance=balance, price=price)


def require_non_negative_after(balance: int, change: int) -> None:
    if balance + change < 0:
        raise Conflict(f"Списание {-change} баллов сделает баланс отрицательным: на счёте {balance}.",
                       code="insufficient-points", balance=balance)
