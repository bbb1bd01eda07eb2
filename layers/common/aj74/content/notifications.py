"""Published bulletins go to the SNS topic ``BulletinTopic``: the fan-out point of push notifications.

Message attributes carry the targeted territories (``territory_ids``, a String.Array) so that a
subscriber (the push service, a regional SMS gateway) filters by territory with an SNS filter policy.
Delivery is at least once: a retried publication may notify twice, and subscribers dedupe on
``content_id``.
"""

from __future__ import annotations

import json
import threading

from aj74.caching import process_cache
from aj74.content.model import Content, summary
from aj74.settings import get_settings
from aj74.storage import raise_unavailable

_lock = threading.Lock()


@process_cache(maxsize=1)
def _sns_client():
    import botocore.session
    from botocore.config import Config

    settings = get_settings()
    return botocore.session.get_session().create_client(
        "sns", region_name=settings.region, endpoint_url=settings.aws_endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5))


def bulletin_message(content: Content) -> tuple[str, dict]:
    """The SNS message body and attributes for a published bulletin."""
    body = {**summary(content), "body": content.fields["body"]}
    attributes = {
        "content_id": {"DataType": "String", "StringValue": content.content_id},
        "severity": {"DataType": "String", "StringValue": content.fields["severity"]},
        "territory_ids": {"DataType": "String.Array",
                          "StringValue": json.dumps(list(content.territory_ids), ensure_ascii=False)},
    }
    return json.dumps(body, ensure_ascii=False), attributes


class BulletinTopic:
    def __init__(self) -> None:
        self.topic_arn = get_settings().bulletin_topic_arn
        if not self.topic_arn:
            raise RuntimeError("BULLETIN_TOPIC_ARN is not configured")

    def publish(self, content: Content) -> str:
        message, attributes = bulletin_message(content)
        with _lock:
            client = _sns_client()
        try:
            return client.publish(TopicArn=self.topic_arn, Message=message, MessageAttributes=attributes,
                                  Subject="Бюллетень МЧС")["MessageId"]
        except Exception as exc:
            raise_unavailable(exc)
            raise
