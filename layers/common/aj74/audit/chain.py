"""Hash chaining of audit entries: each entry's hash covers its content and the previous hash,
so a modified, inserted or deleted entry breaks the chain at a place the verifier can name."""

from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "at", "actor", "actor_role", "action", "target_type", "target_id", "before", "after",
                 "comment", "prev_hash")


def canonical(entry: dict) -> bytes:
    return json.dumps({k: entry.get(k) for k in HASHED_FIELDS}, sort_keys=True, ensure_ascii=False,
                      separators=(",", ":")).encode("utf-8")


def entry_hash(entry: dict) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def verify_chain(entries: list[dict]) -> list[str]:
    """Problems found in ``entries`` (ordered by seq), each saying where; empty when intact."""
    problems = []
    prev_hash, prev_seq = GENESIS, 0
    for e in entries:
        seq = e.get("seq")
        if seq != prev_seq + 1:
            problems.append(f"seq {seq}: expected seq {prev_seq + 1} (an entry was deleted or inserted)")
        if e.get("prev_hash") != prev_hash:
            problems.append(f"seq {seq}: prev_hash does not match the hash of the entry before it")
        if entry_hash(e) != e.get("hash"):
            problems.append(f"seq {seq}: content does not match its hash (the entry was modified)")
        prev_hash, prev_seq = e.get("hash"), seq if isinstance(seq, int) else prev_seq + 1
    return problems


def head_of(entries: list[dict]) -> dict:
    """The head of a chain (its newest entry's seq and hash); the genesis head of an empty log."""
    if not entries:
        return {"seq": 0, "hash": GENESIS}
    last = max(entries, key=lambda e: e["seq"])
    return {"seq": last["seq"], "hash": last["hash"]}


def verify_against_head(entries: list[dict], head: dict) -> list[str]:
    """Problems of ``entries`` (ordered by seq) against a head published earlier; empty when the log
    still holds, unchanged, the history that head committed to.

    The head's hash commits to every entry up to it, so erasing, editing or inserting an entry at or
    before the head and re-chaining the rest gives a different hash at the head's seq (or no entry
    there at all). Entries after the head are checked by :func:`verify_chain` and by later heads.
    """
    seq, expected = head.get("seq"), head.get("hash")
    if not isinstance(seq, int) or seq < 0 or not isinstance(expected, str):
        return [f"the published head {head!r} is not a seq and a hash"]
    if seq == 0:
        return [] if expected == GENESIS else ["the published head of an empty log must carry the genesis hash"]
    at_head = [e for e in entries if e.get("seq") == seq]
    if not at_head:
        newest = max((e.get("seq") for e in entries if isinstance(e.get("seq"), int)), default=0)
        return [f"the log ends at seq {newest}, before the published head seq {seq}: entries up to the head were "
                "deleted (the log was truncated or re-chained after an erasure)"]
    found = at_head[0].get("hash")
    if found != expected:
        return [f"seq {seq}: the log's hash {found} is not the published head's {expected}: the history up to "
                "the head was rewritten (an entry was edited, deleted or inserted and the rest re-chained)"]
    if entry_hash(at_head[0]) != found:
        return [f"seq {seq}: content does not match its hash (the entry at the published head was modified)"]
    return []
