"""Results broken down by a coarse voter attribute (territory, age band, gender), under disclosure
control: the secrecy invariant for published tables (docs/decisions/014-disclosure-control.md).

A breakdown of one question is a table: a row per group (e.g. the age band «25–34»), a column per
option, plus the row totals (ballots of the group). Breakdowns are computed once, when the result is
final, and frozen with it as a *release*; an amendment adds a release whose tables are suppressed
together with every earlier one (``aj74.polls.disclosure``). A hidden number is shown as «скрыто»,
never with a reason: why a number is hidden would tell how small it is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

DIMENSIONS = ("territory", "age", "gender")
DIMENSION_TITLES = {"territory": "по территориям", "age": "по возрасту", "gender": "по полу"}
GENDER_TITLES = {"f": "женщины", "m": "мужчины", "-": "не указан"}
HIDDEN_TEXT = "скрыто"


@dataclass(frozen=True)
class VoterGroupBallot:
    """What a breakdown needs of a counted ballot: the options chosen and the voter's coarse group."""

    option_ids: tuple[str, ...]
    territory_id: str
    age_band: str
    gender: str


def group_of(ballot: VoterGroupBallot, dimension: str) -> str:
    return {"territory": ballot.territory_id, "age": ballot.age_band, "gender": ballot.gender}[dimension]


def _group_order(group: str) -> tuple[bool, str]:
    return group in ("-", "не указан"), group


def release(questions: list[dict], ballots: Iterable[VoterGroupBallot], threshold: int,
            earlier: Sequence[dict] = (), dimensions: Sequence[str] = DIMENSIONS) -> dict:
    """The breakdowns to freeze with a result: for every dimension the table to publish now, given
    the ``earlier`` releases of this poll (the first result and amendments, as stored).

    A dimension whose groups changed since its last published table (a late ballot from a group
    that had none) publishes nothing new: listing the new group alone would point at the late voter.
    Returns the stored form: ``{"patterns": [[option ids, count]…], "tables": {dimension: table|None}}``.
    """
    from aj74.polls import disclosure

    ballots = list(ballots)
    patterns = Counter(tuple(sorted(b.option_ids)) for b in ballots)
    options = [(q["id"], o["id"]) for q in questions for o in q["options"]]
    tables: dict[str, dict | None] = {}
    for dimension in dimensions:
        truth: dict[str, Counter] = defaultdict(Counter)
        for b in ballots:
            truth[group_of(b, dimension)][tuple(sorted(b.option_ids))] += 1
        groups = sorted(truth, key=_group_order)
        history = [disclosure.Release(_patterns(r), _table(r, dimension)) for r in earlier]
        last = next((r.table for r in reversed(history) if r.table is not None), None)
        if last is not None and list(last.groups) != groups:
            tables[dimension] = None
            continue
        table = disclosure.protect(groups, options, truth, patterns, history, threshold)
        tables[dimension] = table.as_dict()
    return {"patterns": [[list(p), n] for p, n in sorted(patterns.items())], "tables": tables}


def _patterns(stored: dict) -> dict[tuple[str, ...], int]:
    return {tuple(p): int(n) for p, n in stored["patterns"]}


def _table(stored: dict, dimension: str):
    from aj74.polls.disclosure import Table

    data = stored["tables"].get(dimension)
    return None if data is None else Table.from_dict(data)


def published(questions: list[dict], releases: Sequence[dict], dimension: str, threshold: int,
              group_title=lambda group: group) -> dict:
    """The newest frozen table of ``dimension`` as the API shows it, one table per question.

    ``questions`` are the poll's questions as dicts (id, text, options[id, text]); ``group_title``
    turns a group key into the label people read. ``total_ballots`` says which result it is of.
    """
    if dimension not in DIMENSIONS:
        raise ValueError(dimension)
    stored = next((r for r in reversed(releases) if r["tables"].get(dimension) is not None), None)
    table = stored["tables"][dimension] if stored else {"groups": [], "totals": [], "counts": {}}
    total = sum(n for _, n in stored["patterns"]) if stored else 0
    tables = []
    for q in questions:
        tables.append({
            "question_id": q["id"], "text": q["text"],
            "options": [{"id": o["id"], "text": o["text"]} for o in q["options"]],
            "rows": [{"group": g, "title": group_title(g), "total": {"count": table["totals"][i]},
                      "cells": [{"count": table["counts"][o["id"]][i]} for o in q["options"]]}
                     for i, g in enumerate(table["groups"])],
        })
    return {"dimension": dimension, "title": DIMENSION_TITLES[dimension], "threshold": threshold,
            "total_ballots": total, "questions": tables}


def breakdown(questions: list[dict], ballots: Iterable[VoterGroupBallot], dimension: str, threshold: int,
              group_title=lambda group: group) -> dict:
    """One suppressed breakdown of ``ballots`` as a first release (what `published` shows of it)."""
    first = release(questions, ballots, threshold, dimensions=(dimension,))
    return published(questions, [first], dimension, threshold, group_title)


def shown(cell: dict) -> str:
    """A cell as text people read: its count, or «скрыто»."""
    return HIDDEN_TEXT if cell["count"] is None else str(cell["count"])


def live(count: int, step: int) -> int:
    """A live count, rounded down to a multiple of ``step``: polling shows no single ballot arriving."""
    return count - count % step if step > 1 else count
