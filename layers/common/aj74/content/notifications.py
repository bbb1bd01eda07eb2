"""Published bulletins go to the SNS topic ``BulletinTopic``: the fan-out point of push notifications.

Message attributes carry the targeted territories (``territory_ids``, a String.Array) so that a
subscriber (the push service, a regional SMS gateway) filters by territory with an SNS filter policy.
Delivery is at least once: a retried publication may notify twice, and subscribers dedupe on
``content_id``.
"""

from __future__ import annotations

import json

from aj74.content.model import Content, summary
from aj74.settings import get_settings
from aj74.storage import aws_client, raise_unavailable


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
        try:
            return aws_client("sns").publish(TopicArn=self.topic_arn, Message=message,
                                             MessageAttributes=attributes, Subject="Бюллетень МЧС")["MessageId"]
        except Exception as exc:
            raise_unavailable(exc)
            raise
