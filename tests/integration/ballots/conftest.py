"""An application stack provisioned from template.yaml in the session's moto server, with the
domain package pointed at it, and the real SQS driver to feed the consumer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest

from infra.local.invocation import Invoker, load_handler
from infra.local.provision import aws_client, provision
from infra.local.sqs_driver import SqsDriver
from tests.support.env import use_stack
from tests.support.polls import persona, poll_body


@dataclass
class Pipeline:
    endpoint: str
    resources: object
    sqs: object
    driver: SqsDriver
    dlq_url: str
    env: dict

    def drain(self, max_batches: int = 500) -> int:
        """Deliver batches until the queue is empty; returns the number delivered."""
        delivered = 0
        for _ in range(max_batches):
            if self.driver.deliver_batch() is None:
                attrs = self.sqs.get_queue_attributes(
                    QueueUrl=self.driver.source.queue_url,
                    AttributeNames=["ApproximateNumberOfMessages", "ApproximateNumberOfMessagesNotVisible"],
                )["Attributes"]
                if int(attrs["ApproximateNumberOfMessages"]) + int(attrs["ApproximateNumberOfMessagesNotVisible"]) == 0:
                    return delivered
                continue
            delivered += 1
        raise AssertionError("the ballot queue did not drain")

    def dlq_bodies(self) -> list[str]:
        """Every message in the DLQ, removed as it is read: a message only hidden for a while would
        come back into the next test's DLQ (the queues are shared by the session)."""
        bodies = []
        while True:
            got = self.sqs.receive_message(QueueUrl=self.dlq_url, MaxNumberOfMessages=10, WaitTimeSeconds=0,
                                           VisibilityTimeout=60).get("Messages", [])
            if not got:
                return bodies
            bodies.extend(m["Body"] for m in got)
            self.sqs.delete_message_batch(QueueUrl=self.dlq_url, Entries=[
                {"Id": str(i), "ReceiptHandle": m["ReceiptHandle"]} for i, m in enumerate(got)])


@pytest.fixture(scope="session")
def pipeline_stack(moto_endpoint) -> Pipeline:
    resources = provision(moto_endpoint, stack_name="aj74-pipeline", parameters={
        "OidcIssuer": "http://127.0.0.1:9/dev", "OidcAudience": "aj74-test", "AdminOrigin": "http://127.0.0.1:9"})
    # In-process, these tests play both the API (casting, settling points) and the consumer.
    env = {**resources.env_for("ApiFunction"), **resources.env_for("BallotConsumerFunction")}
    use_stack(env, moto_endpoint)
    spec = resources.functions["BallotConsumerFunction"]
    source = spec.sqs_events[0]
    sqs = aws_client("sqs", moto_endpoint)
    invoker = Invoker.for_function(spec, load_handler(spec.module, spec.attribute))
    # Failed records become visible again at once, so the tests need not wait out the timeout.
    driver = SqsDriver(sqs, source, invoker, "eu-central-1", retry_delay_seconds=0, wait_time_seconds=0)
    dlq_url = sqs.get_queue_url(QueueName=resources.ref("BallotDeadLetterQueue").rsplit("/", 1)[-1])["QueueUrl"]
    return Pipeline(moto_endpoint, resources, sqs, driver, dlq_url, env)


@pytest.fixture
def pipeline(pipeline_stack) -> Pipeline:
    """The session's pipeline, with the domain pointed at it again for this test: modules that ran
    in between in this process (another stack's tests, in any order under pytest-xdist) repoint it."""
    use_stack(pipeline_stack.env, pipeline_stack.endpoint)
    return pipeline_stack


@pytest.fixture
def open_poll(pipeline):
    """A poll for Саткинский район, drafted, approved and opened by the scheduler."""
    from aj74.polls import service
    from aj74.polls.scheduling import tick

    poll = service.create_poll(persona("moderator-satka"), poll_body(closes_in=timedelta(minutes=30)))
    service.moderate(persona("moderator-satka"), poll["id"], "submit")
    service.moderate(persona("approver"), poll["id"], "approve")
    assert poll["id"] in tick().opened
    return poll["id"]
