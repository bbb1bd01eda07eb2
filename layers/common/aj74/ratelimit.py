"""Per-caller rate limits on write routes (ballots, orders) and on the local ``/dev/token``.

Fixed one-minute windows, counted in two tiers (docs/decisions/011-api-contract-and-limits.md):

1. In memory, per Lambda instance: every request counts; past the limit the caller gets 429 with no
   storage call at all (a flood against a warm instance costs nothing).
2. Shared, in DynamoDB (the RateLimits table): a conditional ``ADD`` on one item per (limit,
   caller, window), with a TTL. Only a caller's *second and later* requests in a window on an
   instance are counted there, so the happy path — a resident casting one ballot or placing one
   order in a minute — adds no write. Across N warm instances a caller can get at most N − 1
   requests beyond the limit per window; concurrency, not the caller, decides N.

The counter item's key is a SHA-256 of the caller's key, so the table holds no subject or address.
If the table is unreachable the limiter fails open (logged): rate limiting must never stop voting.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass

from aj74.errors import RateLimited

WINDOW_SECONDS = 60


@dataclass(frozen=True)
class Limit:
    per_window: int
    detail: str


# Defaults; RATE_LIMITS (e.g. "ballots=10,orders=5,dev-token=600") overrides them per stage.
DEFAULT_LIMITS = {
    # A resident votes once per poll; ten in a minute is already more than the app ever sends.
    "ballots": Limit(10, "Слишком много голосов подряд."),
    "orders": Limit(5, "Слишком много заказов подряд."),
    # Local only (the development identity provider); per client address. The e2e suites mint
    # up to ~1,200 tokens a minute from one address (the poll cycle), so the default leaves them room.
    "dev-token": Limit(2400, "Слишком много запросов токена."),
}

_lock = threading.Lock()
_local: dict[tuple[str, str], tuple[int, int]] = {}  # (limit, caller) -> (window, count)


def limits() -> dict[str, Limit]:
    from aj74.settings import get_settings

    overrides = dict(get_settings().rate_limits)
    return {name: Limit(overrides.get(name, limit.per_window), limit.detail) for name, limit in DEFAULT_LIMITS.items()}


def caller_key(principal, request) -> str:
    """The authenticated subject, or for anonymous routes the client's address."""
    if principal is not None:
        return f"sub:{principal.subject}"
    identity = (request.context or {}).get("identity") or {}
    return f"ip:{identity.get('sourceIp') or 'unknown'}"


def _retry_after(window: int, now: float) -> int:
    return max(1, math.ceil((window + 1) * WINDOW_SECONDS - now))


def check(name: str, caller: str, now: float | None = None) -> None:
    """Count one request of ``caller`` against the limit ``name``; RateLimited when over it."""
    limit = limits()[name]
    now = time.time() if now is None else now
    window = int(now // WINDOW_SECONDS)
    with _lock:
        seen_window, count = _local.get((name, caller), (window, 0))
        count = count + 1 if seen_window == window else 1
        if len(_local) > 10_000:  # a warm instance must not grow without bound
            _local.clear()
        _local[(name, caller)] = (window, count)
    retry_after = _retry_after(window, now)
    if count > limit.per_window:
        raise RateLimited(f"{limit.detail} Повторите через {retry_after} с.", retry_after=retry_after,
                          code="rate-limited")
    if count == 1:
        return  # the first request of the window on this instance: no shared write
    if not shared_counter_allows(name, caller, window, limit.per_window - 1):
        raise RateLimited(f"{limit.detail} Повторите через {retry_after} с.", retry_after=retry_after,
                          code="rate-limited")


def counter_key(name: str, caller: str, window: int) -> str:
    digest = hashlib.sha256(f"{name}#{caller}".encode()).hexdigest()[:32]
    return f"{name}#{digest}#{window}"


def shared_counter_allows(name: str, caller: str, window: int, capacity: int) -> bool:
    """One conditional ADD: True while the shared count for this window stays within ``capacity``."""
    from aj74.observability import logger
    from aj74.settings import get_settings
    from aj74.storage import dynamodb_client, is_condition_failure

    table = get_settings().rate_limits_table
    if capacity <= 0:
        return False
    if not table:  # no shared table configured (unit tests): the in-memory tier alone
        return True
    try:
        dynamodb_client().update_item(
            TableName=table, Key={"key": {"S": counter_key(name, caller, window)}},
            UpdateExpression="ADD n :one SET expires_at = if_not_exists(expires_at, :ttl)",
            ConditionExpression="attribute_not_exists(n) OR n < :cap",
            ExpressionAttributeValues={":one": {"N": "1"}, ":cap": {"N": str(capacity)},
                                       ":ttl": {"N": str((window + 2) * WINDOW_SECONDS)}})
    except Exception as exc:  # noqa: BLE001 - any storage fault: fail open, say so in the log
        if is_condition_failure(exc):
            return False
        logger.warning("rate limit counter unavailable, request allowed", limit=name,
                       error=type(exc).__name__)
        return True
    return True


def reset_local() -> None:
    """Forget the in-memory windows (tests)."""
    with _lock:
        _local.clear()
