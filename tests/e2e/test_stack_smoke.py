"""The local stack starts from template.yaml, answers over HTTP, and leaves nothing behind."""

from __future__ import annotations

import os

import pytest
import requests

from infra import template as sam
from infra.local.provision import aws_client

pytestmark = pytest.mark.stack


def test_the_api_answers_health_over_http(local_stack):
    response = requests.get(f"{local_stack.api_url}/v1/health", timeout=5)

    assert response.status_code == 200
    assert response.json()["status"] == "ok"


def test_the_tables_of_the_template_exist_in_the_local_aws(local_stack):
    declared = set(sam.tables(sam.load()))

    listed = set(aws_client("dynamodb", local_stack.aws_endpoint).list_tables()["TableNames"])

    assert set(local_stack.resources.tables) == declared
    assert set(local_stack.resources.tables.values()) <= listed


def test_every_non_http_function_runs_in_its_own_process(local_stack):
    driven = {f.logical_id for f in local_stack.resources.functions.values() if f.is_driven and not f.is_http}

    running = set(local_stack.pids) - {"moto", "api", "admin"}

    assert running == driven - set(local_stack.skipped)
    assert len(set(local_stack.pids.values())) == len(local_stack.pids)


def test_stopping_the_stack_leaves_no_child_process(new_stack):
    # A stack of its own: stopping the session's stack would break the other tests.
    with new_stack(seed=False) as stack:
        pids = stack.pids
        assert {"moto", "api"} <= set(pids)
        assert all(alive(pid) for pid in pids.values())

    assert not [name for name, pid in pids.items() if alive(pid)]
    assert not [name for name, pid in pids.items() if group_alive(pid)]


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True
