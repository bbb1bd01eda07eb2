"""A moto server subprocess for integration tests that need the local AWS over HTTP."""

from __future__ import annotations

import os
import urllib.request
from collections.abc import Iterator

import pytest

from infra.local.moto_process import moto_server
from infra.local.provision import aws_client


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory) -> Iterator[str]:
    """The endpoint of a moto server on a free port, shared by the session.

    Under mutation testing (`make mutants`) one server outlives the many short pytest sessions of a
    group: AJ74_TEST_MOTO_ENDPOINT names it, and each session starts from a reset (empty) server."""
    shared = os.environ.get("AJ74_TEST_MOTO_ENDPOINT")
    if shared:
        urllib.request.urlopen(urllib.request.Request(f"{shared}/moto-api/reset", method="POST"), timeout=30).close()
        yield shared
        return
    with moto_server(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def sqs(moto_endpoint):
    return aws_client("sqs", moto_endpoint)

