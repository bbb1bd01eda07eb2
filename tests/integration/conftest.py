"""A moto server subprocess for integration tests that need the local AWS over HTTP."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from infra.local.provision import aws_client
from infra.local.stack import child_env, moto_command, moto_ready, spawn, terminate, wait_until


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def moto_server(log_dir) -> Iterator[str]:
    """A moto server subprocess on a free port, its endpoint while the block runs."""
    port = free_port()
    endpoint = f"http://127.0.0.1:{port}"
    moto = spawn("moto", moto_command("127.0.0.1", port), env=child_env({}), log_dir=log_dir)
    try:
        wait_until(lambda: moto_ready(endpoint), moto, timeout=30, what="moto server")
        yield endpoint
    finally:
        terminate([moto], timeout=5)


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory) -> Iterator[str]:
    """The endpoint of a moto server on a free port, shared by the session."""
    with moto_server(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def sqs(moto_endpoint):
    return aws_client("sqs", moto_endpoint)
