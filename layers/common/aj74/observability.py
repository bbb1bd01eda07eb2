"""Logger and metrics, created once and shared by the API and every function.

Tracer is deliberately absent: importing the X-Ray SDK costs ~0.4 s of cold start.
"""

from __future__ import annotations

import os

from aws_lambda_powertools import Logger, Metrics

SERVICE = os.environ.get("POWERTOOLS_SERVICE_NAME", "aj74")

logger = Logger(service=SERVICE)
metrics = Metrics(service=SERVICE, namespace=os.environ.get("POWERTOOLS_METRICS_NAMESPACE", "AJ74"))
