"""Ballot commitments: SHA-256 over (poll, ballot id, chosen options, salt).

Canonical form (version 1), UTF-8, fields joined by a newline:
``aj74-ballot-v1 \\n poll_id \\n ballot_id \\n option ids sorted, comma-separated \\n salt (hex)``.
The commitment reveals nothing about the choice to anyone without the salt.
"""

from __future__ import annotations

import hashlib
import secrets

PREFIX = "aj74-ballot-v1"


def commitment(poll_id: str, ballot_id: str, option_ids: tuple[str, ...], salt_hex: str) -> str:
    text = "\n".join([PREFIX, poll_id, ballot_id, ",".join(option_ids), salt_hex])
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def random_salt() -> str:
    return secrets.token_hex(16)
