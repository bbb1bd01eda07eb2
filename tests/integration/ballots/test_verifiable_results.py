"""Verifiable results against moto, through the real routes, repositories and scheduler: receipts
prove inclusion, the published list recounts to the result, a vote moved between options in the
stored list and counts is caught by the recount, the voter's proof and the staff integrity check,
a poll edited in storage after opening is caught by its fingerprint, and audit-log tampering is
found by ``python -m aj74.verify``."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from aj74.clock import utcnow
from aj74.errors import Conflict
from aj74.integrity.published import check_proof
from aj74.polls import service, voting
from aj74.polls.repository import PollRepository
from aj74.polls.scheduling import tick
from aj74.settings import get_settings
from aj74.storage import dynamodb_client
from chalice.test import Client

from tests.support.polls import answers, persona, resident

# The full tier only (make test): the same behaviours run on the services' fakes in the fast
# tier (tests/unit/test_result_services.py), and the contract tests hold the fakes to the adapters
# on moto (test_integrity_ports_contract.py: the stored shapes, a tampered chunk);
# here they run end to end through the real adapters (docs/decisions/021).
pytestmark = pytest.mark.slow

REPO_ROOT = Path(__file__).resolve().parents[3]
VOTERS = 40


@pytest.fixture
def api(pipeline, monkeypatch):
    """The Chalice app in-process; ``Bearer <persona>`` or ``Bearer resident:<sub>`` signs in."""
    from aj74.api import routing

    def authenticate(headers):
        token = headers["authorization"].partition(" ")[2]
        return resident(token.split(":", 1)[1]) if token.startswith("resident:") else persona(token)

    monkeypatch.setattr(routing, "authenticate", authenticate)
    from app import app

    with Client(app) as client:
        yield client


def get(api, path: str, who: str = "resident-satka"):
    response = api.http.get(path, headers={"Authorization": f"Bearer {who}"})
    return response.status_code, json.loads(response.body or b"null")


def verify(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "aj74.verify", *args], cwd=REPO_ROOT, capture_output=True,
                          text=True, timeout=60)


@pytest.fixture
def final_poll(pipeline, open_poll):
    """A Satka poll with VOTERS counted ballots, closed and finalised; and the voters' receipts."""
    receipts = []
    for i in range(VOTERS):
        body = voting.cast_ballot(resident(f"verifiable-{open_poll}-{i}"), open_poll,
                                   answers(i % 3 + 1, tuple(sorted({1 + i % 3, 1 + (i // 3) % 3}))), None)
        receipts.append(body["receipt"])
    pipeline.drain()
    assert open_poll in tick(now=utcnow() + timedelta(hours=2), grace_seconds=0).finalised
    return open_poll, receipts


def test_every_receipt_proves_inclusion_through_the_route(api, final_poll, tmp_path):
    poll_id, receipts = final_poll
    status, results = get(api, f"/v1/polls/{poll_id}/results")
    assert status == 200 and results["total_ballots"] == VOTERS

    for receipt in receipts:
        status, proof = get(api, f"/v1/polls/{poll_id}/proof?receipt={receipt['commitment']}")
        assert status == 200, proof
        assert proof["leaf"] == receipt["commitment"] and proof["tree_size"] == VOTERS
        assert proof["option_ids"] == receipt["option_ids"]
        assert check_proof(receipt["commitment"], receipt["option_ids"], proof, results["merkle_root"]) is None

    # and the offline verifier agrees, for the receipt (salt) and the proof
    receipt = receipts[0]
    status, proof = get(api, f"/v1/polls/{poll_id}/proof?receipt={receipt['commitment']}")
    tmp = tmp_path
    (tmp / "proof.json").write_text(json.dumps(proof))
    (tmp / "receipt.json").write_text(json.dumps(receipt))
    done = verify("proof", "--receipt", str(tmp / "receipt.json"), "--proof", str(tmp / "proof.json"),
                  "--root", results["merkle_root"])
    assert done.returncode == 0, done.stdout + done.stderr
    done = verify("proof", "--receipt", receipt["commitment"], "--option-ids", ",".join(receipt["option_ids"]),
                  "--proof", str(tmp / "proof.json"), "--root", results["merkle_root"])
    assert done.returncode == 0, done.stdout + done.stderr
    # a bare commitment is not enough: the leaf is the commitment and the options
    done = verify("proof", "--receipt", receipt["commitment"], "--proof", str(tmp / "proof.json"))
    assert done.returncode == 1 and "option ids" in done.stderr
    done = verify("receipt", "--receipt", str(tmp / "receipt.json"))
    assert done.returncode == 0, done.stdout + done.stderr
    other_choice = ["q1-o3" if receipt["option_ids"][0] != "q1-o3" else "q1-o2", *receipt["option_ids"][1:]]
    done = verify("receipt", "--receipt", str(tmp / "receipt.json"), "--option-ids", ",".join(other_choice))
    assert done.returncode == 1 and "FAIL" in done.stdout


def test_proof_route_refuses_unknown_malformed_and_not_final(api, final_poll, open_poll_factory):
    poll_id, _ = final_poll
    status, body = get(api, f"/v1/polls/{poll_id}/proof?receipt={'ab' * 32}")
    assert status == 404 and body["code"] == "receipt-not-found"
    status, body = get(api, f"/v1/polls/{poll_id}/proof?receipt=xyz")
    assert status == 422 and body["code"] == "invalid-input"
    status, body = get(api, f"/v1/polls/{poll_id}/ballots/published?limit=1001")
    assert status == 422
    open_id = open_poll_factory()
    status, body = get(api, f"/v1/polls/{open_id}/proof?receipt={'ab' * 32}")
    assert status == 409 and body["code"] == "poll-not-final"


@pytest.fixture
def open_poll_factory(pipeline):
    def make() -> str:
        poll = service.create_poll(persona("moderator-satka"), _body())
        service.moderate(persona("moderator-satka"), poll["id"], "submit")
        service.moderate(persona("approver"), poll["id"], "approve")
        assert poll["id"] in tick().opened
        return poll["id"]

    return make


def _body() -> dict:
    from tests.support.polls import poll_body

    return poll_body(closes_in=timedelta(minutes=30))


def test_the_published_list_pages_and_recounts_to_the_result(api, final_poll, tmp_path):
    poll_id, receipts = final_poll
    pages, cursor = [], None
    while True:
        status, page = get(api, f"/v1/polls/{poll_id}/ballots/published?limit=7"
                                + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200, page
        pages.append(page)
        cursor = page["next_cursor"]
        if not cursor:
            break
    items = [i for p in pages for i in p["items"]]
    assert len(pages) == -(-VOTERS // 7) and len(items) == VOTERS
    assert all(set(i) == {"commitment", "option_ids"} for i in items)  # no keys, ids or demographics
    assert pages[0]["canonical_order"] == "commitment ascending"
    assert [i["commitment"] for i in items] == sorted(r["commitment"] for r in receipts)

    _, results = get(api, f"/v1/polls/{poll_id}/results")
    (tmp_path / "result.json").write_text(json.dumps(results, ensure_ascii=False))
    (tmp_path / "ballots.json").write_text(json.dumps(pages))
    done = verify("recount", "--result", str(tmp_path / "result.json"), "--ballots", str(tmp_path / "ballots.json"))
    assert done.returncode == 0, done.stdout + done.stderr

    # a changed choice in the list no longer recounts to the result
    items[3]["option_ids"] = ["q1-o1", "q2-o1"] if items[3]["option_ids"][0] != "q1-o1" else ["q1-o2", "q2-o1"]
    (tmp_path / "ballots.json").write_text(json.dumps(items))
    done = verify("recount", "--result", str(tmp_path / "result.json"), "--ballots", str(tmp_path / "ballots.json"))
    assert done.returncode == 1 and "counts[" in done.stdout

    status, report = get(api, f"/v1/admin/polls/{poll_id}/integrity", "approver")
    assert status == 200 and report["ok"] is True, report
    assert report["fingerprint"]["matches"] and report["result"]["matches"] and report["published_list"]["matches"]


def published_pages(api, poll_id: str, limit: int = 1000) -> list[dict]:
    pages, cursor = [], None
    while True:
        status, page = get(api, f"/v1/polls/{poll_id}/ballots/published?limit={limit}"
                                + (f"&cursor={cursor}" if cursor else ""))
        assert status == 200, page
        pages.append(page)
        cursor = page["next_cursor"]
        if not cursor:
            return pages


def move_vote_in_storage(poll_id: str, merkle_root: str, commitment: str, source: str, target: str) -> None:
    """What an insider with write access to the Tallies and Polls tables can do without our code: move
    one ballot from option ``source`` to ``target`` in the stored published list (the choices bitmap of
    its chunk item) and in the poll's stored result counts, leaving the published root as it was."""
    client, settings = dynamodb_client(), get_settings()
    key = {"poll_id": {"S": poll_id}, "part": {"S": f"published#{merkle_root}#index"}}
    option_ids = json.loads(client.get_item(TableName=settings.tallies_table, Key=key)["Item"]["option_ids"]["S"])
    key["part"]["S"] = f"published#{merkle_root}#00000"
    item = client.get_item(TableName=settings.tallies_table, Key=key)["Item"]
    commitments, choices = bytes(item["commitments"]["B"]), bytearray(item["choices"]["B"])
    at = [commitments[i:i + 32] for i in range(0, len(commitments), 32)].index(bytes.fromhex(commitment))
    width = (len(option_ids) + 7) // 8
    bits = int.from_bytes(choices[at * width:(at + 1) * width], "little")
    assert bits >> option_ids.index(source) & 1 and not bits >> option_ids.index(target) & 1
    bits ^= 1 << option_ids.index(source) | 1 << option_ids.index(target)
    choices[at * width:(at + 1) * width] = bits.to_bytes(width, "little")
    client.put_item(TableName=settings.tallies_table, Item={**item, "choices": {"B": bytes(choices)}})

    record = client.get_item(TableName=settings.polls_table, Key={"poll_id": {"S": poll_id}}, ConsistentRead=True)
    result = json.loads(record["Item"]["result"]["S"])
    result["counts"][source] -= 1
    result["counts"][target] = result["counts"].get(target, 0) + 1
    client.update_item(TableName=settings.polls_table, Key={"poll_id": {"S": poll_id}},
                       UpdateExpression="SET #r = :r", ExpressionAttributeNames={"#r": "result"},
                       ExpressionAttributeValues={":r": {"S": json.dumps(result, ensure_ascii=False)}})


def test_a_vote_moved_between_options_in_storage_is_caught_by_every_verifier(api, final_poll, tmp_path):
    # Given a final poll, its published root, and a voter who chose q1-o1
    poll_id, receipts = final_poll
    _, before = get(api, f"/v1/polls/{poll_id}/results")
    root = before["merkle_root"]
    receipt = next(r for r in receipts if "q1-o1" in r["option_ids"] and "q1-o2" not in r["option_ids"])
    moved = sorted({*receipt["option_ids"]} - {"q1-o1"} | {"q1-o2"})
    status, honest = get(api, f"/v1/polls/{poll_id}/proof?receipt={receipt['commitment']}")
    assert status == 200 and check_proof(receipt["commitment"], receipt["option_ids"], honest, root) is None

    # When an insider moves that vote to q1-o2 in the stored list and in the stored counts, so that
    # the list still recounts to the counts and the published root is unchanged
    move_vote_in_storage(poll_id, root, receipt["commitment"], "q1-o1", "q1-o2")
    _, results = get(api, f"/v1/polls/{poll_id}/results")
    pages = published_pages(api, poll_id)
    listed = {i["commitment"]: i["option_ids"] for p in pages for i in p["items"]}
    assert results["merkle_root"] == root and results["total_ballots"] == VOTERS
    assert sorted(listed[receipt["commitment"]]) == moved  # the tampering is what the API now publishes

    # Then the offline recount finds that the list no longer rebuilds the published root (the
    # counts, changed alike, agree: only the leaves' options give the move away)
    (tmp_path / "result.json").write_text(json.dumps(results, ensure_ascii=False))
    (tmp_path / "ballots.json").write_text(json.dumps(pages))
    done = verify("recount", "--result", str(tmp_path / "result.json"), "--ballots", str(tmp_path / "ballots.json"))
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL: merkle_root" in done.stdout and "counts[" not in done.stdout

    # and the voter's proof fails against their receipt, loudly and saying why
    status, proof = get(api, f"/v1/polls/{poll_id}/proof?receipt={receipt['commitment']}")
    assert status == 200 and sorted(proof["option_ids"]) == moved and proof["merkle_root"] == root
    (tmp_path / "proof.json").write_text(json.dumps(proof))
    (tmp_path / "receipt.json").write_text(json.dumps(receipt))
    done = verify("proof", "--receipt", str(tmp_path / "receipt.json"), "--proof", str(tmp_path / "proof.json"),
                  "--root", root)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "FAIL:" in done.stdout and "the receipt says" in done.stdout and "altered" in done.stdout
    # also when the proof is stripped of its options: the receipt's leaf is checked against the list's
    # root, and the list's own entry for the commitment is compared with the receipt
    (tmp_path / "bare.json").write_text(json.dumps({k: v for k, v in proof.items() if k != "option_ids"}))
    done = verify("proof", "--receipt", str(tmp_path / "receipt.json"), "--proof", str(tmp_path / "bare.json"),
                  "--root", root, "--ballots", str(tmp_path / "ballots.json"))
    assert done.returncode == 1 and "published ballot list gives the commitment" in done.stdout, done.stdout
    assert check_proof(receipt["commitment"], receipt["option_ids"], proof, root) is not None

    # and the staff integrity check reports both the counts (against the ledger) and the list
    status, report = get(api, f"/v1/admin/polls/{poll_id}/integrity", "approver")
    assert status == 200 and report["ok"] is False, report
    assert report["result"]["matches"] is False
    assert any(d.startswith("counts[q1-o1]") for d in report["result"]["differences"])
    assert report["published_list"]["matches"] is False
    assert any(d.startswith("merkle_root") for d in report["published_list"]["differences"])


def test_an_open_poll_cannot_be_edited_and_a_change_in_storage_is_caught(api, open_poll_factory, tmp_path,
                                                                          monkeypatch):
    poll_id = open_poll_factory()
    repo = PollRepository()
    poll = repo.get(poll_id)
    changed = poll.with_content({**poll.content(), "title": "Другой вопрос"})

    # The repository refuses an edit of an open poll
    with pytest.raises(Conflict):
        repo.save_content(changed, poll.version)

    # and the refusal is the database's: even an editor who read the poll while it was a draft (the
    # scheduler opened it in between) is stopped by the conditional write on the state
    read = PollRepository._record

    def stale_draft(self, poll_id, consistent=True):
        record = read(self, poll_id, consistent)
        record.state = "draft"
        return record

    monkeypatch.setattr(PollRepository, "_record", stale_draft)
    with pytest.raises(Conflict):
        repo.save_content(changed, poll.version)
    monkeypatch.setattr(PollRepository, "_record", read)
    assert repo.get(poll_id).title == poll.title and repo.get(poll_id).state == "open"

    status, report = get(api, f"/v1/admin/polls/{poll_id}/integrity", "approver")
    assert status == 200 and report["fingerprint"]["matches"] is True

    # Someone with table access rewrites the question text directly in DynamoDB
    content = poll.content()
    content["questions"][0]["options"][0]["text"] = "Снос сквера"
    dynamodb_client().update_item(TableName=get_settings().polls_table, Key={"poll_id": {"S": poll_id}},
                                  UpdateExpression="SET content = :c",
                                  ExpressionAttributeValues={":c": {"S": json.dumps(content, ensure_ascii=False)}})

    # Then the integrity check and the offline verifier both catch it
    status, report = get(api, f"/v1/admin/polls/{poll_id}/integrity", "approver")
    assert status == 200 and report["ok"] is False
    assert report["fingerprint"]["matches"] is False
    assert report["fingerprint"]["stored"] == poll.fingerprint != report["fingerprint"]["computed"]

    status, view = get(api, f"/v1/polls/{poll_id}")
    assert status == 200 and view["fingerprint"] == poll.fingerprint
    (tmp_path / "poll.json").write_text(json.dumps(view, ensure_ascii=False))
    done = verify("fingerprint", "--content", str(tmp_path / "poll.json"))
    assert done.returncode == 1 and "changed after it opened" in done.stdout


def test_audit_log_tampering_in_an_export_is_found_and_located(api, open_poll, tmp_path):
    status, export = get(api, "/v1/admin/audit/export", "analyst")
    assert status == 200 and len(export["entries"]) >= 4
    assert get(api, "/v1/admin/audit/export", "moderator-satka")[0] == 403
    path = tmp_path / "audit.json"

    def check(entries) -> subprocess.CompletedProcess:
        path.write_text(json.dumps({**export, "entries": entries}, ensure_ascii=False))
        return verify("audit", "--export", str(path))

    entries = export["entries"]
    done = check(entries)
    assert done.returncode == 0 and "intact" in done.stdout, done.stdout

    modified = [dict(e) for e in entries]
    modified[1]["actor"] = "someone-else"
    done = check(modified)
    assert done.returncode == 1 and f"seq {entries[1]['seq']}: content does not match" in done.stdout

    inserted = [*entries[:2], {**entries[1], "comment": "вставка"}, *entries[2:]]
    done = check(inserted)
    assert done.returncode == 1 and "inserted" in done.stdout

    deleted = entries[:1] + entries[2:]
    done = check(deleted)
    assert done.returncode == 1 and f"seq {entries[2]['seq']}: expected seq {entries[1]['seq']}" in done.stdout

    # Deleting the newest entries leaves a valid prefix: caught against a head anchored earlier
    head = export["head"]
    path.write_text(json.dumps({**export, "entries": entries[:-1]}))
    done = verify("audit", "--export", str(path), "--head-seq", str(head["seq"]), "--head-hash", head["hash"])
    assert done.returncode == 1 and "deleted" in done.stdout


def test_an_audit_entry_changed_in_dynamodb_is_found_in_the_export(api, open_poll, tmp_path):
    _, export = get(api, "/v1/admin/audit/export", "admin")
    target = export["entries"][-2]
    dynamodb_client().update_item(TableName=get_settings().audit_table,
                                  Key={"log": {"S": export["log"]}, "seq": {"N": str(target["seq"])}},
                                  UpdateExpression="SET actor = :a", ExpressionAttributeValues={":a": {"S": "nobody"}})
    try:
        _, tampered = get(api, "/v1/admin/audit/export", "admin")
    finally:  # the log is shared by the session's other tests
        dynamodb_client().update_item(
            TableName=get_settings().audit_table, Key={"log": {"S": export["log"]}, "seq": {"N": str(target["seq"])}},
            UpdateExpression="SET actor = :a", ExpressionAttributeValues={":a": {"S": target["actor"]}})
    (tmp_path / "audit.json").write_text(json.dumps(tampered, ensure_ascii=False))

    done = verify("audit", "--export", str(tmp_path / "audit.json"))

    assert done.returncode == 1 and f"seq {target['seq']}: content does not match" in done.stdout


def test_a_final_result_publishes_the_audit_head_which_anyone_can_check_the_export_against(api, final_poll, tmp_path):
    # Given a finalised poll: its published result carries the audit chain's head at that moment
    poll_id, _ = final_poll
    status, results = get(api, f"/v1/polls/{poll_id}/results")
    assert status == 200 and results["audit_head"]["seq"] >= 1
    head = results["audit_head"]

    # And the public head (no sign-in) has moved on past it, with a timestamp
    response = api.http.get("/v1/audit/head")
    now = json.loads(response.body)
    assert response.status_code == 200 and now["seq"] > head["seq"] and now["published_at"]

    # Then the export holds that head, checked from the results JSON as published
    _, export = get(api, "/v1/admin/audit/export", "analyst")
    (tmp_path / "audit.json").write_text(json.dumps(export, ensure_ascii=False))
    (tmp_path / "results.json").write_text(json.dumps(results, ensure_ascii=False))
    done = verify("audit", "--export", str(tmp_path / "audit.json"), "--head", str(tmp_path / "results.json"))
    assert done.returncode == 0 and f"holds the published head seq {head['seq']}" in done.stdout, done.stdout

    # And an export whose entries up to that head were re-chained after an erasure fails against it
    from aj74.audit.chain import GENESIS, entry_hash

    kept = [e for e in export["entries"] if e["seq"] != head["seq"] - 1]
    prev = GENESIS
    for seq, entry in enumerate(kept, start=1):
        entry.update(seq=seq, prev_hash=prev)
        entry["hash"] = prev = entry_hash(entry)
    (tmp_path / "audit.json").write_text(json.dumps({**export, "entries": kept}, ensure_ascii=False))
    done = verify("audit", "--export", str(tmp_path / "audit.json"), "--head", str(tmp_path / "results.json"))
    assert done.returncode == 1 and f"seq {head['seq']}: the log's hash" in done.stdout, done.stdout
