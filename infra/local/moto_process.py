"""A moto server subprocess on a free port, for the integration tests and the benchmarks.

The local stack (``infra/local/stack.py``) starts its own on a fixed port with the rest of the
stack; this is moto alone, as ``python -m infra.local.moto_server`` runs it, for as long as a
``with`` block lasts.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from infra.local.stack import child_env, moto_command, moto_ready, spawn, terminate, wait_until


def free_port() -> int:
    """A port of 127.0.0.1 the OS reports free right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def moto_server(log_dir: Path, timeout: float = 30) -> Iterator[str]:
    """A moto server subprocess on a free port (its log in ``log_dir``), its endpoint while the
    block runs; ``timeout`` seconds to come up."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = spawn("moto", moto_command("127.0.0.1", port), env=child_env({}), log_dir=Path(log_dir))
    try:
        wait_until(lambda: moto_ready(endpoint), moto, timeout=timeout, what="moto server")
        yield endpoint
    finally:
        terminate([moto], timeout=5)
