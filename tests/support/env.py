"""Pointing the in-process domain at a provisioned stack, and emptying its tables between checks."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

from aj74.caching import forget_process_caches

# The stack parameters of a contract test's stack: no identity provider or admin site is reached.
TEST_PARAMETERS = {"OidcIssuer": "http://127.0.0.1:9/dev", "OidcAudience": "aj74-test", "AdminOrigin": "http://127.0.0.1:9"}


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


@contextmanager
def provisioned(endpoint: str, stack_name: str, *functions: str) -> Iterator[dict[str, str]]:
    """A stack of its own on the moto server at ``endpoint``, provisioned from template.yaml: yields the
    environment of ``functions`` (their settings together) and, when done, restores the process's
    environment and forgets the clients made against the stack."""
    from infra.local.provision import provision

    resources = provision(endpoint, stack_name=stack_name, parameters=TEST_PARAMETERS)
    saved = dict(os.environ)
    try:
        yield {name: value for function in functions for name, value in resources.env_for(function).items()}
    finally:
        os.environ.clear()
        os.environ.update(saved)
        clear_cached_clients()


def emptied(dynamodb, table: str, key: tuple[str, ...]) -> None:
    """Empty ``table`` (its key attributes ``key``) with the test's own client, so that a contract check
    starts from nothing: the adapters under test cannot delete."""
    for page in dynamodb.get_paginator("scan").paginate(TableName=table, ProjectionExpression=", ".join(
            f"#k{i}" for i in range(len(key))), ExpressionAttributeNames={f"#k{i}": k for i, k in enumerate(key)}):
        for item in page["Items"]:
            dynamodb.delete_item(TableName=table, Key=item)
