"""The live tally's layout: how many shard items a poll's tally has and the attribute that holds an
option's count. The live tally is an indication while a poll is open; the official count is the
recount of the ledger (``aj74.integrity.published.tally``, run by ``aj74.polls.scheduling``)."""

from __future__ import annotations

TALLY_SHARDS = 16  # live-tally items per poll; a batch adds to one at random, so no key runs hot


def counter_name(option_id: str) -> str:
    """DynamoDB attribute holding an option's count in a tally item (``q1-o2`` → ``c_q1_o2``)."""
    return "c_" + option_id.replace("-", "_")


def option_from_counter(name: str) -> str:
    return name[2:].replace("_o", "-o", 1)

