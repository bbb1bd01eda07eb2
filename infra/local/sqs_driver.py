"""Deliver SQS messages to a handler the way Lambda's SQS event source mapping does.

Behaviour kept from Lambda: long-poll receives of up to 10 messages, gathered into one batch of
up to ``BatchSize`` within ``MaximumBatchingWindowInSeconds``; the real Lambda SQS event (real
message ids and receipt handles); on success the batch is deleted except the records named in
``batchItemFailures`` (only with ``ReportBatchItemFailures``); when the invocation fails nothing is
deleted; failed records come back after their visibility timeout; the queue's ``RedrivePolicy``
moves a record to the dead-letter queue after ``maxReceiveCount`` receives. moto's SQS applies the
redrive policy on receive exactly as SQS does, so the driver does not move messages itself.

The one deviation: a failed record's visibility is shortened to ``retry_delay_seconds`` (1 s by
default locally) instead of waiting out the queue's visibility timeout (180 s for ballots), so the
local stack retries quickly. Pass ``retry_delay_seconds=None`` for the exact AWS timing.
"""

from __future__ import annotations

import base64
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from infra.local.invocation import InvocationError, logger
from infra.local.provision import SqsEventSource

MAX_MESSAGES_PER_RECEIVE = 10  # SQS's limit per ReceiveMessage call
LAMBDA_RECORD_ATTRIBUTES = (
    "ApproximateReceiveCount",
    "SentTimestamp",
    "SenderId",
    "ApproximateFirstReceiveTimestamp",
    # FIFO queues and X-Ray add these; Lambda passes them through when present.
    "SequenceNumber",
    "MessageGroupId",
    "MessageDeduplicationId",
    "AWSTraceHeader",
)


@dataclass
class BatchOutcome:
    """What happened to one delivered batch."""

    message_ids: list[str]
    failed_ids: list[str] = field(default_factory=list)
    invocation_failed: bool = False

    @property
    def deleted(self) -> int:
        return len(self.message_ids) - len(self.failed_ids)


def lambda_record(message: dict[str, Any], queue_arn: str, region: str) -> dict[str, Any]:
    """One record of Lambda's SQS event, from a ReceiveMessage result."""
    attributes = message.get("Attributes", {})
    record = {
        "messageId": message["MessageId"],
        "receiptHandle": message["ReceiptHandle"],
        "body": message["Body"],
        "attributes": {k: attributes[k] for k in LAMBDA_RECORD_ATTRIBUTES if k in attributes},
        "messageAttributes": {
            name: _message_attribute(value) for name, value in message.get("MessageAttributes", {}).items()
        },
        "md5OfBody": message["MD5OfBody"],
        "eventSource": "aws:sqs",
        "eventSourceARN": queue_arn,
        "awsRegion": region,
    }
    if "MD5OfMessageAttributes" in message:
        record["md5OfMessageAttributes"] = message["MD5OfMessageAttributes"]
    return record


def _message_attribute(value: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "stringListValues": value.get("StringListValues", []),
        "binaryListValues": [base64.b64encode(b).decode() for b in value.get("BinaryListValues", [])],
        "dataType": value["DataType"],
    }
    if "StringValue" in value:
        out["stringValue"] = value["StringValue"]
    if "BinaryValue" in value:
        out["binaryValue"] = base64.b64encode(value["BinaryValue"]).decode()
    return out


def failed_message_ids(response: Any, message_ids: list[str]) -> list[str]:
    """The records Lambda treats as failed, given the handler's response (partial batch response).

    Lambda's rules: no response, no or an empty ``batchItemFailures`` means complete success; an
    item with a missing, empty or unknown ``itemIdentifier``, or a response that is not an object,
    fails the whole batch.
    """
    if response is None:
        return []
    if not isinstance(response, dict):
        return list(message_ids)
    failures = response.get("batchItemFailures")
    if not failures:
        return []
    if not isinstance(failures, list):
        return list(message_ids)
    failed = set()
    for item in failures:
        identifier = item.get("itemIdentifier") if isinstance(item, dict) else None
        if not identifier or identifier not in message_ids:
            return list(message_ids)
        failed.add(identifier)
    return [m for m in message_ids if m in failed]


class SqsDriver:
    """Polls one queue and invokes one function with its batches."""

    def __init__(
        self,
        sqs: Any,
        source: SqsEventSource,
        invoke: Callable[[dict[str, Any]], Any],
        region: str,
        retry_delay_seconds: int | None = 1,
        wait_time_seconds: int = 2,
    ) -> None:
        self.sqs = sqs
        self.source = source
        self.invoke = invoke
        self.region = region
        self.retry_delay_seconds = retry_delay_seconds
        self.wait_time_seconds = wait_time_seconds

    def run(self, stop: threading.Event) -> None:
        """Deliver batches until ``stop`` is set."""
        logger.info("sqs poller started", queue=self.source.queue_logical_id, event=self.source.name)
        while not stop.is_set():
            try:
                self.deliver_batch(stop)
            except (BotoCoreError, ClientError) as error:
                if stop.is_set():
                    break
                logger.warning("sqs poll failed", queue=self.source.queue_logical_id, error=str(error))
                stop.wait(1)
        logger.info("sqs poller stopped", queue=self.source.queue_logical_id)

    def deliver_batch(self, stop: threading.Event | None = None) -> BatchOutcome | None:
        """Gather one batch, invoke the handler with it and settle it; None when the queue was empty."""
        messages = self._gather(stop)
        if not messages:
            return None
        records = [lambda_record(m, self.source.queue_arn, self.region) for m in messages]
        ids = [r["messageId"] for r in records]
        outcome = BatchOutcome(message_ids=ids)
        started = time.monotonic()
        try:
            response = self.invoke({"Records": records})
        except InvocationError:
            outcome.invocation_failed = True
            outcome.failed_ids = list(ids)
        else:
            if self.source.report_batch_item_failures:
                outcome.failed_ids = failed_message_ids(response, ids)
        self._settle(messages, set(outcome.failed_ids))
        logger.info(
            "sqs batch delivered",
            queue=self.source.queue_logical_id,
            records=len(ids),
            deleted=outcome.deleted,
            failed=len(outcome.failed_ids),
            invocation_failed=outcome.invocation_failed,
            max_receive_count=max(int(r["attributes"].get("ApproximateReceiveCount", 1)) for r in records),
            duration_ms=round((time.monotonic() - started) * 1000),
        )
        return outcome

    def _gather(self, stop: threading.Event | None) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = []
        deadline: float | None = None
        while len(messages) < self.source.batch_size and not (stop and stop.is_set()):
            if deadline is None:
                wait = self.wait_time_seconds
            else:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    break
                wait = int(remaining)  # SQS waits in whole seconds; short-poll the last fraction
            received = self.sqs.receive_message(
                QueueUrl=self.source.queue_url,
                MaxNumberOfMessages=min(MAX_MESSAGES_PER_RECEIVE, self.source.batch_size - len(messages)),
                WaitTimeSeconds=wait,
                MessageSystemAttributeNames=["All"],
                MessageAttributeNames=["All"],
            ).get("Messages", [])
            messages.extend(received)
            if not messages:
                return []
            if deadline is None:
                if self.source.batching_window_seconds <= 0:
                    break
                deadline = time.monotonic() + self.source.batching_window_seconds
            elif not received and wait == 0:
                time.sleep(min(0.05, max(0.0, deadline - time.monotonic())))
        return messages

    def _settle(self, messages: list[dict[str, Any]], failed_ids: set[str]) -> None:
        done = [m for m in messages if m["MessageId"] not in failed_ids]
        failed = [m for m in messages if m["MessageId"] in failed_ids]
        for chunk in _chunks(done):
            result = self.sqs.delete_message_batch(
                QueueUrl=self.source.queue_url,
                Entries=[{"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(chunk)],
            )
            if result.get("Failed"):
                logger.warning("sqs delete failed", queue=self.source.queue_logical_id, failed=len(result["Failed"]))
        if self.retry_delay_seconds is None:
            return
        delay = self.retry_delay_seconds
        for chunk in _chunks(failed):
            self.sqs.change_message_visibility_batch(
                QueueUrl=self.source.queue_url,
                Entries=[
                    {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"], "VisibilityTimeout": delay}
                    for i, m in enumerate(chunk)
                ],
            )


def _chunks(messages: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    size = MAX_MESSAGES_PER_RECEIVE  # also the limit of SQS's batch calls
    return [messages[i : i + size] for i in range(0, len(messages), size)]
