"""The running local stack: each component talks to the local AWS as its template identity."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from infra.local.provision import UNAUTHENTICATED, aws_client


def process_env(pid: int) -> dict[str, str]:
    raw = Path(f"/proc/{pid}/environ").read_bytes()
    return dict(item.split("=", 1) for item in raw.decode("utf-8", "replace").split("\0") if "=" in item)


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_every_component_runs_as_its_own_identity(local_stack):
    identities = local_stack.identities
    api_function = next(f.logical_id for f in local_stack.resources.functions.values() if f.is_http)
    expected = {"api": identities[api_function]}
    expected.update({name: identities[name] for name in local_stack.pids if name in identities})
    assert len(expected) >= 2
    for name, credentials in expected.items():
        env = process_env(local_stack.pids[name])
        assert env["AWS_ACCESS_KEY_ID"] == credentials.access_key_id, name
        assert env["AWS_SESSION_TOKEN"] == credentials.session_token, name
    # No two components share a key, and none holds the administrator's.
    keys = [process_env(pid).get("AWS_ACCESS_KEY_ID") for pid in local_stack.pids.values()]
    assert local_stack.admin_credentials.access_key_id not in keys
    assert len({c.access_key_id for c in expected.values()}) == len(expected)


def test_a_call_outside_a_functions_policy_is_refused(local_stack):
    consumer = local_stack.aws_client("dynamodb", local_stack.identities["BallotConsumerFunction"])
    ballots = local_stack.resources.tables["BallotsTable"]
    with pytest.raises(ClientError) as refused:
        consumer.scan(TableName=ballots, Limit=1)
    assert refused.value.response["Error"]["Code"] == "AccessDeniedException"
    # The same call as the administrator (the identity of seeding, tests and tools) goes through.
    assert "Items" in local_stack.aws_client("dynamodb").scan(TableName=ballots, Limit=1)


def test_tools_get_the_administrator_and_the_dummy_keys_are_refused(local_stack):
    assert aws_client("sqs", local_stack.aws_endpoint).list_queues()["QueueUrls"]
    with pytest.raises(ClientError) as refused:
        aws_client("sqs", local_stack.aws_endpoint, credentials=UNAUTHENTICATED).list_queues()
    assert refused.value.response["Error"]["Code"] == "InvalidClientTokenId"
