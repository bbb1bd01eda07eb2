"""Messages to the push queue (``PushQueue``): poll events from the scheduler and the API, and the
fan-out's own follow-up messages. Bulletins arrive from BulletinTopic by subscription, not here.

A message names its ``kind`` and holds only what a notification says (a poll's id and title,
territory ids, subscription keys): never a ballot, a choice, or a subscription's endpoint.
"""

from __future__ import annotations

import json
import threading

from aj74.observability import logger
from aj74.settings import get_settings
from aj74.storage import aws_client, raise_unavailable

_lock = threading.Lock()
MAX_DELAY_SECONDS = 900  # SQS's limit


class PushQueue:
    def __init__(self) -> None:
        self.queue_url = get_settings().push_queue_url
        if not self.queue_url:
            raise RuntimeError("PUSH_QUEUE_URL is not configured")
        self.client = aws_client("sqs", max_pool_connections=20)

    def send(self, message: dict, delay_seconds: int = 0) -> None:
        try:
            self.client.send_message(QueueUrl=self.queue_url, MessageBody=json.dumps(message, ensure_ascii=False),
                                     DelaySeconds=max(0, min(MAX_DELAY_SECONDS, int(delay_seconds))))
        except Exception as exc:
            raise_unavailable(exc)
            raise

    def send_all(self, messages: list[dict]) -> None:
        """Send in batches of ten (SQS's limit); a batch entry SQS refuses raises."""
        for start in range(0, len(messages), 10):
            chunk = messages[start:start + 10]
            entries = [{"Id": str(i), "MessageBody": json.dumps(m, ensure_ascii=False)} for i, m in enumerate(chunk)]
            try:
                result = self.client.send_message_batch(QueueUrl=self.queue_url, Entries=entries)
            except Exception as exc:
                raise_unavailable(exc)
                raise
            if result.get("Failed"):
                raise RuntimeError(f"push queue refused {len(result['Failed'])} of {len(entries)} messages")


def notify_poll_event(kind: str, poll_id: str, title: str, territory_ids: tuple[str, ...] | list[str] = (),
                      status_title: str | None = None, queue: PushQueue | None = None) -> bool:
    """Queue a poll event for the fan-out (``poll_opened`` reaches the poll's territories,
    ``poll_final`` and ``poll_execution`` its followers). Best effort: the poll's own step has
    already happened and must not fail or repeat because a notification could not be queued, so a
    failure is logged and counted (PushEnqueueFailed) and False returned.

    ``queue``: anything with the push queue's ``send(message)`` (the port
    ``aj74.push.ports.OutboxQueue``, not imported here: infra/permissions.py follows every import,
    and the scheduler must not reach the subscriptions table through it); None is the real
    :class:`PushQueue`, built per call, and nothing is queued when the stage has no push queue."""
    if queue is None and not get_settings().push_queue_url:
        return False  # in-process tools on the local stage; every deployed function has the queue
    message = {"kind": kind, "poll_id": poll_id, "title": title, "territory_ids": list(territory_ids)}
    if status_title:
        message["status_title"] = status_title
    try:
        (queue if queue is not None else PushQueue()).send(message)
        return True
    except Exception:  # noqa: BLE001 - see the docstring
        from aj74.observability import count_metric

        count_metric("PushEnqueueFailed")
        logger.exception("push notification not queued", kind=kind, poll_id=poll_id)
        return False
