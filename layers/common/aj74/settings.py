"""One typed settings object, read from environment variables and validated once.

Every Lambda handler and the HTTP API read their configuration through :func:`get_settings`.
Only configuration differs between the local stack and AWS: endpoints, issuer, table names.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from functools import lru_cache

STAGES = ("local", "test", "dev", "prod")


class SettingsError(RuntimeError):
    """The environment does not describe a runnable configuration."""


@dataclass(frozen=True)
class Settings:
    stage: str
    region: str
    # Identity provider (Госуслуги 74 in production, the development provider locally).
    oidc_issuer: str
    oidc_audience: str
    oidc_jwks_url: str
    clock_skew_seconds: int
    admin_origin: str
    # Storage and messaging; names come from template.yaml (locally resolved by the provisioner).
    polls_table: str = ""
    ballots_table: str = ""
    tallies_table: str = ""
    points_table: str = ""
    audit_table: str = ""
    shop_items_table: str = ""
    shop_orders_table: str = ""
    staff_table: str = ""
    territories_table: str = ""  # the territory registry (docs/decisions/017)
    content_table: str = ""
    feed_table: str = ""
    bulletin_topic_arn: str = ""
    ballot_queue_url: str = ""
    aws_endpoint_url: str | None = None
    # ARNs of the Secrets Manager secrets of the ballot path (aj74.keystore); never the values.
    ballot_key_secret_arn: str = ""
    ballot_message_key_arn: str = ""
    # The Object Lock bucket the audit chain's head is anchored in (docs/decisions/013).
    audit_anchor_bucket: str = ""
    # Images staff upload (aj74.media, docs/decisions/016-images.md): the bucket, and the public
    # base URL of its ``media/`` keys: the CloudFront distribution, or "direct" (locally): the
    # bucket's own S3 endpoint.
    media_bucket: str = ""
    media_public_url: str = ""
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
    rate_limits_table: str = ""
    rate_limits: tuple[tuple[str, int], ...] = ()

    @property
    def is_local(self) -> bool:
        return self.stage == "local"


def _required(env: dict[str, str], name: str) -> str:
    value = env.get(name, "").strip()
    if not value:
        raise SettingsError(f"environment variable {name} is required")
    return value


def load_settings(env: dict[str, str] | None = None) -> Settings:
    """Build settings from ``env`` (default: the process environment), failing fast on gaps."""
    env = dict(os.environ if env is None else env)
    stage = _required(env, "STAGE")
    if stage not in STAGES:
        raise SettingsError(f"STAGE must be one of {', '.join(STAGES)}, not {stage!r}")
    issuer = _required(env, "OIDC_ISSUER").rstrip("/")
    return Settings(
        stage=stage,
        region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-central-1",
        oidc_issuer=issuer,
        oidc_audience=_required(env, "OIDC_AUDIENCE"),
        oidc_jwks_url=env.get("OIDC_JWKS_URL") or f"{issuer}/.well-known/jwks.json",
        clock_skew_seconds=int(env.get("OIDC_CLOCK_SKEW_SECONDS", "30")),
        admin_origin=_required(env, "ADMIN_ORIGIN").rstrip("/"),
        polls_table=env.get("POLLS_TABLE", ""),
        ballots_table=env.get("BALLOTS_TABLE", ""),
        tallies_table=env.get("TALLIES_TABLE", ""),
        points_table=env.get("POINTS_TABLE", ""),
        audit_table=env.get("AUDIT_TABLE", ""),
        shop_items_table=env.get("SHOP_ITEMS_TABLE", ""),
        shop_orders_table=env.get("SHOP_ORDERS_TABLE", ""),
        staff_table=env.get("STAFF_TABLE", ""),
        territories_table=env.get("TERRITORIES_TABLE", ""),
        content_table=env.get("CONTENT_TABLE", ""),
        feed_table=env.get("FEED_TABLE", ""),
        bulletin_topic_arn=env.get("BULLETIN_TOPIC_ARN", ""),
        ballot_queue_url=env.get("BALLOT_QUEUE_URL", ""),
        aws_endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
        ballot_key_secret_arn=env.get("BALLOT_KEY_SECRET_ARN", ""),
        ballot_message_key_arn=env.get("BALLOT_MESSAGE_KEY_ARN", ""),
        audit_anchor_bucket=env.get("AUDIT_ANCHOR_BUCKET", ""),
        media_bucket=env.get("MEDIA_BUCKET", ""),
        media_public_url=env.get("MEDIA_PUBLIC_URL", "").rstrip("/"),
        points_per_ballot=int(env.get("POINTS_PER_BALLOT", "10")),
        finalise_grace_seconds=int(env.get("FINALISE_GRACE_SECONDS", "120")),
        ballot_queue_retention_seconds=int(env.get("BALLOT_QUEUE_RETENTION_SECONDS", "345600")),
        order_cancel_window_minutes=int(env.get("ORDER_CANCEL_WINDOW_MINUTES", "60")),
        points_level_thresholds=_thresholds(env.get("POINTS_LEVEL_THRESHOLDS", "50,150,400")),
        small_cell_threshold=int(env.get("SMALL_CELL_THRESHOLD", "10")),
        found_notice_visible_hours=int(env.get("FOUND_NOTICE_VISIBLE_HOURS", "72")),
        rate_limits_table=env.get("RATE_LIMITS_TABLE", ""),
        rate_limits=_rate_limits(env.get("RATE_LIMITS", "")),
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


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, loaded on first use."""
    return load_settings()

