"""Typed settings per function, read from environment variables and validated at cold start.

Each Lambda handler module names its function's settings at import (``configure(API)`` in
``app.py``, ``configure(BALLOT_CONSUMER)`` in ``functions/ballot_consumer.py``, …): a variable the
function needs that is missing or malformed stops the cold start with a :class:`SettingsError`
naming it, instead of failing at first use. The domain reads the values through
:func:`get_settings`, as before.

What a function needs is declared here (:class:`FunctionSettings`): the variables it always needs
and the AWS resources its code reaches (``infra/permissions.yaml``). ``tests/unit/test_settings_per_function.py``
holds the declaration to both template.yaml (each function's environment sets every name) and the
import graph of the function's handler (every resource its code touches is declared). A variable
that is absent reads as ``None``, never as ``""``.

Only the ``local`` stage may run without a function's resources: in-process tests and tools run
the domain with no AWS at all (a missing territory or staff table then means the packaged registry
and no staff names). Every deployed stage (``test``, ``dev``, ``prod``) requires them all; the
local stack sets them from template.yaml like Lambda does.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Mapping
from dataclasses import dataclass

from aj74.caching import process_cache

STAGES = ("local", "test", "dev", "prod")
# The stage on which a function's resources may be absent (see the module docstring).
LENIENT_STAGE = "local"


class SettingsError(RuntimeError):
    """The environment does not describe a runnable configuration."""


@dataclass(frozen=True)
class FunctionSettings:
    """What one function needs from its environment: ``required`` in every stage, ``resources``
    (names of AWS resources and their public addresses) in every deployed stage."""

    function_id: str  # the logical id in template.yaml
    required: tuple[str, ...] = ()
    resources: tuple[str, ...] = ()

    @property
    def variables(self) -> tuple[str, ...]:
        return ("STAGE", *self.required, *self.resources)


API = FunctionSettings(
    "ApiFunction",
    required=("OIDC_ISSUER", "OIDC_AUDIENCE", "ADMIN_ORIGIN"),
    resources=("POLLS_TABLE", "BALLOTS_TABLE", "TALLIES_TABLE", "POINTS_TABLE", "AUDIT_TABLE", "STAFF_TABLE",
               "TERRITORIES_TABLE", "SHOP_ITEMS_TABLE", "SHOP_ORDERS_TABLE", "CONTENT_TABLE", "FEED_TABLE",
               "RATE_LIMITS_TABLE", "BULLETIN_TOPIC_ARN", "BALLOT_QUEUE_URL", "BALLOT_KEY_SECRET_ARN",
               "BALLOT_MESSAGE_KEY_ARN", "MEDIA_BUCKET", "MEDIA_PUBLIC_URL", "PUSH_SUBSCRIPTIONS_TABLE",
               "PUSH_QUEUE_URL", "VAPID_KEY_SECRET_ARN"),
)
BALLOT_CONSUMER = FunctionSettings(
    "BallotConsumerFunction",
    resources=("POLLS_TABLE", "BALLOTS_TABLE", "TALLIES_TABLE", "BALLOT_MESSAGE_KEY_ARN"),
)
POLL_SCHEDULER = FunctionSettings(
    "PollSchedulerFunction",
    resources=("POLLS_TABLE", "BALLOTS_TABLE", "TALLIES_TABLE", "AUDIT_TABLE", "TERRITORIES_TABLE",
               "CONTENT_TABLE", "FEED_TABLE", "BULLETIN_TOPIC_ARN", "PUSH_QUEUE_URL"),
)
AUDIT_ANCHOR = FunctionSettings("AuditAnchorFunction", resources=("AUDIT_TABLE", "AUDIT_ANCHOR_BUCKET"))
# Web Push (docs/decisions/018-web-push.md).
PUSH_FANOUT = FunctionSettings(
    "PushFanoutFunction",
    resources=("PUSH_SUBSCRIPTIONS_TABLE", "PUSH_QUEUE_URL", "VAPID_KEY_SECRET_ARN", "TERRITORIES_TABLE"),
)
FUNCTIONS = {spec.function_id: spec for spec in (API, BALLOT_CONSUMER, POLL_SCHEDULER, AUDIT_ANCHOR, PUSH_FANOUT)}


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    # The function these settings were validated for (None: a tool or test, nothing required).
    function_id: str | None = None
    # Identity provider (Госуслуги 74 in production, the development provider locally): the API's.
    oidc_issuer: str | None = None
    oidc_audience: str | None = None
    oidc_jwks_url: str | None = None
    clock_skew_seconds: int = 30
    admin_origin: str | None = None
    # The resident web app's origin, which CORS allows beside the admin site's (optional).
    resident_origin: str | None = None
    # Storage and messaging; names come from template.yaml (locally resolved by the provisioner).
    # None: not set, which only the local stage allows (a function's own are checked at start).
    polls_table: str | None = None
    ballots_table: str | None = None
    tallies_table: str | None = None
    points_table: str | None = None
    audit_table: str | None = None
    shop_items_table: str | None = None
    shop_orders_table: str | None = None
    staff_table: str | None = None
    territories_table: str | None = None  # the territory registry (docs/decisions/017)
    content_table: str | None = None
    feed_table: str | None = None
    bulletin_topic_arn: str | None = None
    ballot_queue_url: str | None = None
    aws_endpoint_url: str | None = None
    # ARNs of the Secrets Manager secrets of the ballot path (aj74.keystore); never the values.
    ballot_key_secret_arn: str | None = None
    ballot_message_key_arn: str | None = None
    # The Object Lock bucket the audit chain's head is anchored in (docs/decisions/013).
    audit_anchor_bucket: str | None = None
    # Images staff upload (aj74.media, docs/decisions/016-images.md): the bucket, and the public
    # base URL of its ``media/`` keys: the CloudFront distribution, or "direct" (locally): the
    # bucket's own S3 endpoint.
    media_bucket: str | None = None
    media_public_url: str | None = None
    # Web Push (docs/decisions/018-web-push.md): subscriptions and follows, the fan-out queue, and
    # the secret the VAPID signing key is derived from.
    push_subscriptions_table: str | None = None
    push_queue_url: str | None = None
    vapid_key_secret_arn: str | None = None
    points_per_ballot: int = 10
    finalise_grace_seconds: int = 120
    # How long after close a genuine ballot can still reach the consumer: the ballot queue's
    # message retention (a message older than that no longer exists). Later ones are forgeries.
    ballot_queue_retention_seconds: int = 345_600
    # Points and the rewards shop (docs/decisions/008-points-and-shop.md).
    order_cancel_window_minutes: int = 60
    points_level_thresholds: tuple[int, ...] = (50, 150, 400)
    # Breakdown cells under this many ballots are hidden (docs/decisions/010-decision-cycle.md).
    small_cell_threshold: int = 10
    # Hours a found missing-person notice stays in the feed with its outcome.
    found_notice_visible_hours: int = 72
    # Rate limits (docs/decisions/011-api-contract-and-limits.md): the shared counter table and
    # per-limit overrides of requests per minute, from RATE_LIMITS="ballots=10,orders=5".
    rate_limits_table: str | None = None
    rate_limits: tuple[tuple[str, int], ...] = ()

    @property
    def is_local(self) -> bool:
        return self.stage == "local"


def _text(env: Mapping[str, str], name: str) -> str | None:
    """The variable's value, stripped; None when it is absent or blank."""
    value = (env.get(name) or "").strip()
    return value or None


def _required(env: Mapping[str, str], name: str) -> str:
    value = _text(env, name)
    if value is None:
        raise SettingsError(f"environment variable {name} is required")
    return value


def _int(env: Mapping[str, str], name: str, default: int, minimum: int = 0) -> int:
    """An integer setting: the default when absent, SettingsError naming it when malformed."""
    raw = _text(env, name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise SettingsError(f"environment variable {name} must be an integer, not {raw!r}") from None
    if value < minimum:
        raise SettingsError(f"environment variable {name} must be at least {minimum}, not {value}")
    return value


def check_function(env: Mapping[str, str], spec: FunctionSettings) -> None:
    """Fail with SettingsError naming the first variable ``spec``'s function needs and lacks."""
    stage = _required(env, "STAGE")
    for name in spec.required:
        _required(env, name)
    if stage == LENIENT_STAGE:
        return
    for name in spec.resources:
        if _text(env, name) is None:
            raise SettingsError(f"environment variable {name} is required by {spec.function_id} "
                                f"on stage {stage}")


def load_settings(env: Mapping[str, str] | None = None, function: FunctionSettings | None = None) -> Settings:
    """Build settings from ``env`` (default: the process environment), failing fast on gaps.

    With ``function``, every variable that function needs must be present (see the module
    docstring); without, only ``STAGE`` (tools and tests that run the domain in-process).
    """
    env = dict(os.environ if env is None else env)
    stage = _required(env, "STAGE")
    if stage not in STAGES:
        raise SettingsError(f"STAGE must be one of {', '.join(STAGES)}, not {stage!r}")
    if function is not None:
        check_function(env, function)
    issuer = _text(env, "OIDC_ISSUER")
    issuer = issuer.rstrip("/") if issuer else None
    admin_origin = _text(env, "ADMIN_ORIGIN")
    resident_origin = _text(env, "RESIDENT_ORIGIN")
    media_public_url = _text(env, "MEDIA_PUBLIC_URL")
    return Settings(
        stage=stage,
        region=_text(env, "AWS_REGION") or _text(env, "AWS_DEFAULT_REGION") or "eu-central-1",
        function_id=function.function_id if function else None,
        oidc_issuer=issuer,
        oidc_audience=_text(env, "OIDC_AUDIENCE"),
        oidc_jwks_url=_text(env, "OIDC_JWKS_URL") or (f"{issuer}/.well-known/jwks.json" if issuer else None),
        clock_skew_seconds=_int(env, "OIDC_CLOCK_SKEW_SECONDS", 30),
        admin_origin=admin_origin.rstrip("/") if admin_origin else None,
        resident_origin=resident_origin.rstrip("/") if resident_origin else None,
        polls_table=_text(env, "POLLS_TABLE"),
        ballots_table=_text(env, "BALLOTS_TABLE"),
        tallies_table=_text(env, "TALLIES_TABLE"),
        points_table=_text(env, "POINTS_TABLE"),
        audit_table=_text(env, "AUDIT_TABLE"),
        shop_items_table=_text(env, "SHOP_ITEMS_TABLE"),
        shop_orders_table=_text(env, "SHOP_ORDERS_TABLE"),
        staff_table=_text(env, "STAFF_TABLE"),
        territories_table=_text(env, "TERRITORIES_TABLE"),
        content_table=_text(env, "CONTENT_TABLE"),
        feed_table=_text(env, "FEED_TABLE"),
        bulletin_topic_arn=_text(env, "BULLETIN_TOPIC_ARN"),
        ballot_queue_url=_text(env, "BALLOT_QUEUE_URL"),
        aws_endpoint_url=_text(env, "AWS_ENDPOINT_URL"),
        ballot_key_secret_arn=_text(env, "BALLOT_KEY_SECRET_ARN"),
        ballot_message_key_arn=_text(env, "BALLOT_MESSAGE_KEY_ARN"),
        audit_anchor_bucket=_text(env, "AUDIT_ANCHOR_BUCKET"),
        media_bucket=_text(env, "MEDIA_BUCKET"),
        media_public_url=media_public_url.rstrip("/") if media_public_url else None,
        push_subscriptions_table=_text(env, "PUSH_SUBSCRIPTIONS_TABLE"),
        push_queue_url=_text(env, "PUSH_QUEUE_URL"),
        vapid_key_secret_arn=_text(env, "VAPID_KEY_SECRET_ARN"),
        points_per_ballot=_int(env, "POINTS_PER_BALLOT", 10),
        finalise_grace_seconds=_int(env, "FINALISE_GRACE_SECONDS", 120),
        ballot_queue_retention_seconds=_int(env, "BALLOT_QUEUE_RETENTION_SECONDS", 345_600, minimum=60),
        order_cancel_window_minutes=_int(env, "ORDER_CANCEL_WINDOW_MINUTES", 60),
        points_level_thresholds=_thresholds(_text(env, "POINTS_LEVEL_THRESHOLDS") or "50,150,400"),
        small_cell_threshold=_int(env, "SMALL_CELL_THRESHOLD", 10, minimum=1),
        found_notice_visible_hours=_int(env, "FOUND_NOTICE_VISIBLE_HOURS", 72),
        rate_limits_table=_text(env, "RATE_LIMITS_TABLE"),
        rate_limits=_rate_limits(_text(env, "RATE_LIMITS") or ""),
    )


def _rate_limits(raw: str) -> tuple[tuple[str, int], ...]:
    """``name=requests_per_minute`` pairs, comma-separated; empty means the defaults."""
    pairs = []
    for part in filter(None, (p.strip() for p in raw.split(","))):
        name, _, value = part.partition("=")
        if not value.isdigit() or int(value) < 1:
            raise SettingsError("RATE_LIMITS must look like ballots=10,orders=5 (positive integers)")
        pairs.append((name.strip(), int(value)))
    return tuple(pairs)


def _thresholds(raw: str) -> tuple[int, ...]:
    """Lifetime points at which each level above the first begins: strictly increasing, positive."""
    try:
        values = tuple(int(v) for v in raw.split(","))
    except ValueError:
        raise SettingsError("POINTS_LEVEL_THRESHOLDS must be comma-separated integers") from None
    if len(values) != 3 or values[0] <= 0 or any(b <= a for a, b in zip(values, values[1:], strict=False)):
        raise SettingsError("POINTS_LEVEL_THRESHOLDS must be three increasing positive integers")
    return values


_function: FunctionSettings | None = None
_lock = threading.Lock()


def configure(function: FunctionSettings) -> Settings:
    """Declare which function this process runs and validate its settings now (a handler module
    calls this at import, so a gap stops the cold start). Returns the settings."""
    global _function
    with _lock:
        settings = load_settings(function=function)
        _function = function
        get_settings.cache_clear()
    return settings


@process_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded on first use (and again after ``cache_clear``), validated
    for the function the process runs once its handler module has called :func:`configure`."""
    return load_settings(function=_function)
