"""Fault injection for the pipeline tests: DynamoDB throttling as the service answers it."""

from __future__ import annotations

import json
import random
from contextlib import contextmanager

from botocore.awsrequest import AWSResponse

_THROTTLED = json.dumps({
    "__type": "com.amazonaws.dynamodb.v20120810#ProvisionedThroughputExceededException",
    "message": "The level of configured provisioned throughput for the table was exceeded (injected)",
}).encode()


class _Raw:
    def __init__(self, body: bytes) -> None:
        self._body = body

    def stream(self, **_):
        yield self._body


def _clients():
    from aj74.storage import dynamodb_client

    # Every ballot-path repository reaches DynamoDB through this one client
    # (docs/decisions/021-ports-and-adapters.md).
    return [dynamodb_client()]


@contextmanager
def throttled_writes(rate: float, seed: int = 7):
    """Answer a share ``rate`` of PutItem/UpdateItem HTTP requests with DynamoDB's 400
    ProvisionedThroughputExceededException (moto never throttles). The answer replaces the HTTP
    exchange only, so botocore's retry policy and everything above it run as in production."""
    rng = random.Random(seed)
    injected = {"count": 0}

    def maybe_throttle(request, **_):
        if rng.random() < rate:
            injected["count"] += 1
            return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.0"}, _Raw(_THROTTLED))
        return None

    registrations = []
    for client in {id(c): c for c in _clients()}.values():
        for op in ("PutItem", "UpdateItem"):
            event = f"before-send.dynamodb.{op}"
            client.meta.events.register(event, maybe_throttle, unique_id=f"throttle-{op}")
            registrations.append((client, event, op))
    try:
        yield injected
    finally:
        for client, event, op in registrations:
            client.meta.events.unregister(event, unique_id=f"throttle-{op}")
