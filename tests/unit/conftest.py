"""The unit tier opens no socket (docs/decisions/021-ports-and-adapters.md).

Every unit test runs with ``socket.socket.connect``, ``connect_ex`` and ``socket.create_connection``
refusing, so a service that reaches for DynamoDB, SQS or Secrets Manager instead of the fakes it was
given fails loudly here, not slowly against a missing endpoint. A test that genuinely talks to a
server it starts on 127.0.0.1 is marked ``@pytest.mark.loopback``: it may connect to loopback
addresses, still to nothing else.

Unit tests also run in the environment the session started with: an integration module that ran
earlier on the same worker may have pointed the domain at its moto stack (``tests/support/env.py``);
that environment is set aside for the unit test and put back after it.
"""

from __future__ import annotations

import ipaddress
import os
import socket

import pytest

from tests.support.env import clear_cached_clients

# The environment at collection, before any fixture of another tier pointed the domain anywhere.
_SESSION_ENV = dict(os.environ)


class SocketBlocked(RuntimeError):
    """A unit test tried to open a network connection. Not an OSError on purpose: code that treats
    an OSError as "the service is down" must not swallow it."""


def _is_loopback(address) -> bool:
    if isinstance(address, tuple) and address:
        host = address[0]
    else:
        return False  # an AF_UNIX path or anything else: not a loopback IP connection
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


@pytest.fixture(autouse=True)
def _no_sockets(request, monkeypatch):
    loopback_allowed = request.node.get_closest_marker("loopback") is not None
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_create_connection = socket.create_connection

    def refuse(address) -> None:
        if loopback_allowed and _is_loopback(address):
            return
        where = "a non-loopback address" if loopback_allowed else "the network"
        raise SocketBlocked(f"{request.node.nodeid} tried to connect to {address!r}: unit tests do not reach "
                            f"{where} (use the fakes of tests/support/fakes/, or mark a test that talks to "
                            "its own server on 127.0.0.1 with @pytest.mark.loopback)")

    def connect(self, address):
        refuse(address)
        return real_connect(self, address)

    def connect_ex(self, address):
        refuse(address)
        return real_connect_ex(self, address)

    def create_connection(address, *args, **kwargs):
        refuse(address)
        return real_create_connection(address, *args, **kwargs)

    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    yield


@pytest.fixture(autouse=True)
def _session_environment():
    if dict(os.environ) == _SESSION_ENV:
        yield
        return
    pointed = dict(os.environ)
    os.environ.clear()
    os.environ.update(_SESSION_ENV)
    clear_cached_clients()
    try:
        yield
    finally:
        os.environ.clear()
        os.environ.update(pointed)
        clear_cached_clients()
