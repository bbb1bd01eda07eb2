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
