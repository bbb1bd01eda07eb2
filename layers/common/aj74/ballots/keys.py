"""Ballot keys: a keyed hash of (poll, voter), so the ledger never stores who voted.

The same voter always gets the same key for a poll, which is what lets the database refuse a
second ballot with a conditional write; without the secret nobody can tell whose key it is.
"""

from __future__ import annotations

import base64
import hashlib
import hmac

BALLOT_SHARDS = 16  # ledger partitions per poll: 16 × 1,000 WCU/s absorbs a 10,000 ballots/s spike


def _mac(secret: bytes, *parts: str) -> bytes:
    if len(secret) < 32:
        raise ValueError("the ballot key secret must be at least 32 bytes")
    return hmac.new(secret, "\x1f".join(parts).encode("utf-8"), hashlib.sha256).digest()


def ballot_key(secret: bytes, poll_id: str, subject: str) -> str:
    """The voter's ballot id in a poll (22 url-safe characters)."""
    return base64.urlsafe_b64encode(_mac(secret, "ballot", poll_id, subject)[:16]).decode().rstrip("=")


def ledger_shard(key: str) -> int:
    return hashlib.sha256(key.encode()).digest()[0] % BALLOT_SHARDS


def ledger_partition(poll_id: str, key: str) -> str:
    return f"{poll_id}#{ledger_shard(key):02d}"


def derived_salt(secret: bytes, poll_id: str, subject: str, idempotency_key: str, answers: tuple[str, ...]) -> str:
    """A salt that a retry with the same Idempotency-Key and answers reproduces, so the retry gets
    the very same receipt without the server ever storing the salt."""
    return _mac(secret, "salt", poll_id, subject, idempotency_key, ",".join(answers)).hex()
