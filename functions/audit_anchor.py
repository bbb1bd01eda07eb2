"""Scheduled every five minutes (EventBridge): anchors the audit chain's head in the Object Lock
bucket, one object per new head (docs/decisions/013-anchored-audit-log.md).

Its role reads the audit table (Query) and may only put objects in the anchor bucket: it can
neither change the log nor delete or overwrite an anchored head.
"""

from __future__ import annotations

from aj74.observability import logger, metrics
from aj74.settings import AUDIT_ANCHOR, configure

# Validated at cold start: a missing or malformed variable stops the import, naming it.
configure(AUDIT_ANCHOR)


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event, context):
    from aj74.audit.anchor import anchor, anchor_key
    from aj74.audit.repository import AuditLog
    from aj74.clock import iso, utcnow
    from aws_lambda_powertools.metrics import MetricUnit

    head = AuditLog().head()
    written = anchor(head, iso(utcnow()))
    if written:
        metrics.add_metric(name="AuditHeadAnchored", unit=MetricUnit.Count, value=1)
        logger.info("audit head anchored", seq=head["seq"], key=anchor_key(head))
    return {"seq": head["seq"], "hash": head["hash"], "anchored": written}
