"""The territory tree of the Chelyabinsk region: region → districts → settlements.

The tree is a registry the Ministry of IT maintains (docs/decisions/017-territory-registry.md): a
table seeded from the packaged ``territories.json``, changed through ``/v1/admin/territories``.
Readers call :func:`territory_tree`, which holds the tree per process and checks the table's
version item at most once every ``REFRESH_SECONDS``: never a read per request. Without a table
(unit tests, tools) the packaged file is the tree.
"""

from __future__ import annotations

import logging
import threading
import time

from aj74.caching import on_forget

# The data types live in .tree (the table's repository imports them without importing this module).
from aj74.territories.tree import KINDS, Registry, Territory, TerritoryTree, UnknownTerritory, packaged

__all__ = ["KINDS", "REFRESH_SECONDS", "Registry", "Territory", "TerritoryTree", "UnknownTerritory", "invalidate",
           "packaged", "registry", "territory_tree"]

log = logging.getLogger(__name__)
REFRESH_SECONDS = 60.0


class _Cache:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.registry: Registry | None = None
        self.checked_at = 0.0

    def clear(self) -> None:
        with self.lock:
            self.registry, self.checked_at = None, 0.0


_cache = _Cache()


def registry(max_age: float = REFRESH_SECONDS) -> Registry:
    """The registry as this process knows it: read once per cold start, then its version item is
    checked at most every ``max_age`` seconds and the whole tree reread only when it changed."""
    from aj74.settings import get_settings

    if not get_settings().territories_table:
        return packaged()
    now = time.monotonic()
    with _cache.lock:
        current, checked_at = _cache.registry, _cache.checked_at
    if current is not None and now - checked_at < max_age:
        return current
    from aj74.territories import repository

    try:
        fresh = repository.TerritoryTable().load_if_changed(current.version if current else None)
    except Exception:
        if current is None:
            raise
        log.exception("territory registry not refreshed; keeping version %s", current.version)
        fresh = None
    with _cache.lock:
        _cache.registry = fresh or current
        _cache.checked_at = now
        return _cache.registry


def territory_tree() -> TerritoryTree:
    """The region's tree of active territories (see :func:`registry`)."""
    return registry().tree


def invalidate() -> None:
    """Forget the held tree (after a change in this process: the next reader rereads it)."""
    _cache.clear()


on_forget(invalidate)
