"""Scheduled every minute (EventBridge): opens, closes and finalises polls on their schedule, and
publishes and expires feed content on its own.

Each poll's step and the feed's tick are isolated: a failure in one is logged with its subject,
counted (SchedulerStepFailed, alarmed) and retried by the next tick, while the others proceed.
"""

from __future__ import annotations

from aj74.observability import logger, metrics
from aj74.settings import POLL_SCHEDULER, configure, get_settings

# Validated at cold start: a missing or malformed variable stops the import, naming it.
configure(POLL_SCHEDULER)


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event, context):
    from aj74.content.publishing import tick as content_tick
    from aj74.polls.scheduling import isolated, tick

    failed: list[str] = []
    report = isolated("polls", "-", lambda: tick(grace_seconds=get_settings().finalise_grace_seconds), failed)
    content = isolated("content", "feed", content_tick, failed)
    polls = report.as_dict() if report else {}
    return {**polls, "failed": [*polls.get("failed", []), *failed],
            "content": content.as_dict() if content else {"failed": True}}
