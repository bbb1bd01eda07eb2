"""The ``local_stack`` session fixture: the whole local stack on free ports.

Free ports keep it clear of a developer's running ``make run`` on 4566/8000/8080/8090.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import requests

from infra.local.stack import LocalStack
from tests.e2e.browser import launched_browser


def stack_on_free_ports(log_dir: Path, **options) -> LocalStack:
    """A LocalStack (not started) on four ports the OS reports free right now."""
    sockets = [socket.socket() for _ in range(4)]
    try:
        for sock in sockets:
            sock.bind(("127.0.0.1", 0))
        aws_port, api_port, admin_port, resident_port = (sock.getsockname()[1] for sock in sockets)
    finally:
        for sock in sockets:
            sock.close()
    return LocalStack(aws_port=aws_port, api_port=api_port, admin_port=admin_port, resident_port=resident_port,
                      log_dir=log_dir, **options)


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory) -> Iterator[LocalStack]:
    """The local stack, started once per test session and stopped at its end."""
    with stack_on_free_ports(tmp_path_factory.mktemp("local-stack")) as stack:
        yield stack


@pytest.fixture
def new_stack(tmp_path) -> Callable[..., LocalStack]:
    """A factory of extra, not yet started stacks, for tests about the stack's own lifecycle."""
    return lambda **options: stack_on_free_ports(tmp_path, **options)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium for a module's browser tests (skipped when it is not installed)."""
    with launched_browser() as started:
        yield started


@pytest.fixture(scope="module")
def persona_api(local_stack):
    """``call(method, path, persona, body=None, **query)`` as a development persona (token cached)."""
    tokens: dict[str, str] = {}

    def call(method: str, path: str, persona: str, body: dict | None = None, **params) -> requests.Response:
        if persona not in tokens:
            got = requests.post(f"{local_stack.api_url}/dev/token", json={"persona": persona}, timeout=10)
            tokens[persona] = got.json()["access_token"]
        return requests.request(method, f"{local_stack.api_url}{path}", json=body, params=params or None, timeout=10,
                                headers={"Authorization": f"Bearer {tokens[persona]}"})

    return call
