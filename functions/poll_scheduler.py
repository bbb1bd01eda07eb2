"""Scheduled every minute (EventBridge): opens, closes and finalises polls on their schedule, and
publishes and expires feed content on its own."""

from __future__ import annotations

from aj74.observability import logger


@logger.inject_lambda_context
def handler(event, context):
    from aj74.content.publishing import tick as content_tick
    from aj74.polls.scheduling import tick
    from aj74.settings import get_settings

    report = tick(grace_seconds=get_settings().finalise_grace_seconds)
    return {**report.as_dict(), "content": content_tick().as_dict()}
