"""Poll fingerprints: SHA-256 of the canonical JSON of a poll's content, fixed when it opens.

Canonical JSON: keys sorted, no insignificant whitespace, UTF-8, times as UTC ``...Z`` strings.
"""

from __future__ import annotations

import hashlib
import json


def canonical_content(content: dict) -> bytes:
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def fingerprint(content: dict) -> str:
    return hashlib.sha256(canonical_content(content)).hexdigest()
