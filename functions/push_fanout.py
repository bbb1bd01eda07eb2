"""SQS consumer of the push queue: turns bulletins and poll events into Web Push requests
(docs/decisions/018-web-push.md; the stages are in aj74.push.fanout).

Powertools BatchProcessor reports failed records (ReportBatchItemFailures): a step that could not
read the table or queue its output is redelivered alone and reaches the DLQ after maxReceiveCount.
Pushes a push service refused for now (429, 5xx) are not failures of the record: they are queued
again with a delay, so the browsers already reached in the same batch are not notified twice.
"""

from __future__ import annotations

from functools import lru_cache

from aj74.observability import logger, metrics
from aj74.settings import PUSH_FANOUT, configure
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

# Validated at cold start: a missing or malformed variable stops the import, naming it.
configure(PUSH_FANOUT)

processor = BatchProcessor(event_type=EventType.SQS)
METRICS = {"sent": "PushSent", "gone": "PushSubscriptionGone", "retry": "PushRetried", "failed": "PushRefused",
           "dropped": "PushDropped", "batches": "PushBatchesQueued", "pages": "PushPagesQueued"}


@lru_cache(maxsize=1)
def fanout():
    from aj74.push.fanout import Fanout

    return Fanout()


def record_handler(record) -> None:
    from aj74.push.fanout import UnknownMessage

    try:
        counts = fanout().handle(record.body)
    except UnknownMessage as exc:
        metrics.add_metric(name="PushMessageRejected", unit=MetricUnit.Count, value=1)
        logger.error("push message rejected", message_id=record.message_id, detail=str(exc))
        raise
    for name, value in counts.items():
        if value:
            metrics.add_metric(name=METRICS.get(name, f"Push_{name}"), unit=MetricUnit.Count, value=value)
    logger.info("push step", message_id=record.message_id, **dict(counts))


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event, context):
    return process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                    context=context)
