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

    running = set(local_stack.pids) - {"moto", "api", "admin", "resident"}

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


def test_the_resident_app_is_served_on_its_own_origin_as_an_installable_app(local_stack):
    assert local_stack.resident_url != local_stack.admin_url
    page = requests.get(local_stack.resident_url + "/", timeout=5)
    assert page.status_code == 200 and 'rel="manifest"' in page.text
    csp = page.headers["Content-Security-Policy"]
    assert "script-src 'self';" in csp and "style-src 'self';" in csp and "unsafe-inline" not in csp

    manifest = requests.get(local_stack.resident_url + "/manifest.webmanifest", timeout=5)
    assert manifest.headers["Content-Type"] == "application/manifest+json"
    assert manifest.json()["start_url"] == "/#/polls" and manifest.json()["display"] == "standalone"
    worker = requests.get(local_stack.resident_url + "/sw.js", timeout=5)
    assert worker.status_code == 200 and worker.headers["Content-Type"].startswith("text/javascript")
    # The build wrote the shell's file list into the worker.
    assert "__AJ74_PRECACHE__" not in worker.text and "/manifest.webmanifest" in worker.text
    config = requests.get(local_stack.resident_url + "/config.json", timeout=5).json()
    assert config == {"apiBase": local_stack.api_url, "auth": {"mode": "dev"}}
