"""The unit tier's socket guard (tests/unit/conftest.py) refuses connections, and a test marked
``loopback`` reaches 127.0.0.1 and nothing else."""

from __future__ import annotations

import socket
import urllib.request

import pytest

REFUSED = "unit tests do not reach"
NOWHERE = ("192.0.2.1", 443)  # TEST-NET-1: never routed; the guard refuses before any packet leaves


def test_a_unit_test_cannot_connect_anywhere():
    with socket.socket() as s, pytest.raises(RuntimeError, match=REFUSED):
        s.connect(NOWHERE)
    with socket.socket() as s, pytest.raises(RuntimeError, match=REFUSED):
        s.connect_ex(("127.0.0.1", 9))
    with pytest.raises(RuntimeError, match=REFUSED):
        socket.create_connection(("localhost", 9), timeout=0.1)
    with pytest.raises(RuntimeError, match=REFUSED):  # what botocore and urllib go through
        urllib.request.urlopen("http://192.0.2.1/", timeout=0.1)


@pytest.mark.loopback  # connects to a listener it opens on 127.0.0.1
def test_a_loopback_test_reaches_127_0_0_1_and_nothing_else():
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)
        with socket.create_connection(listener.getsockname(), timeout=1):
            pass
    with socket.socket() as s, pytest.raises(RuntimeError, match="non-loopback"):
        s.connect(NOWHERE)
