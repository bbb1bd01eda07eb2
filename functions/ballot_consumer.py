"""SQS consumer of the ballot queue: authenticates, re-validates and records ballots exactly once,
and tallies them. It never learns who voted, so it credits no points.

Powertools BatchProcessor reports failed records (ReportBatchItemFailures), so a throttled or
crashed record is redelivered alone, and a refused message (forged, altered, invalid) reaches the
DLQ after maxReceiveCount, counted in the BallotRejected metric that an alarm watches.
"""

from __future__ import annotations

from functools import lru_cache

from aj74.observability import logger, metrics
from aj74.settings import BALLOT_CONSUMER, configure, get_settings
from aws_lambda_powertools.metrics import MetricUnit
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType, process_partial_response

# Validated at cold start: a missing or malformed variable stops the import, naming it.
configure(BALLOT_CONSUMER)

processor = BatchProcessor(event_type=EventType.SQS)


@lru_cache(maxsize=1)
def recorder():
    from aj74.keystore import message_key
    from aj74.polls.recording import BallotRecorder

    # The message key is read from Secrets Manager once per cold start.
    return BallotRecorder(message_key(), get_settings().ballot_queue_retention_seconds)


_outcomes: list = []


def record_handler(record) -> None:
    from aj74.ballots.message import PoisonMessage

    try:
        outcome = recorder().record(record.body)
    except PoisonMessage as exc:
        # Never the body: a rejected message is for the DLQ, not for the logs.
        metrics.add_metric(name="BallotRejected", unit=MetricUnit.Count, value=1)
        logger.error("ballot message rejected", message_id=record.message_id, reason=exc.reason, detail=str(exc))
        raise
    if outcome.after_close:
        metrics.add_metric(name="BallotRecordedAfterClose", unit=MetricUnit.Count, value=1)
        logger.warning("ballot recorded after close: the result will be amended", poll_id=outcome.poll_id,
                       message_id=record.message_id)
    _outcomes.append(outcome)


@metrics.log_metrics
@logger.inject_lambda_context
def handler(event, context):
    _outcomes.clear()
    response = process_partial_response(event=event, record_handler=record_handler, processor=processor,
                                        context=context)
    outcomes = list(_outcomes)
    try:
        recorder().add_to_live_tallies(outcomes)
    except Exception:  # noqa: BLE001 - the ledger is recorded; the recount at close stays exact
        metrics.add_metric(name="LiveTallyUpdateFailed", unit=MetricUnit.Count, value=1)
        logger.exception("live tally update failed; the final recount will be exact regardless")
    by_status: dict[str, int] = {}
    for o in outcomes:
        by_status[o.status] = by_status.get(o.status, 0) + 1
    for status, n in by_status.items():
        metrics.add_metric(name=f"Ballots_{status}", unit=MetricUnit.Count, value=n)
    failed = len(response.get("batchItemFailures", []))
    if failed:
        metrics.add_metric(name="BallotRecordFailed", unit=MetricUnit.Count, value=failed)
    logger.info("ballot batch", records=len(event.get("Records", [])), failed=failed, **by_status)
    return response
