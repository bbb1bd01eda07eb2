"""Invoke scheduled functions with EventBridge's scheduled-event payload, as moto never fires rules.

Locally every ``Schedule`` event fires once per tick (``AJ74_SCHEDULE_TICK_SECONDS``, 2 s by
default) instead of at its ``rate``/``cron`` expression, so scheduled work (opening and closing
polls) happens within seconds; handlers must not depend on the exact period.
"""

from __future__ import annotations

import json
import os
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from infra.local.invocation import InvocationError, logger
from infra.local.provision import ACCOUNT_ID, ScheduleEventSource

DEFAULT_TICK_SECONDS = 2.0


def tick_seconds_from_env() -> float:
    return float(os.environ.get("AJ74_SCHEDULE_TICK_SECONDS", DEFAULT_TICK_SECONDS))


def scheduled_event(rule_arn: str, region: str, now: datetime | None = None) -> dict[str, Any]:
    """The event EventBridge sends to a rule's Lambda target."""
    now = now or datetime.now(UTC)
    return {
        "version": "0",
        "id": str(uuid.uuid4()),
        "detail-type": "Scheduled Event",
        "source": "aws.events",
        "account": ACCOUNT_ID,
        "time": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "region": region,
        "resources": [rule_arn],
        "detail": {},
    }


class ScheduleDriver:
    """Fires one Schedule event of one function on every tick."""

    def __init__(
        self,
        source: ScheduleEventSource,
        invoke: Callable[[dict[str, Any]], Any],
        region: str,
        tick_seconds: float | None = None,
    ) -> None:
        self.source = source
        self.invoke = invoke
        self.region = region
        self.tick_seconds = tick_seconds_from_env() if tick_seconds is None else tick_seconds

    def event(self) -> dict[str, Any]:
        # A rule target with a constant Input receives that instead of the scheduled event.
        if self.source.input is not None:
            return json.loads(self.source.input)
        return scheduled_event(self.source.rule_arn, self.region)

    def fire(self) -> bool:
        """Invoke the function once; False when the invocation failed (retried on the next tick)."""
        started = time.monotonic()
        try:
            self.invoke(self.event())
        except InvocationError:
            logger.warning("scheduled invocation failed", rule=self.source.rule_name)
            return False
        logger.info(
            "scheduled invocation done",
            rule=self.source.rule_name,
            duration_ms=round((time.monotonic() - started) * 1000),
        )
        return True

    def run(self, stop: threading.Event) -> None:
        logger.info(
            "scheduler started",
            rule=self.source.rule_name,
            expression=self.source.expression,
            tick_seconds=self.tick_seconds,
        )
        while not stop.wait(self.tick_seconds):
            self.fire()
        logger.info("scheduler stopped", rule=self.source.rule_name)
