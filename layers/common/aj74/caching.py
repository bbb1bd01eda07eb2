"""Per-process caches: what a warm Lambda keeps between invocations (clients, keys, settings, the
territory tree, the ballot path's polls), each built on its first use.

``process_cache`` is ``functools.lru_cache`` that also registers the cache; a cache of another shape
(a time-limited one) registers its own way to forget with ``on_forget``. ``forget_process_caches()``
then drops every one of them at once. Nothing in production calls it: the tests do, when they point
the package at another stack (tests/support/env.py).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import lru_cache

_FORGET: list[Callable[[], None]] = []


def process_cache(maxsize: int = 1) -> Callable[[Callable], Callable]:
    """``lru_cache(maxsize)``, registered for ``forget_process_caches``."""

    def decorate(function: Callable) -> Callable:
        cached = lru_cache(maxsize=maxsize)(function)
        _FORGET.append(cached.cache_clear)
        return cached

    return decorate


def on_forget(forget: Callable[[], None]) -> None:
    """Register how a cache that is not a ``process_cache`` forgets what it holds."""
    _FORGET.append(forget)


def forget_process_caches() -> None:
    """Forget every cached client, key, settings object and poll, so the next use reads the environment again."""
    for forget in _FORGET:
        forget()
