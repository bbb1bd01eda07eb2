"""Sending ballots to the SQS queue that smooths vote spikes (botocore client built lazily)."""

from __future__ import annotations

import threading

from aj74.ballots.message import BallotMessage
from aj74.caching import process_cache
from aj74.errors import Unavailable
from aj74.settings import get_settings

_lock = threading.Lock()


@process_cache(maxsize=1)
def _client():
    import botocore.session
    from botocore.config import Config

    settings = get_settings()
    session = botocore.session.get_session()
    return session.create_client("sqs", region_name=settings.region, endpoint_url=settings.aws_endpoint_url,
                                 config=Config(retries={"mode": "standard", "max_attempts": 4},
                                               connect_timeout=2, read_timeout=5, max_pool_connections=50))


def sqs_client():
    with _lock:
        return _client()


class BallotQueue:
    def send(self, msg: BallotMessage) -> str:
        """Enqueue a ballot; returns the SQS message id. Raises Unavailable when SQS refuses."""
        from botocore.exceptions import BotoCoreError, ClientError

        from aj74.keystore import message_key

        body = msg.encode(message_key())
        try:
            response = sqs_client().send_message(QueueUrl=get_settings().ballot_queue_url, MessageBody=body)
        except (BotoCoreError, ClientError) as exc:
            raise Unavailable("Не удалось принять голос, повторите попытку через несколько секунд.") from exc
        return response["MessageId"]


def queue_backlog() -> int:
    """Ballots accepted but not yet recorded: the queue's approximate visible + in-flight messages.

    The queue is shared by every poll, so this is the backlog of all open polls together.
    """
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        attributes = sqs_client().get_queue_attributes(
            QueueUrl=get_settings().ballot_queue_url,
            AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"])["Attributes"]
    except (BotoCoreError, ClientError) as exc:
        raise Unavailable("Не удалось узнать очередь голосов, повторите попытку.") from exc
    return int(attributes.get("ApproximateNumberOfMessages", 0)) + int(
        attributes.get("ApproximateNumberOfMessagesNotVisible", 0))
