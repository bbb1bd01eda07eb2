"""What every repository shares: the one botocore client per service (one retry and timeout
configuration, docs/decisions/021-ports-and-adapters.md), built lazily on first use so that routes
which touch no table pay nothing for it at cold start, and the translation of DynamoDB service errors
into domain errors."""

from __future__ import annotations

import threading
from collections.abc import Callable

from aj74.caching import process_cache
from aj74.errors import Unavailable
from aj74.settings import get_settings

_client_lock = threading.Lock()

# Transient: the caller retries (503). TransactionConflictException is a write meeting a transaction
# in flight on the same item (a cashier redeeming while the resident's cancel runs).
THROTTLING_CODES = frozenset({
    "ProvisionedThroughputExceededException", "ThrottlingException", "RequestLimitExceeded",
    "InternalServerError", "ServiceUnavailable", "TransactionConflictException",
})


def error_code(exc: Exception) -> str | None:
    """The DynamoDB error code behind a botocore exception, if any."""
    cause = exc if hasattr(exc, "response") else (getattr(exc, "cause", None) or exc.__cause__)
    response = getattr(cause, "response", None) or {}
    code = (response.get("Error") or {}).get("Code")
    return code or getattr(exc, "cause_response_code", None)


def is_condition_failure(exc: Exception) -> bool:
    return error_code(exc) == "ConditionalCheckFailedException"


def write_if(write: Callable[[], object]) -> bool:
    """Run a conditional write: True when it was applied, False when its condition failed;
    throttling becomes Unavailable (the caller's record is retried)."""
    try:
        write()
        return True
    except Exception as exc:
        if is_condition_failure(exc):
            return False
        raise_unavailable(exc)
        raise


def raise_unavailable(exc: Exception) -> None:
    """Throttling and service faults become Unavailable (callers retry); anything else re-raises."""
    if error_code(exc) in THROTTLING_CODES:
        raise Unavailable("Сервис перегружен, повторите попытку позже.") from exc
    raise exc


@process_cache(maxsize=8)
def _client(service: str, max_pool_connections: int):
    import botocore.session
    from botocore.config import Config

    settings = get_settings()
    return botocore.session.get_session().create_client(
        service, region_name=settings.region, endpoint_url=settings.aws_endpoint_url,
        config=Config(retries={"mode": "standard", "max_attempts": 4}, connect_timeout=2, read_timeout=5,
                      max_pool_connections=max_pool_connections))


def aws_client(service: str, max_pool_connections: int = 10):
    """The domain's botocore client of ``service`` (one per process, built on first use): the
    region and endpoint from the settings, standard retries, short timeouts."""
    with _client_lock:
        return _client(service, max_pool_connections)


def dynamodb_client():
    """The one botocore DynamoDB client of the process (every repository's)."""
    return aws_client("dynamodb", max_pool_connections=50)


def dynamodb_call(operation: str, **request) -> dict:
    """One DynamoDB operation (``"query"``, ``"put_item"``...) on the shared client; throttling and
    service faults become Unavailable, anything else (a failed condition) is raised as it came."""
    try:
        return getattr(dynamodb_client(), operation)(**request)
    except Exception as exc:
        raise_unavailable(exc)
        raise
