"""Pointing the in-process domain at a provisioned stack."""

from __future__ import annotations

import os
import sys


def clear_cached_clients() -> None:
    """Forget every lazily built client, model and settings object of the domain package (and the
    development identity provider built from the settings), so the next use reads the environment
    again (the package caches them for warm Lambda starts)."""
    for name, module in list(sys.modules.items()):
        if not (name == "aj74" or name.startswith(("aj74.", "infra.local.dev_identity"))) or module is None:
            continue
        for value in vars(module).values():
            if callable(getattr(value, "cache_clear", None)):
                value.cache_clear()


def use_stack(env: dict[str, str], endpoint: str) -> None:
    os.environ.update(env)
    os.environ.update({"AWS_ENDPOINT_URL": endpoint, "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "eu-central-1"})
    clear_cached_clients()
