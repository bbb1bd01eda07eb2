"""Invoke a handler the way the Lambda runtime does: a JSON round trip of the event and the
response, a context object, the template's timeout, and one invocation at a time per process.
"""

from __future__ import annotations

import importlib
import json
import logging
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from aws_lambda_powertools import Logger

from infra.local.provision import FunctionSpec

Handler = Callable[[dict[str, Any], Any], Any]

# The drivers' own structured log, on stderr so it never mixes with a handler's EMF metrics on stdout.
logger = Logger(service="aj74-local", logger_handler=logging.StreamHandler(sys.stderr))


class InvocationError(Exception):
    """The invocation failed as Lambda would report it: the handler raised, timed out, or
    returned something that is not JSON."""


def load_handler(module: str, attribute: str) -> Handler:
    """Import ``module`` and return its ``attribute`` (CodeUri + Handler of the template)."""
    return getattr(importlib.import_module(module), attribute)


@dataclass
class LambdaContext:
    """The fields of Lambda's context object that handlers and Powertools read."""

    function_name: str
    invoked_function_arn: str
    memory_limit_in_mb: int
    timeout_seconds: float
    function_version: str = "$LATEST"
    aws_request_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    identity: Any = None
    client_context: Any = None
    _deadline: float = 0.0

    def __post_init__(self) -> None:
        self._deadline = time.monotonic() + self.timeout_seconds
        self.log_group_name = f"/aws/lambda/{self.function_name}"
        self.log_stream_name = time.strftime("%Y/%m/%d/[$LATEST]") + uuid.uuid4().hex

    def get_remaining_time_in_millis(self) -> int:
        return max(0, int((self._deadline - time.monotonic()) * 1000))


@dataclass
class Invoker:
    """Calls one function's handler with Lambda's calling conventions."""

    handler: Handler
    function_name: str
    invoked_function_arn: str
    memory_mb: int
    timeout_seconds: float
    # One execution environment never runs two invocations at once, even with several event sources.
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def for_function(cls, spec: FunctionSpec, handler: Handler) -> Invoker:
        return cls(
            handler=handler,
            function_name=spec.function_name,
            invoked_function_arn=spec.invoked_function_arn,
            memory_mb=spec.memory_mb,
            timeout_seconds=spec.timeout_seconds,
        )

    def __call__(self, event: dict[str, Any]) -> Any:
        payload = json.loads(json.dumps(event))
        context = LambdaContext(
            function_name=self.function_name,
            invoked_function_arn=self.invoked_function_arn,
            memory_limit_in_mb=self.memory_mb,
            timeout_seconds=self.timeout_seconds,
        )
        with self._lock:
            started = time.monotonic()
            try:
                response = self.handler(payload, context)
            except Exception as error:
                logger.exception("invocation failed", function=self.function_name, request_id=context.aws_request_id)
                raise InvocationError(f"{type(error).__name__} in {self.function_name}") from error
            elapsed = time.monotonic() - started
        # Lambda would have stopped the handler at its timeout and discarded the response.
        if elapsed > self.timeout_seconds:
            logger.error(
                "invocation timed out",
                function=self.function_name,
                request_id=context.aws_request_id,
                duration_ms=round(elapsed * 1000),
                timeout_seconds=self.timeout_seconds,
            )
            raise InvocationError(f"{self.function_name} timed out after {self.timeout_seconds} s")
        try:
            return json.loads(json.dumps(response))
        except (TypeError, ValueError) as error:
            raise InvocationError(f"{self.function_name} returned a response that is not JSON") from error
