"""Counting: live tally increments per batch and the exact recount from the ledger."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

TALLY_SHARDS = 16  # live-tally items per poll; a batch adds to one at random, so no key runs hot


def counter_name(option_id: str) -> str:
    """DynamoDB attribute holding an option's count in a tally item (``q1-o2`` → ``c_q1_o2``)."""
    return "c_" + option_id.replace("-", "_")


def option_from_counter(name: str) -> str:
    return name[2:].replace("_o", "-o", 1)


def count(ballots: Iterable[tuple[str, ...]]) -> tuple[int, Counter]:
    """(number of ballots, count per option id) over ballots given as their option ids."""
    total, counts = 0, Counter()
    for option_ids in ballots:
        total += 1
        counts.update(option_ids)
    return total, counts
