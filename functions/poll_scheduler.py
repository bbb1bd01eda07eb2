"""Scheduled every minute (EventBridge): opens, closes and finalises polls on their schedule."""

from __future__ import annotations

from aj74.observability import logger


@logger.inject_lambda_context
def handler(event, context):
    from aj74.polls.scheduling import tick
    from aj74.settings import get_settings

    report = tick(grace_seconds=get_settings().finalise_grace_seconds)
    return report.as_dict()
