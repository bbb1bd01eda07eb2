"""A moto server subprocess for integration tests that need the local AWS over HTTP."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from infra.local.moto_process import moto_server
from infra.local.provision import aws_client


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory) -> Iterator[str]:
    """The endpoint of a moto server on a free port, shared by the session."""
    with moto_server(tmp_path_factory.mktemp("moto")) as endpoint:
        yield endpoint


@pytest.fixture(scope="session")
def sqs(moto_endpoint):
    return aws_client("sqs", moto_endpoint)

