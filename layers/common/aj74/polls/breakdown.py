"""Results broken down by a coarse voter attribute (territory, age band, gender), with small-cell
suppression: the secrecy invariant for published tables.

A breakdown of one question is a table: a row per group (e.g. the age band «25–34»), a column per
option, plus the row totals (ballots of the group) and the column totals (the option's count over
everyone, which the plain result already publishes). Primary suppression hides every count under
the threshold. Complementary suppression then hides more, until no hidden number can be computed
by subtraction from a published total: every row, the totals column and every option column hold
either no hidden number or at least two. The extra cell hidden is always the smallest one still
shown, to lose as little as possible. (With a single group its column equals the published overall
count, which is public anyway, so a one-cell line needs no complement.)
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

DIMENSIONS = ("territory", "age", "gender")
DIMENSION_TITLES = {"territory": "по территориям", "age": "по возрасту", "gender": "по полу"}
GENDER_TITLES = {"f": "женщины", "m": "мужчины", "-": "не указан"}

PRIMARY = "primary"
COMPLEMENTARY = "complementary"


@dataclass(frozen=True)
class Cell:
    """One published number; ``count`` is None when it is suppressed (``hidden`` says why)."""

    count: int | None
    hidden: str | None = None

    def as_dict(self) -> dict:
        return {"count": self.count, "hidden": self.hidden}


def suppress(rows: list[list[int]], row_totals: list[int], threshold: int) -> tuple[list[list[Cell]], list[Cell]]:
    """Suppress a table of ``rows`` (groups × options) with its ``row_totals``.

    Column totals (per option over all groups) and the grand total are assumed published, so each
    column — and the totals column — is a line along which a lone hidden number could be recovered.
    Returns the cells and the row-total cells. Pure: no I/O, deterministic.
    """
    n_rows = len(rows)
    n_cols = len(rows[0]) if rows else 0
    # Column n_cols is the row-totals column; it sums to the published grand total.
    values = [[*row, total] for row, total in zip(rows, row_totals, strict=True)]
    hidden: dict[tuple[int, int], str] = {}
    for r in range(n_rows):
        for c in range(n_cols + 1):
            if values[r][c] < threshold:
                hidden[(r, c)] = PRIMARY

    lines: list[list[tuple[int, int]]] = []
    lines += [[(r, c) for c in range(n_cols)] for r in range(n_rows)]  # row cells sum to (at most) the total
    lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols + 1)]  # columns sum to published totals
    changed = True
    while changed:
        changed = False
        for line in lines:
            hidden_in_line = [cell for cell in line if cell in hidden]
            if len(hidden_in_line) != 1:
                continue
            shown = [cell for cell in line if cell not in hidden]
            if not shown:
                continue
            smallest = min(shown, key=lambda cell: (values[cell[0]][cell[1]], cell))
            hidden[smallest] = COMPLEMENTARY
            changed = True

    def cell(r: int, c: int) -> Cell:
        reason = hidden.get((r, c))
        return Cell(None, reason) if reason else Cell(values[r][c])

    return [[cell(r, c) for c in range(n_cols)] for r in range(n_rows)], [cell(r, n_cols) for r in range(n_rows)]


@dataclass(frozen=True)
class VoterGroupBallot:
    """What a breakdown needs of a counted ballot: the options chosen and the voter's coarse group."""

    option_ids: tuple[str, ...]
    territory_id: str
    age_band: str
    gender: str


def group_of(ballot: VoterGroupBallot, dimension: str) -> str:
    return {"territory": ballot.territory_id, "age": ballot.age_band, "gender": ballot.gender}[dimension]


def breakdown(questions: list[dict], ballots: Iterable[VoterGroupBallot], dimension: str, threshold: int,
              group_title=lambda group: group) -> dict:
    """Suppressed tables, one per question, of ``ballots`` grouped by ``dimension``.

    ``questions`` are the poll's questions as dicts (id, text, options[id, text]); ``group_title``
    turns a group key into the label people read.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    group_sizes: Counter = Counter()
    counts: dict[str, Counter] = defaultdict(Counter)
    for ballot in ballots:
        group = group_of(ballot, dimension)
        group_sizes[group] += 1
        counts[group].update(ballot.option_ids)
    groups = sorted(group_sizes, key=lambda g: (g in ("-", "не указан"), str(group_title(g))))
    tables = []
    for q in questions:
        options = [o["id"] for o in q["options"]]
        rows = [[counts[g][o] for o in options] for g in groups]
        cells, totals = suppress(rows, [group_sizes[g] for g in groups], threshold)
        tables.append({
            "question_id": q["id"], "text": q["text"],
            "options": [{"id": o["id"], "text": o["text"]} for o in q["options"]],
            "rows": [{"group": g, "title": group_title(g), "total": totals[i].as_dict(),
                      "cells": [c.as_dict() for c in cells[i]]} for i, g in enumerate(groups)],
        })
    return {"dimension": dimension, "title": DIMENSION_TITLES[dimension], "threshold": threshold,
            "questions": tables}
