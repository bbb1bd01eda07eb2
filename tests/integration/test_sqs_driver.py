"""The SQS driver delivers batches as Lambda's event source mapping does, against a moto server."""

from __future__ import annotations

import json
import uuid
from pathlib import Path

import pytest
from aws_lambda_powertools.utilities.data_classes import SQSEvent

from infra.local.invocation import Invoker, load_handler
from infra.local.provision import REGION, SqsEventSource
from infra.local.sqs_driver import SqsDriver, failed_message_ids
from tests.handlers import flaky_batch

EVENTS = Path(__file__).resolve().parents[1] / "events"
MAX_RECEIVE_COUNT = 3


@pytest.fixture
def queue(sqs):
    """A fresh queue with a dead-letter queue, as template.yaml declares them."""
    name = f"ballots-{uuid.uuid4().hex[:8]}"
    dlq_url = sqs.create_queue(QueueName=f"{name}-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    url = sqs.create_queue(
        QueueName=name,
        Attributes={
            "VisibilityTimeout": "30",
            "RedrivePolicy": json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": MAX_RECEIVE_COUNT}),
        },
    )["QueueUrl"]
    arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    return {"url": url, "arn": arn, "dlq_url": dlq_url}


def source_for(queue, **overrides) -> SqsEventSource:
    settings = {
        "name": "Ballots",
        "queue_logical_id": "BallotQueue",
        "queue_url": queue["url"],
        "queue_arn": queue["arn"],
        "batch_size": 10,
        "batching_window_seconds": 0,
        "report_batch_item_failures": True,
    }
    return SqsEventSource(**{**settings, **overrides})


def invoker(handler, timeout: float = 10) -> Invoker:
    return Invoker(handler, "aj74-test-consumer", "arn:aws:lambda:eu-central-1:123456789012:function:t", 512, timeout)


def send(sqs, queue, *bodies: dict) -> list[str]:
    return [sqs.send_message(QueueUrl=queue["url"], MessageBody=json.dumps(b))["MessageId"] for b in bodies]


def messages_left(sqs, url: str) -> int:
    attributes = sqs.get_queue_attributes(
        QueueUrl=url, AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"]
    )["Attributes"]
    return int(attributes["ApproximateNumberOfMessages"]) + int(attributes["ApproximateNumberOfMessagesNotVisible"])


def test_a_batch_arrives_in_the_lambda_shape_with_real_message_ids(sqs, queue):
    # Given five ballots queued, one with a message attribute
    sent = send(sqs, queue, *({"ballot": i} for i in range(4)))
    sent.append(
        sqs.send_message(
            QueueUrl=queue["url"],
            MessageBody=json.dumps({"ballot": 4}),
            MessageAttributes={"origin": {"DataType": "String", "StringValue": "mobile"}},
        )["MessageId"]
    )
    events, contexts = [], []
    driver = SqsDriver(
        sqs,
        source_for(queue, batching_window_seconds=1),
        invoker(lambda event, context: events.append(event) or contexts.append(context)),
        REGION,
        wait_time_seconds=1,
    )

    # When the driver delivers a batch
    outcome = driver.deliver_batch()

    # Then the handler got one event with all five records, shaped like Lambda's
    assert outcome is not None and outcome.deleted == 5
    assert len(events) == 1
    records = events[0]["Records"]
    sample = json.loads((EVENTS / "sqs_batch.json").read_text())["Records"][0]
    for record in records:
        assert set(sample) <= set(record)
        assert set(record["attributes"]) == set(sample["attributes"])
        assert record["eventSource"] == "aws:sqs"
        assert record["eventSourceARN"] == queue["arn"]
        assert record["awsRegion"] == REGION
    assert sorted(r["messageId"] for r in records) == sorted(sent)
    with_attribute = next(r for r in records if r["messageAttributes"])
    assert with_attribute["messageAttributes"]["origin"] == sample["messageAttributes"]["origin"]
    assert sorted(json.loads(r.body)["ballot"] for r in SQSEvent(events[0]).records) == [0, 1, 2, 3, 4]
    context = contexts[0]
    assert context.function_name == "aj74-test-consumer"
    assert context.memory_limit_in_mb == 512
    assert 0 < context.get_remaining_time_in_millis() <= 10_000
    assert context.aws_request_id
    # And the delivered messages are gone from the queue
    assert messages_left(sqs, queue["url"]) == 0


def test_a_failed_record_comes_back_and_the_others_are_deleted(sqs, queue):
    # Given three ballots, one of which fails on its first delivery
    flaky_batch.deliveries.clear()
    ok_1, flaky, ok_2 = send(sqs, queue, {"ballot": 1}, {"ballot": 2, "fail": "once"}, {"ballot": 3})
    handler = invoker(load_handler("tests.handlers.flaky_batch", "handler"))
    driver = SqsDriver(sqs, source_for(queue), handler, REGION, retry_delay_seconds=0, wait_time_seconds=1)

    # When the batch is delivered
    first = driver.deliver_batch()

    # Then only the failed record is kept for a retry
    assert first.failed_ids == [flaky]
    assert sorted(first.message_ids) == sorted([ok_1, flaky, ok_2])

    # When the driver polls again, the failed record comes back (a second receive) and succeeds
    second = driver.deliver_batch()
    assert second.message_ids == [flaky] and second.failed_ids == []
    assert flaky_batch.deliveries[-1] == {
        "message_id": flaky,
        "body": json.dumps({"ballot": 2, "fail": "once"}),
        "receive_count": 2,
    }
    assert [d["message_id"] for d in flaky_batch.deliveries].count(ok_1) == 1
    assert messages_left(sqs, queue["url"]) == 0


def test_a_poison_message_ends_in_the_dead_letter_queue_and_nowhere_else(sqs, queue):
    # Given a poison ballot queued next to a good one
    flaky_batch.deliveries.clear()
    good, poison = send(sqs, queue, {"ballot": 1}, {"ballot": 2, "fail": "always"})
    handler = invoker(load_handler("tests.handlers.flaky_batch", "handler"))
    driver = SqsDriver(sqs, source_for(queue), handler, REGION, retry_delay_seconds=0, wait_time_seconds=1)

    # When the driver keeps polling until the queue is quiet
    outcomes = []
    while (outcome := driver.deliver_batch()) is not None and len(outcomes) < 10:
        outcomes.append(outcome)

    # Then the poison was tried maxReceiveCount times, the good ballot once
    tries = [d["message_id"] for d in flaky_batch.deliveries]
    assert tries.count(poison) == MAX_RECEIVE_COUNT
    assert tries.count(good) == 1
    # (after the first, partial failure, the poison alone fails the whole invocation)
    assert any(o.invocation_failed for o in outcomes)
    # And SQS's redrive policy moved it to the dead-letter queue: the driver never touches the DLQ
    assert messages_left(sqs, queue["url"]) == 0
    dead = sqs.receive_message(QueueUrl=queue["dlq_url"], MaxNumberOfMessages=10, WaitTimeSeconds=1)["Messages"]
    assert [m["MessageId"] for m in dead] == [poison]
    assert json.loads(dead[0]["Body"]) == {"ballot": 2, "fail": "always"}


def test_without_report_batch_item_failures_a_returned_failure_list_is_ignored(sqs, queue):
    # Given a function that does not declare ReportBatchItemFailures
    sent = send(sqs, queue, {"ballot": 1})
    reply = {"batchItemFailures": [{"itemIdentifier": sent[0]}]}
    driver = SqsDriver(sqs, source_for(queue, report_batch_item_failures=False), invoker(lambda e, c: reply), REGION)

    # When it returns a failure list anyway, Lambda deletes the whole batch
    assert driver.deliver_batch().failed_ids == []
    assert messages_left(sqs, queue["url"]) == 0


@pytest.mark.parametrize(
    ("response", "failed"),
    [
        (None, []),
        ({}, []),
        ({"batchItemFailures": []}, []),
        ({"batchItemFailures": [{"itemIdentifier": "b"}]}, ["b"]),
        ({"batchItemFailures": [{"itemIdentifier": ""}]}, ["a", "b", "c"]),
        ({"batchItemFailures": [{"itemIdentifier": "unknown"}]}, ["a", "b", "c"]),
        ({"batchItemFailures": [{"id": "b"}]}, ["a", "b", "c"]),
        ("not an object", ["a", "b", "c"]),
    ],
)
def test_partial_batch_responses_follow_lambdas_rules(response, failed):
    assert failed_message_ids(response, ["a", "b", "c"]) == failed
