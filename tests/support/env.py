"""Pointing the in-process domain at a provisioned stack, and emptying its tables between checks."""

from __future__ import annotations

import os

from aj74.caching import forget_process_caches


def clear_cached_clients() -> None:
    """Forget every client, key, settings object and territory tree the package keeps per process
    (``aj74.caching.process_cache``; the development identity provider's too), so that the next use
    reads the environment again."""
    forget_process_caches()


def use_stack(env: dict[str, str], endpoint: str) -> None:
    os.environ.update(env)
    os.environ.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-central-1"})
    clear_cached_clients()


def emptied(dynamodb, table: str, key: tuple[str, ...]) -> None:
    """Empty ``table`` (its key attributes ``key``) with the test's own client, so that a contract check
    starts from nothing: the adapters under test cannot delete."""
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ProjectionExpression=", ".join(
            f"#k{i}" for i in range(len(key))), ExpressionAttributeNames={f"#k{i}": k for i, k in enumerate(key)}):
        for item in page["Items"]:
            dynamodb.delete_item(TableName=table, Key=item)
