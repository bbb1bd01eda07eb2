"""An SQS consumer that fails records on request, to exercise partial batch responses and the DLQ.

A record's body is JSON; ``{"fail": "once"}`` fails its first delivery only, ``{"fail": "always"}``
fails every delivery (a poison message); anything else succeeds. Every delivery is recorded in
``deliveries`` so a test can see what the handler was given.
"""

from __future__ import annotations

import json

from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response
from aws_lambda_powertools.utilities.data_classes.sqs_event import SQSRecord

processor = BatchProcessor(event_type=EventType.SQS)
deliveries: list[dict] = []


class FlakyRecordError(Exception):
    """The record asked to fail."""


def record_handler(record: SQSRecord) -> None:
    receive_count = int(record.attributes.approximate_receive_count)
    deliveries.append({"message_id": record.message_id, "body": record.body, "receive_count": receive_count})
    fail = json.loads(record.body).get("fail")
    if fail == "always" or (fail == "once" and receive_count == 1):
        raise FlakyRecordError(record.message_id)


def handler(event, context):
    return process_partial_response(event=event, record_handler=record_handler, processor=processor, context=context)
