"""Anchoring the audit chain's head in an S3 bucket with Object Lock in compliance mode.

One object per head (``heads/<seq>/<hash>.json``), written only if absent: a head already anchored
is left as it is, and a rewritten log's head at a seq anchored before lands beside the original
instead of replacing it. The writer's role holds s3:PutObject alone; the bucket's default
retention keeps every version for its term, from everyone, root included
(docs/decisions/013-anchored-audit-log.md).
"""

from __future__ import annotations

import json
import threading

from aj74.caching import process_cache
from aj74.settings import get_settings

PREFIX = "heads/"
_client_lock = threading.Lock()


def anchor_key(head: dict) -> str:
    """The object key of a head: seq zero-padded so keys list in chain order, then the hash."""
    return f"{PREFIX}{head['seq']:012d}/{head['hash']}.json"


def anchor_document(head: dict, anchored_at: str) -> bytes:
    """What is stored: the head as ``python -m aj74.verify audit --head`` reads it, and when."""
    return json.dumps({"seq": head["seq"], "hash": head["hash"], "at": head.get("at"), "anchored_at": anchored_at},
                      sort_keys=True).encode("utf-8")


@process_cache(maxsize=1)
def _s3_client():
    import botocore.session
    from botocore.config import Config

    settings = get_settings()
    return botocore.session.get_session().create_client(
        "s3", region_name=settings.region, endpoint_url=settings.aws_endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5,
                      s3={"addressing_style": "path"}))


def s3_client():
    with _client_lock:
        return _s3_client()


def anchor(head: dict, anchored_at: str) -> bool:
    """Write the head's object; True when written now, False when this head was anchored before."""
    bucket = get_settings().audit_anchor_bucket
    if not bucket:
        raise RuntimeError("AUDIT_ANCHOR_BUCKET is not configured")
    try:
        # If-None-Match: * makes the put conditional on the key being new, so nothing is overwritten.
        s3_client().put_object(Bucket=bucket, Key=anchor_key(head), Body=anchor_document(head, anchored_at),
                               ContentType="application/json", IfNoneMatch="*")
    except Exception as exc:
        if (getattr(exc, "response", None) or {}).get("Error", {}).get("Code") in ("PreconditionFailed",
                                                                                   "ConditionalRequestConflict"):
            return False
        raise
    return True
