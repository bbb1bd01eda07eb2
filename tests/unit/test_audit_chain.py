"""The moderation audit log is a hash chain: an intact log verifies, and any modified, inserted,
deleted or reordered entry is reported at the seq where the chain breaks."""

from __future__ import annotations

import copy

from aj74.audit.chain import GENESIS, HASHED_FIELDS, entry_hash, verify_chain


def chained(entries: list[dict]) -> list[dict]:
    """Entries linked the way AuditLog.append links them: seq from 1, prev_hash, hash."""
    out, prev = [], GENESIS
    for seq, e in enumerate(entries, start=1):
        entry = {**e, "seq": seq, "prev_hash": prev}
        entry["hash"] = entry_hash(entry)
        out.append(entry)
        prev = entry["hash"]
    return out


def action(i: int, action_name: str = "submit", comment: str | None = None) -> dict:
    return {"at": f"2026-05-20T12:{i:02d}:00Z", "actor": "staff-mod-satka", "actor_role": "moderator",
            "action": action_name, "target_type": "poll", "target_id": f"01JXK5T{i:019d}",
            "before": {"state": "draft"}, "after": {"state": "in_review"}, "comment": comment}


def log(n: int = 5) -> list[dict]:
    return chained([action(i) for i in range(1, n + 1)])


def rehash(entry: dict) -> dict:
    entry["hash"] = entry_hash(entry)
    return entry


def test_an_intact_chain_verifies():
    assert verify_chain(log()) == []


def test_an_empty_log_verifies():
    assert verify_chain([]) == []


def test_every_hashed_field_is_covered():
    # Given an entry
    entry = log(1)[0]

    # Then changing any hashed field changes its hash
    for field in HASHED_FIELDS:
        changed = {**entry, field: "tampered"}
        assert entry_hash(changed) != entry_hash(entry), field


def test_a_modified_entry_is_named_by_its_seq():
    # Given a log in which someone rewrote the comment of entry 3
    entries = log()
    entries[2]["comment"] = "Согласовано заранее"

    # When
    problems = verify_chain(entries)

    # Then
    assert problems == ["seq 3: content does not match its hash (the entry was modified)"]


def test_a_modified_entry_with_a_recomputed_hash_breaks_the_next_link():
    # Given entry 3 changed and re-hashed so that it verifies on its own
    entries = log()
    entries[2]["actor"] = "staff-approver"
    rehash(entries[2])

    # When
    problems = verify_chain(entries)

    # Then the break shows at entry 4
    assert problems == ["seq 4: prev_hash does not match the hash of the entry before it"]


def test_a_nested_change_is_detected():
    entries = log()
    entries[1]["after"]["state"] = "approved"

    assert verify_chain(entries) == ["seq 2: content does not match its hash (the entry was modified)"]


def test_a_deleted_entry_is_detected_where_the_gap_is():
    # Given entry 3 removed
    entries = log()
    del entries[2]

    # When
    problems = verify_chain(entries)

    # Then
    assert "seq 4: expected seq 3 (an entry was deleted or inserted)" in problems
    assert "seq 4: prev_hash does not match the hash of the entry before it" in problems
    assert all(p.startswith("seq 4:") for p in problems)


def test_a_deleted_first_entry_is_detected():
    entries = log()[1:]

    problems = verify_chain(entries)

    assert "seq 2: expected seq 1 (an entry was deleted or inserted)" in problems


def test_an_inserted_entry_is_detected():
    # Given a forged entry slipped in after entry 2, correctly linked to it
    entries = log()
    forged = {**action(99, "approve"), "seq": 3, "prev_hash": entries[1]["hash"]}
    rehash(forged)
    entries.insert(2, forged)

    # When
    problems = verify_chain(entries)

    # Then the forged entry looks fine, but the genuine entry 3 after it does not
    assert problems
    assert "seq 3: expected seq 4 (an entry was deleted or inserted)" in problems
    assert "seq 3: prev_hash does not match the hash of the entry before it" in problems


def test_an_inserted_entry_with_its_own_seq_is_detected():
    entries = log()
    entries.insert(2, rehash({**action(99), "seq": 99, "prev_hash": entries[1]["hash"]}))

    problems = verify_chain(entries)

    assert "seq 99: expected seq 3 (an entry was deleted or inserted)" in problems


def test_reordered_entries_are_detected():
    # Given entries 2 and 3 swapped
    entries = log()
    entries[1], entries[2] = entries[2], entries[1]

    # When
    problems = verify_chain(entries)

    # Then both moved entries are named
    assert "seq 3: expected seq 2 (an entry was deleted or inserted)" in problems
    assert "seq 2: expected seq 4 (an entry was deleted or inserted)" in problems
    assert any(p.startswith("seq 3: prev_hash") for p in problems)
    assert any(p.startswith("seq 2: prev_hash") for p in problems)


def test_verifying_does_not_change_the_entries():
    entries = log()
    before = copy.deepcopy(entries)

    verify_chain(entries)

    assert entries == before


def test_the_hash_ignores_fields_outside_the_chain():
    # Storage adds bookkeeping (the partition name); it must not change what was chained
    entry = log(1)[0]

    assert entry_hash({**entry, "log": "moderation"}) == entry["hash"]
