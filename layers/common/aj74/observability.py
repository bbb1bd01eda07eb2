"""Logger and metrics, created once and shared by the API and every function.

Tracer is deliberately absent: importing the X-Ray SDK costs ~0.4 s of cold start.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "aj74")

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "AJ74"))


def count_metric(name: str, value: int = 1) -> None:
    """Add ``value`` to the count metric ``name`` (flushed by the handler's ``log_metrics``)."""
    from aws_lambda_powertools.metrics import MetricUnit

    metrics.add_metric(name=name, unit=MetricUnit.Count, value=value)
