"""A stack provisioned from template.yaml in the session's moto server, the domain pointed at it
before every test (other suites point it at their own stacks), and helpers to publish content."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta

import pytest
from aj74.clock import iso, utcnow

from infra.local.provision import aws_client, provision
from tests.support.env import use_stack
from tests.support.polls import persona


@dataclass
class ContentStack:
    endpoint: str
    resources: object

    @property
    def topic_arn(self) -> str:
        return self.resources.ref("BulletinTopic")

    @property
    def feed_table(self) -> str:
        return self.resources.ref("FeedTable")


@pytest.fixture(scope="session")
def content_stack(moto_endpoint) -> ContentStack:
    resources = provision(moto_endpoint, stack_name="aj74-content", parameters={
        "OidcIssuer": "http://127.0.0.1:9/dev", "OidcAudience": "aj74-test", "AdminOrigin": "http://127.0.0.1:9"})
    return ContentStack(moto_endpoint, resources)


@pytest.fixture(autouse=True)
def stack(content_stack) -> ContentStack:
    use_stack(content_stack.resources.env_for("ApiFunction"), content_stack.endpoint)
    return content_stack


@pytest.fixture
def clean_feed(stack):
    """An empty Feed table and no content waiting for the scheduler (tests share the stack)."""
    from aj74.settings import get_settings

    dynamodb = aws_client("dynamodb", stack.endpoint)
    for page in dynamodb.get_paginator("scan").paginate(TableName=stack.feed_table):
        for item in page["Items"]:
            dynamodb.delete_item(TableName=stack.feed_table, Key={"pk": item["pk"], "sk": item["sk"]})
    content_table = get_settings().content_table
    for page in dynamodb.get_paginator("scan").paginate(TableName=content_table):
        for item in page["Items"]:
            dynamodb.delete_item(TableName=content_table, Key={"content_id": item["content_id"]})


@pytest.fixture
def bulletin_queue(stack):
    """An SQS queue subscribed to BulletinTopic, as a push service would subscribe; returns a reader."""
    sqs, sns = aws_client("sqs", stack.endpoint), aws_client("sns", stack.endpoint)
    url = sqs.create_queue(QueueName=f"bulletins-{utcnow().timestamp():.0f}")["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    subscription = sns.subscribe(TopicArn=stack.topic_arn, Protocol="sqs", Endpoint=arn)["SubscriptionArn"]

    def receive() -> list[dict]:
        messages = sqs.receive_message(QueueUrl=url, MaxNumberOfMessages=10, WaitTimeSeconds=1).get("Messages", [])
        return [json.loads(m["Body"]) for m in messages]

    yield receive
    sns.unsubscribe(SubscriptionArn=subscription)
    sqs.delete_queue(QueueUrl=url)


def news(territories: list[str], title: str = "Новость", **extra) -> dict:
    return {"type": "news", "title": title, "territory_ids": territories,
            "body": "Текст новости.\n\nПодробнее: https://satka74.ru", **extra}


def bulletin(territories: list[str], title: str = "Штормовое предупреждение", hours: float = 6, **extra) -> dict:
    return {"type": "bulletin", "title": title, "territory_ids": territories, "severity": "warning",
            "body": "Ожидается усиление ветра до 25 м/с.", "expires_at": iso(utcnow() + timedelta(hours=hours)),
            **extra}


def event(territories: list[str], title: str, starts_in: timedelta, hours: float = 3, **extra) -> dict:
    starts = utcnow() + starts_in
    return {"type": "event", "title": title, "territory_ids": territories, "description": "Приходите всей семьёй.",
            "starts_at": iso(starts), "ends_at": iso(starts + timedelta(hours=hours)), "venue": "ДК «Магнезит»",
            "address": "Сатка, ул. Пролетарская, 1", "category": "holiday", **extra}


def second_approver():
    """Another member of the Directorate: nobody approves their own draft."""
    from aj74.identity.principal import principal_from_claims

    return principal_from_claims({"sub": "staff-approver-2", "roles": ["approver"],
                                  "scope_territory_ids": ["chelyabinsk-oblast"]})


def publish(body: dict, moderator: str = "moderator-satka") -> str:
    """Draft, submit, approve and let the scheduler publish; the content id."""
    from aj74.content import publishing, service

    item = service.create_content(persona(moderator), body)
    service.moderate(persona(moderator), item["id"], "submit")
    service.moderate(second_approver() if moderator == "approver" else persona("approver"), item["id"], "approve")
    assert item["id"] in publishing.tick().published
    return item["id"]
