"""An insider erases an entry from the middle of the audit log and re-chains the rest, on the
running local stack: the log then verifies on its own, but not against the head published before
(GET /v1/audit/head, no sign-in) nor against the head the anchor function put into the Object Lock
bucket (docs/decisions/013-anchored-audit-log.md)."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import requests
from aj74.audit.anchor import anchor_key
from aj74.audit.chain import entry_hash
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.exceptions import ClientError

from tests.e2e.test_poll_cycle import Client, iso, wait_for

pytestmark = [pytest.mark.stack, pytest.mark.slow]

REPO_ROOT = Path(__file__).resolve().parents[2]
JSON_FIELDS = ("before", "after")  # stored as JSON text (PynamoDB JSONAttribute), hashed as values


def verify(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aj74.verify", "audit", *args], cwd=REPO_ROOT,
                          capture_output=True, text=True, timeout=60)


def erase_and_rechain(dynamodb, table: str, erased_seq: int) -> None:
    """What an insider with write access to the audit table does: delete one entry, then renumber
    and re-hash every later one so the chain is intact again."""
    load, dump = TypeDeserializer(), TypeSerializer()
    items = dynamodb.query(TableName=table, KeyConditionExpression="#l = :l", ExpressionAttributeNames={"#l": "log"},
                           ExpressionAttributeValues={":l": {"S": "moderation"}}, ConsistentRead=True)["Items"]
    entries = sorted(({k: load.deserialize(v) for k, v in item.items()} for item in items), key=lambda e: e["seq"])
    prev_hash = next(e["hash"] for e in entries if e["seq"] == erased_seq - 1)
    later = [e for e in entries if e["seq"] > erased_seq]
    for entry in [e for e in entries if e["seq"] >= erased_seq]:
        dynamodb.delete_item(TableName=table, Key={"log": {"S": "moderation"}, "seq": {"N": str(entry["seq"])}})
    for entry in later:
        entry["seq"] = int(entry["seq"]) - 1
        entry["prev_hash"] = prev_hash
        hashed = {**entry, **{f: json.loads(entry[f]) for f in JSON_FIELDS if f in entry}}
        entry["hash"] = prev_hash = entry_hash(hashed)
        dynamodb.put_item(TableName=table, Item={k: dump.serialize(v) for k, v in entry.items()})


def test_an_erased_and_rechained_audit_entry_is_detected_against_the_published_heads(local_stack, tmp_path):
    api = Client(local_stack.api_url)
    moderator, analyst = api.token(persona="moderator-satka"), api.token(persona="analyst")
    opens = datetime.now(UTC) + timedelta(days=10)

    # Given five staff actions in the audit log
    for i in range(5):
        created = api.request("POST", "/v1/admin/polls", moderator, {
            "title": f"Проверка журнала аудита {i}", "description": "Черновик для проверки журнала.",
            "territory_ids": ["mr-satkinsky"], "opens_at": iso(opens), "closes_at": iso(opens + timedelta(days=7)),
            "min_age": 16, "results_visibility": "after_close",
            "questions": [{"text": "Да или нет?", "kind": "single", "options": [{"text": "Да"}, {"text": "Нет"}]}]})
        assert created.status_code == 201, created.text

    # And the head, as anyone reads it without signing in, kept by an observer once the anchor function
    # (its role may only put objects) has put that same head into the Object Lock bucket. The scheduler
    # appends entries of its own (the demo poll that closes a minute after the start is finalised), so
    # the head is read again until the two agree, and only after that poll is final.
    s3 = local_stack.aws_client("s3")
    bucket = local_stack.resources.ref("AuditAnchorBucket")
    resident = api.token(persona="resident-satka")
    wait_for(lambda: api.request("GET", "/v1/polls?state=final", resident).json()["items"], 120,
             "the demo poll that closes early to be final")

    def anchored():
        published = requests.get(f"{local_stack.api_url}/v1/audit/head", timeout=10)
        assert published.status_code == 200, published.text
        try:
            return published, s3.get_object(Bucket=bucket, Key=anchor_key(published.json()))
        except ClientError:
            return None

    published, anchor = wait_for(anchored, 90, "the anchor function to put the public head into the bucket")
    head = published.json()
    assert head["seq"] >= 5 and len(head["hash"]) == 64 and head["published_at"]
    (tmp_path / "head.json").write_text(published.text)
    assert anchor["ObjectLockMode"] == "COMPLIANCE"
    (tmp_path / "anchor.json").write_bytes(anchor["Body"].read())
    assert json.loads((tmp_path / "anchor.json").read_text())["hash"] == head["hash"]

    def export() -> Path:
        response = api.request("GET", "/v1/admin/audit/export", analyst)
        assert response.status_code == 200, response.text
        path = tmp_path / "export.json"
        path.write_text(response.text)
        return path

    intact = verify("--export", str(export()), "--head", str(tmp_path / "head.json"))
    assert intact.returncode == 0, intact.stdout

    # When an insider with write access to the audit table erases an entry from the middle and re-chains the rest
    erase_and_rechain(local_stack.aws_client("dynamodb"), local_stack.resources.ref("AuditTable"), head["seq"] - 2)

    # Then the log alone still verifies (which is why the head is published)...
    tampered = export()
    alone = verify("--export", str(tampered))
    assert alone.returncode == 0 and "intact" in alone.stdout, alone.stdout

    # ...but not against the head published before, from the API or from the bucket
    for source in ("head.json", "anchor.json"):
        done = verify("--export", str(tampered), "--head", str(tmp_path / source))
        assert done.returncode == 1, (source, done.stdout)
        assert (f"the log ends at seq {head['seq'] - 1}, before the published head seq {head['seq']}" in done.stdout
                or f"seq {head['seq']}: the log's hash" in done.stdout), (source, done.stdout)

    # And the anchored head is still there, unchanged, whatever the anchor function writes next
    wait_for(lambda: requests.get(f"{local_stack.api_url}/v1/audit/head", timeout=10).json()["seq"] == head["seq"] - 1,
             10, "the public head to show the rewritten log")
    keys = wait_for(lambda: [o["Key"] for o in s3.list_objects_v2(Bucket=bucket, Prefix="heads/")["Contents"]
                             if o["Key"] != anchor_key(head)], 60, "the rewritten head to be anchored beside it")
    assert all(k.startswith("heads/") for k in keys)
    assert s3.get_object(Bucket=bucket, Key=anchor_key(head))["Body"].read() == (tmp_path / "anchor.json").read_bytes()
