"""A head of the audit chain published earlier (with a result, at GET /v1/audit/head, in the Object
Lock bucket) pins the history up to it: an entry edited, deleted or inserted before the head and
the rest re-chained, or the log cut short, is reported by ``python -m aj74.verify audit``; entries
appended after the head are not a problem."""

from __future__ import annotations

import json

import pytest
from aj74.audit.anchor import anchor_document, anchor_key
from aj74.audit.chain import GENESIS, head_of, verify_against_head, verify_chain
from aj74.verify import main

from tests.unit.test_audit_chain import action, chained


def history(n: int = 6) -> list[dict]:
    return chained([action(i) for i in range(1, n + 1)])


def rechained(entries: list[dict]) -> list[dict]:
    """What an insider with write access does after tampering: renumber and re-hash every entry."""
    return chained([{k: v for k, v in e.items() if k not in ("seq", "prev_hash", "hash")} for e in entries])


def verify(tmp_path, entries: list[dict], head: dict, capsys) -> tuple[int, str]:
    (tmp_path / "export.json").write_text(json.dumps({"entries": entries}, ensure_ascii=False))
    (tmp_path / "head.json").write_text(json.dumps(head))
    code = main(["audit", "--export", str(tmp_path / "export.json"), "--head", str(tmp_path / "head.json")])
    return code, capsys.readouterr().out


@pytest.fixture
def published():
    """Given a log of 6 entries whose head (seq 4) was published before anything below happened."""
    entries = history()
    return entries, head_of(entries[:4])


def test_the_log_that_was_published_verifies_with_later_entries_appended(published, tmp_path, capsys):
    entries, head = published

    code, out = verify(tmp_path, entries, head, capsys)

    assert code == 0 and "holds the published head seq 4" in out
    assert verify_against_head(entries[:4], head) == []


def test_an_edited_entry_before_the_head_is_detected_even_when_rehashed(published):
    entries, head = published
    edited = [dict(e) for e in entries]
    edited[1]["actor"] = "staff-someone-else"

    # Re-hashing only that entry breaks the chain; re-chaining everything after it keeps the chain
    # intact, and only the published head shows the rewrite.
    tampered = rechained(edited)
    assert verify_chain(tampered) == []

    problems = verify_against_head(tampered, head)

    assert len(problems) == 1 and "seq 4" in problems[0] and "rewritten" in problems[0]


def test_an_erased_middle_entry_with_the_rest_rechained_is_detected(published, tmp_path, capsys):
    # Given an insider erased entry 2 (an administrator's self-grant) and re-chained the rest
    entries, head = published
    tampered = rechained(entries[:1] + entries[2:])
    assert verify_chain(tampered) == [], "the re-chained log is self-consistent"

    # When it is verified against the head published before the erasure
    code, out = verify(tmp_path, tampered, head, capsys)

    # Then the hash at the head's seq is not the published one
    assert code == 1
    assert f"seq 4: the log's hash {tampered[3]['hash']} is not the published head's {head['hash']}" in out


def test_a_deletion_without_rechaining_is_named_by_the_chain_and_the_head(published):
    entries, head = published
    tampered = entries[:1] + entries[2:]

    assert any("expected seq 2" in p for p in verify_chain(tampered))
    assert verify_against_head(tampered, {"seq": 2, "hash": entries[1]["hash"]}) != []


def test_a_truncated_log_ends_before_the_head(published, tmp_path, capsys):
    entries, head = published

    code, out = verify(tmp_path, entries[:3], head, capsys)

    assert code == 1 and "the log ends at seq 3, before the published head seq 4" in out and "deleted" in out


def test_erasing_and_rechaining_up_to_the_same_length_is_still_detected(published):
    # Given an insider who erased entry 2 and appended a forged entry so the log is as long as before
    entries, head = published
    tampered = rechained([*entries[:1], *entries[2:], action(9, "approve")])
    assert len(tampered) == len(entries) and verify_chain(tampered) == []

    assert verify_against_head(tampered, head) != []


def test_an_entry_edited_at_the_head_itself_is_detected(published):
    entries, head = published
    tampered = [dict(e) for e in entries]
    tampered[3]["comment"] = "подмена"

    assert verify_against_head(tampered, head) == [
        "seq 4: content does not match its hash (the entry at the published head was modified)"]


def test_the_genesis_head_of_an_empty_log():
    assert head_of([]) == {"seq": 0, "hash": GENESIS}
    assert verify_against_head([], head_of([])) == []
    assert verify_against_head(history(), {"seq": 0, "hash": "f" * 64}) != []


def test_heads_are_read_from_every_place_they_are_published(published, tmp_path, capsys):
    entries, head = published
    at_head = {**head, "at": entries[3]["at"]}
    places = {
        "api": {"log": "moderation", **at_head, "published_at": "2026-05-20T12:30:00Z"},
        "result": {"poll_id": "p", "total_ballots": 3, "audit_head": at_head},
        "s3": json.loads(anchor_document(at_head, "2026-05-20T12:35:00Z")),
    }
    for place, body in places.items():
        code, out = verify(tmp_path, entries, body, capsys)
        assert code == 0, (place, out)
    assert anchor_key(head) == f"heads/000000000004/{head['hash']}.json"


def test_a_head_needs_both_seq_and_hash(published, tmp_path, capsys):
    entries, head = published
    (tmp_path / "export.json").write_text(json.dumps({"entries": entries}))

    code = main(["audit", "--export", str(tmp_path / "export.json"), "--head-seq", "4"])
    assert code == 1 and "both --head-seq and --head-hash" in capsys.readouterr().err

    code = main(["audit", "--export", str(tmp_path / "export.json"), "--head-seq", "4", "--head-hash", head["hash"]])
    assert code == 0
