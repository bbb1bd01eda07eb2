"""Merkle roots and inclusion proofs of the published ballot ledger, and poll fingerprints.

The production code builds the tree bottom-up; here it is checked against the definition itself,
RFC 6962 §2.1 written out recursively (MTH with the split k = largest power of two < n; PATH(m, D)).
"""

from __future__ import annotations

import copy
import hashlib
from datetime import UTC, datetime, timedelta

import pytest
from aj74.identity.principal import principal_from_claims
from aj74.integrity.fingerprint import canonical_content, fingerprint
from aj74.integrity.merkle import audit_path, leaf_hash, node_hash, root, verify_inclusion
from aj74.integrity.published import leaf_bytes
from aj74.polls.model import new_poll

from infra.local.dev_identity.provider import PERSONAS

EMPTY_ROOT = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
SIZES = range(1, 71)


# ------------------------------------------------------------------ RFC 6962 §2.1, verbatim
def _largest_power_of_two_below(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def rfc_mth(leaves: list[bytes]) -> bytes:
    n = len(leaves)
    if n == 0:
        return hashlib.sha256(b"").digest()
    if n == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = _largest_power_of_two_below(n)
    return hashlib.sha256(b"\x01" + rfc_mth(leaves[:k]) + rfc_mth(leaves[k:])).digest()


def rfc_path(m: int, leaves: list[bytes]) -> list[bytes]:
    n = len(leaves)
    if n == 1:
        return []
    k = _largest_power_of_two_below(n)
    if m < k:
        return rfc_path(m, leaves[:k]) + [rfc_mth(leaves[k:])]
    return rfc_path(m - k, leaves[k:]) + [rfc_mth(leaves[:k])]


def ledger(n: int) -> list[bytes]:
    """Leaves as the published list defines them: per counted ballot, its commitment bytes followed by
    its option ids sorted and comma-joined (docs/decisions/007)."""
    return [leaf_bytes(hashlib.sha256(f"ballot-{i}".encode()).hexdigest(), [f"q1-o{1 + i % 3}", f"q2-o{1 + i % 2}"])
            for i in range(n)]


# ------------------------------------------------------------------ roots and paths
def test_the_empty_tree_root_is_sha256_of_nothing():
    assert root([]).hex() == EMPTY_ROOT


def test_a_single_leaf_root_is_its_leaf_hash():
    assert root([b"only"]) == leaf_hash(b"only") == hashlib.sha256(b"\x00only").digest()


def test_leaves_and_nodes_are_domain_separated():
    # A node over two hashes must not equal the leaf hash of their concatenation (second preimage)
    a, b = leaf_hash(b"a"), leaf_hash(b"b")

    assert node_hash(a, b) != leaf_hash(a + b)


@pytest.mark.parametrize("n", SIZES)
def test_the_root_matches_rfc_6962(n):
    leaves = ledger(n)

    assert root(leaves) == rfc_mth(leaves)


@pytest.mark.parametrize("n", SIZES)
def test_every_audit_path_matches_rfc_6962(n):
    leaves = ledger(n)

    for m in range(n):
        assert audit_path(leaves, m) == rfc_path(m, leaves), f"leaf {m} of {n}"


@pytest.mark.parametrize("index", [-1, 5, 6])
def test_an_audit_path_for_a_leaf_outside_the_tree_is_refused(index):
    with pytest.raises(IndexError):
        audit_path(ledger(5), index)


def test_the_root_depends_on_order_and_on_every_leaf():
    leaves = ledger(7)

    assert root(leaves[::-1]) != root(leaves)
    assert root(leaves[:-1]) != root(leaves)
    assert root([*leaves[:3], b"forged", *leaves[4:]]) != root(leaves)


def test_the_root_depends_on_each_ballots_options():
    # Same commitment, the vote moved to another option: another leaf, another root
    leaves = ledger(7)
    moved = leaves[3][:32] + b"q1-o3,q2-o2"
    assert moved != leaves[3]

    assert root([*leaves[:3], moved, *leaves[4:]]) != root(leaves)
    assert not verify_inclusion(moved, 3, 7, audit_path(leaves, 3), root(leaves))


# ------------------------------------------------------------------ inclusion
@pytest.mark.parametrize("n", SIZES)
def test_every_leaf_verifies_against_the_root(n):
    # Given a published root
    leaves = ledger(n)
    published = root(leaves)

    # Then each voter can check their ballot with their path alone
    for m in range(n):
        assert verify_inclusion(leaves[m], m, n, audit_path(leaves, m), published), f"leaf {m} of {n}"


@pytest.mark.parametrize("n", SIZES)
def test_a_changed_leaf_does_not_verify(n):
    leaves = ledger(n)
    published = root(leaves)

    for m in range(n):
        assert not verify_inclusion(leaves[m] + b"x", m, n, audit_path(leaves, m), published)


@pytest.mark.parametrize("n", range(2, 71))
def test_a_wrong_index_does_not_verify(n):
    leaves = ledger(n)
    published = root(leaves)

    for m in range(n):
        path = audit_path(leaves, m)
        for wrong in {(m + 1) % n, (m - 1) % n, n - 1 - m} - {m}:
            assert not verify_inclusion(leaves[m], wrong, n, path, published), f"leaf {m} as {wrong} of {n}"


@pytest.mark.parametrize("n", SIZES)
def test_an_index_outside_the_tree_does_not_verify(n):
    leaves = ledger(n)
    published = root(leaves)
    path = audit_path(leaves, 0)

    assert not verify_inclusion(leaves[0], -1, n, path, published)
    assert not verify_inclusion(leaves[0], n, n, audit_path(leaves, n - 1), published)


@pytest.mark.parametrize("n", SIZES)
def test_a_wrong_tree_size_does_not_verify(n):
    # A proof does not by itself bind the size (leaf 0 has the same path in trees of 3 and 4 leaves),
    # so the sizes checked are those the path cannot fit: one where the leaf lies deeper, and zero.
    leaves = ledger(n)
    published = root(leaves)

    for m in range(n):
        path = audit_path(leaves, m)
        assert not verify_inclusion(leaves[m], m, 4 * n, path, published), f"leaf {m} of {n} as of {4 * n}"
        assert not verify_inclusion(leaves[m], m, 0, path, published)
        if n > 1:
            # the root of a one-leaf tree is its leaf hash: a non-empty path cannot lead there
            assert not verify_inclusion(leaves[m], 0, 1, path, published)


@pytest.mark.parametrize("n", SIZES)
def test_a_proof_does_not_verify_against_another_root(n):
    leaves = ledger(n)
    other = root([*leaves, b"one more ballot"])

    for m in range(n):
        assert not verify_inclusion(leaves[m], m, n, audit_path(leaves, m), other)


def test_a_truncated_or_padded_path_does_not_verify():
    leaves = ledger(13)
    published = root(leaves)
    path = audit_path(leaves, 6)

    assert not verify_inclusion(leaves[6], 6, 13, path[:-1], published)
    assert not verify_inclusion(leaves[6], 6, 13, [*path, path[-1]], published)


# ------------------------------------------------------------------ poll fingerprints
OPENS = datetime(2026, 6, 1, 4, 0, tzinfo=UTC)


def poll_content() -> dict:
    content = {
        "title": "Благоустройство набережной", "description": "Выбор жителей Сатки", "image_url": None,
        "territory_ids": ["gp-satka", "gp-bakal"], "opens_at": OPENS, "closes_at": OPENS + timedelta(days=7),
        "min_age": 14, "results_visibility": "after_close",
        "questions": [
            {"text": "Что первым?", "kind": "single", "min_choices": 1, "max_choices": 1,
             "options": [{"text": "Сквер"}, {"text": "Пляж"}]},
        ],
    }
    author = principal_from_claims(PERSONAS["moderator-satka"])
    return new_poll("01JXK5T8QD0000000000000000", content, author, OPENS).content()


def test_the_same_content_has_the_same_fingerprint():
    assert fingerprint(poll_content()) == fingerprint(poll_content())


def test_a_fingerprint_does_not_depend_on_key_order():
    # Given the same content with every object's keys reversed
    def reverse_keys(value):
        if isinstance(value, dict):
            return {k: reverse_keys(value[k]) for k in reversed(list(value))}
        if isinstance(value, list):
            return [reverse_keys(v) for v in value]
        return value

    content = poll_content()
    reordered = reverse_keys(content)

    # Then
    assert list(reordered) != list(content)
    assert fingerprint(reordered) == fingerprint(content)


@pytest.mark.parametrize("change", [
    lambda c: c.update(title=c["title"] + "!"),
    lambda c: c.update(description=""),
    lambda c: c.update(image_url="https://aj74.ru/a.png"),
    lambda c: c.update(territory_ids=["gp-bakal", "gp-satka"]),
    lambda c: c.update(closes_at="2026-06-08T04:00:01Z"),
    lambda c: c.update(min_age=18),
    lambda c: c.update(results_visibility="after_vote"),
    lambda c: c["questions"][0]["options"][1].update(text="Пляж "),
    lambda c: c["questions"][0].update(kind="multiple"),
    lambda c: c["questions"].append(copy.deepcopy(c["questions"][0])),
])
def test_any_change_to_the_content_changes_the_fingerprint(change):
    # Given
    content = poll_content()
    changed = copy.deepcopy(content)

    # When
    change(changed)

    # Then
    assert changed != content
    assert fingerprint(changed) != fingerprint(content)


def test_the_canonical_form_is_sorted_compact_utf8():
    canonical = canonical_content({"b": "Сатка", "a": [1, 2]})

    assert canonical == '{"a":[1,2],"b":"Сатка"}'.encode()
    assert fingerprint({"b": "Сатка", "a": [1, 2]}) == hashlib.sha256(canonical).hexdigest()
