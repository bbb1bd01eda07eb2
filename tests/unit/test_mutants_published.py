"""The published ballot list, pinned where mutation testing found it loose (`make mutants`,
docs/testing.md): the recount's differences, the canonical-order check, the list as published,
where a receipt's ballot is looked for, every answer of a receipt's check (the message a resident
reads), the leaf and the totals against RFC 6962 computed here, the stored chunks byte for byte, and
the proof of a ballot past the first chunk or sharing its commitment."""

from __future__ import annotations

import hashlib

import pytest
from aj74.integrity import merkle
from aj74.integrity.published import (
    CHUNK_SIZE,
    ChunkIndex,
    PublishedBallot,
    bitmap_width,
    canonical,
    check_proof,
    chunked,
    count,
    decode_chunk,
    differences,
    encode_chunk,
    is_canonical,
    is_commitment,
    leaf_bytes,
    leaf_hash,
    options_text,
    proof,
    tally,
)


def commitment(n: int) -> str:
    return f"{n:064x}"


def ballots(*spec: tuple[int, tuple[str, ...]]) -> list[PublishedBallot]:
    return canonical(PublishedBallot(commitment(n), options) for n, options in spec)


# ------------------------------------------------------------------ the recount
def test_a_recount_that_agrees_has_no_differences():
    listed = ballots((1, ("q1-o1",)), (2, ("q1-o2",)))

    assert differences(tally(listed), tally(listed)) == []


def test_a_different_tree_size_is_a_difference():
    published = {**tally(ballots((1, ("q1-o1",)))), "tree_size": 2}

    assert differences(published, tally(ballots((1, ("q1-o1",))))) == [
        "tree_size: published 2, recounted 1"]


def test_a_different_total_and_root_are_differences_each_with_both_values():
    recounted = tally(ballots((1, ("q1-o1",)), (2, ("q1-o1",))))
    published = {**recounted, "total_ballots": 3, "merkle_root": commitment(5)}

    assert differences(published, recounted) == [
        "total_ballots: published 3, recounted 2",
        f"merkle_root: published '{commitment(5)}', recounted '{recounted['merkle_root']}'"]


def test_an_option_only_the_recount_has_is_a_difference():
    # Given: a published result that dropped an option the ballots chose
    recounted = tally(ballots((1, ("q1-o1",)), (2, ("q1-o2",))))
    published = {**recounted, "counts": {"q1-o1": 1}}

    assert differences(published, recounted) == ["counts[q1-o2]: published 0, recounted 1"]


def test_an_option_only_the_published_result_has_is_a_difference():
    recounted = tally(ballots((1, ("q1-o1",))))
    published = {**recounted, "counts": {"q1-o1": 1, "q1-o3": 2}}

    assert differences(published, recounted) == ["counts[q1-o3]: published 2, recounted 0"]


def test_an_option_published_with_zero_votes_and_absent_from_the_recount_agrees():
    recounted = tally(ballots((1, ("q1-o1",))))
    published = {**recounted, "counts": {"q1-o1": 1, "q1-o2": 0}}

    assert differences(published, recounted) == []


# ------------------------------------------------------------------ the list itself
def test_a_ballot_is_published_as_its_commitment_and_options_only():
    ballot = PublishedBallot(commitment(7), ("q1-o2", "q2-o1"))

    assert ballot.as_dict() == {"commitment": commitment(7), "option_ids": ["q1-o2", "q2-o1"]}


def test_the_canonical_order_is_commitment_then_options_ascending():
    ordered = ballots((1, ("q1-o2",)), (1, ("q1-o1",)), (3, ("q1-o1",)), (2, ("q1-o1",)))

    assert is_canonical(ordered)
    assert is_canonical([])
    assert is_canonical(ordered[:1])
    assert [(b.commitment, b.option_ids) for b in ordered] == [
        (commitment(1), ("q1-o1",)), (commitment(1), ("q1-o2",)), (commitment(2), ("q1-o1",)),
        (commitment(3), ("q1-o1",))]


def test_a_list_out_of_order_is_not_canonical():
    ordered = ballots((1, ("q1-o1",)), (2, ("q1-o1",)), (3, ("q1-o1",)))

    assert not is_canonical([ordered[1], ordered[0], ordered[2]])
    assert not is_canonical([ordered[0], ordered[2], ordered[1]])
    same = ballots((1, ("q1-o1",)), (1, ("q1-o2",)))
    assert not is_canonical([same[1], same[0]])


def test_equal_ballots_side_by_side_are_canonical():
    twice = ballots((1, ("q1-o1",)), (1, ("q1-o1",)))

    assert is_canonical(twice)


# ------------------------------------------------------------------ where a receipt is looked for
def test_a_receipt_is_looked_for_in_its_chunk_and_the_one_before():
    # Given: three chunks, the first commitments 0, CHUNK_SIZE and 2 × CHUNK_SIZE
    listed = ballots(*((n, ("q1-o1",)) for n in range(3 * CHUNK_SIZE)))
    index = ChunkIndex.of(chunked(listed, ["q1-o1"]))

    # Then
    assert index.candidate_chunks(bytes.fromhex(commitment(5))) == [0]
    assert index.candidate_chunks(bytes.fromhex(commitment(CHUNK_SIZE))) == [1, 0]
    assert index.candidate_chunks(bytes.fromhex(commitment(CHUNK_SIZE + 3))) == [1, 0]
    assert index.candidate_chunks(bytes.fromhex(commitment(2 * CHUNK_SIZE + 1))) == [2, 1]
    assert index.candidate_chunks(bytes.fromhex(commitment(10 ** 9))) == [2, 1]


def test_a_receipt_below_every_chunk_is_looked_for_nowhere():
    listed = ballots(*((n, ("q1-o1",)) for n in range(5, 5 + CHUNK_SIZE + 1)))
    index = ChunkIndex.of(chunked(listed, ["q1-o1"]))

    assert index.candidate_chunks(bytes.fromhex(commitment(4))) == []
    assert index.candidate_chunks(bytes.fromhex(commitment(5))) == [0]


# ------------------------------------------------------------------ what a receipt's check answers
def rfc6962_root(*leaves: bytes) -> str:
    """The root of a tree of one or two leaves, computed here by RFC 6962 (no code under test)."""
    hashed = [hashlib.sha256(b"\x00" + leaf).digest() for leaf in leaves]
    if len(hashed) == 1:
        return hashed[0].hex()
    return hashlib.sha256(b"\x01" + hashed[0] + hashed[1]).hexdigest()


@pytest.fixture
def receipt_and_proof():
    """Two published ballots, the first one's receipt, its proof from the stored chunk, the root."""
    listed = ballots((1, ("q1-o1", "q2-o1")), (2, ("q1-o2", "q2-o1")))
    chunks = chunked(listed, ["q1-o1", "q1-o2", "q2-o1"])
    found = proof(ChunkIndex.of(chunks), 0, chunks[0], bytes.fromhex(commitment(1)))
    return commitment(1), ["q1-o1", "q2-o1"], found, tally(listed)["merkle_root"]


def test_a_receipt_that_is_in_the_list_verifies(receipt_and_proof):
    mine, options, found, root = receipt_and_proof

    assert check_proof(mine, options, found, root) is None


@pytest.mark.parametrize("receipt", ["ab", "A" * 64, "g" * 64, commitment(1)[:-1], commitment(1) + "0", 64])
def test_a_receipt_commitment_other_than_64_lowercase_hex_digits_is_refused(receipt_and_proof, receipt):
    _, options, found, root = receipt_and_proof

    assert not is_commitment(receipt)
    assert check_proof(receipt, options, found, root) == "the receipt commitment is not 64 lowercase hex digits"


def test_a_commitment_may_use_every_hex_digit():
    assert is_commitment("0123456789abcdef" * 4)


@pytest.mark.parametrize("options", [[], ["q1-o1,q2-o1"], "q1-o1", [""]])
def test_a_receipt_without_usable_option_ids_is_refused(receipt_and_proof, options):
    mine, _, found, root = receipt_and_proof

    assert check_proof(mine, options, found, root) == (
        "the receipt's option ids are missing or malformed (a non-empty list of ids without commas)")


@pytest.mark.parametrize("root", ["", "A" * 64, "xyz"])
def test_an_expected_root_other_than_64_lowercase_hex_digits_is_refused(receipt_and_proof, root):
    mine, options, found, _ = receipt_and_proof

    assert check_proof(mine, options, found, root) == "the expected Merkle root is not 64 lowercase hex digits"


@pytest.mark.parametrize("missing", ["leaf_index", "tree_size", "audit_path"])
def test_a_proof_without_its_position_or_path_is_malformed(receipt_and_proof, missing):
    mine, options, found, root = receipt_and_proof
    broken = {k: v for k, v in found.items() if k != missing}

    assert check_proof(mine, options, broken, root) == (
        "the proof is malformed (leaf_index, tree_size, audit_path of hex strings are required)")
    assert check_proof(mine, options, {**found, "audit_path": ["zz"]}, root) == (
        "the proof is malformed (leaf_index, tree_size, audit_path of hex strings are required)")


def test_a_proof_for_another_commitment_names_both(receipt_and_proof):
    mine, options, found, root = receipt_and_proof

    reason = check_proof(mine, options, {**found, "leaf": commitment(2)}, root)

    assert reason == f"the proof is for another commitment ('{commitment(2)}') than the receipt's ({mine})"


def test_a_proof_with_malformed_option_ids_is_refused(receipt_and_proof):
    mine, options, found, root = receipt_and_proof

    assert check_proof(mine, options, {**found, "option_ids": ["q1-o1,q2-o1"]}, root) == (
        "the proof's option_ids are malformed")
    assert check_proof(mine, options, {**found, "option_ids": "q1-o1"}, root) == (
        "the proof's option_ids are malformed")


def test_a_ballot_listed_with_other_options_is_reported_altered_with_both_sets(receipt_and_proof):
    mine, options, found, root = receipt_and_proof

    moved = check_proof(mine, options, {**found, "option_ids": ["q2-o1", "q1-o2"]}, root)
    emptied = check_proof(mine, options, {**found, "option_ids": []}, root)

    assert moved == ("the published list gives this ballot the options q1-o2,q2-o1, but the receipt says "
                     "q1-o1,q2-o1: the ballot was altered after it was cast")
    assert emptied == ("the published list gives this ballot the options (none), but the receipt says "
                       "q1-o1,q2-o1: the ballot was altered after it was cast")


def test_a_proof_naming_another_root_is_refused(receipt_and_proof):
    mine, options, found, root = receipt_and_proof

    reason = check_proof(mine, options, {**found, "merkle_root": commitment(9)}, root)

    assert reason == "the proof names another Merkle root than the published one"


def test_a_path_that_does_not_lead_to_the_root_says_from_where(receipt_and_proof):
    mine, _, found, root = receipt_and_proof
    without_options = {k: v for k, v in found.items() if k != "option_ids"}

    reason = check_proof(mine, ["q2-o1", "q1-o2"], without_options, root)

    assert reason == ("the audit path does not lead from leaf 0 of 2 (the receipt's commitment and options "
                      "q1-o2,q2-o1) to the published root")


# ------------------------------------------------------------------ the leaf and the totals
def test_a_leaf_is_the_commitment_bytes_then_the_options_sorted_as_text():
    raw = bytes.fromhex(commitment(3))

    assert leaf_bytes(commitment(3), ["q2-o1", "q10-o1", "q1-o2"]) == raw + b"q1-o2,q10-o1,q2-o1"
    assert leaf_bytes(raw, ("q1-o1",)) == raw + b"q1-o1"
    assert options_text(["q2-o1", "q10-o1", "q1-o2"]) == "q1-o2,q10-o1,q2-o1"


def test_a_leaf_hash_is_sha256_of_a_zero_byte_and_the_leaf():
    raw = bytes.fromhex(commitment(3))

    assert leaf_hash(commitment(3), ["q2-o1", "q1-o2"]) == hashlib.sha256(b"\x00" + raw + b"q1-o2,q2-o1").digest()


@pytest.mark.parametrize("short", [commitment(3)[2:], bytes(31), bytes(33)])
def test_a_leaf_needs_a_32_byte_commitment(short):
    with pytest.raises(ValueError, match="^a commitment is 32 bytes$"):
        leaf_bytes(short, ["q1-o1"])


def test_the_totals_count_each_ballot_once_and_the_root_is_rfc6962_over_the_leaves():
    # Given: two ballots, one with two options
    listed = ballots((1, ("q1-o2", "q2-o1")), (2, ("q1-o1",)))

    # When
    result = tally(listed)

    # Then
    assert result == {
        "total_ballots": 2, "counts": {"q1-o1": 1, "q1-o2": 1, "q2-o1": 1},
        "merkle_root": rfc6962_root(bytes.fromhex(commitment(1)) + b"q1-o2,q2-o1",
                                    bytes.fromhex(commitment(2)) + b"q1-o1"),
        "tree_size": 2}
    assert list(result["counts"]) == ["q1-o1", "q1-o2", "q2-o1"]
    assert count([("q1-o1",), ("q1-o1", "q2-o1"), ()]) == (3, {"q1-o1": 2, "q2-o1": 1})


def test_the_totals_of_an_empty_list_are_zero_under_the_empty_tree_root():
    assert tally([]) == {"total_ballots": 0, "counts": {}, "merkle_root": hashlib.sha256(b"").hexdigest(),
                         "tree_size": 0}


def test_ballots_sharing_a_commitment_are_ordered_by_their_options_as_the_leaf_holds_them():
    # Given: options in poll order (q2 before q10); as leaf text "q10-o1,q2-o1" sorts before "q2-o1"
    two = PublishedBallot(commitment(1), ("q2-o1", "q10-o1"))
    one = PublishedBallot(commitment(1), ("q2-o1",))

    assert canonical([one, two]) == [two, one]
    assert is_canonical([two, one])
    assert not is_canonical([one, two])


# ------------------------------------------------------------------ the stored chunks
NINE = ["q1-o1", "q1-o2", "q2-o1", "q2-o2", "q3-o1", "q3-o2", "q4-o1", "q4-o2", "q5-o1"]


def test_bitmap_width_is_one_byte_per_eight_options():
    assert [bitmap_width(["o"] * n) for n in (0, 1, 2, 8, 9, 16, 17)] == [0, 1, 1, 1, 2, 2, 3]


def test_a_chunk_stores_commitments_and_little_endian_bitmaps_in_poll_order():
    # Given: nine options (two bytes of bitmap); the second ballot chooses options 2 and 9
    listed = ballots((1, ("q1-o1",)), (2, ("q1-o2", "q5-o1")), (3, ()))

    # When
    chunk = encode_chunk(listed, NINE)

    # Then
    assert chunk.commitments == b"".join(bytes.fromhex(commitment(n)) for n in (1, 2, 3))
    assert chunk.choices == b"\x01\x00" + b"\x02\x01" + b"\x00\x00"
    assert chunk.option_ids == tuple(NINE)
    assert len(chunk) == 3
    assert chunk.commitment(1) == bytes.fromhex(commitment(2))
    assert chunk.options(1) == ("q1-o2", "q5-o1")
    assert chunk.leaves() == [leaf_bytes(b.commitment, b.option_ids) for b in listed]
    assert decode_chunk(chunk) == listed


def test_a_chunk_is_read_with_the_option_ids_of_its_index_item():
    chunk = encode_chunk(ballots((1, ("q1-o2",)),), ["q1-o1", "q1-o2"])

    assert decode_chunk(chunk, ["a-o1", "a-o2"]) == [PublishedBallot(commitment(1), ("a-o2",))]
    assert decode_chunk(chunk, ["q1-o1", "q1-o2"]) == [PublishedBallot(commitment(1), ("q1-o2",))]


def test_an_empty_chunk_has_the_empty_tree_root():
    chunk = encode_chunk([], NINE)

    assert len(chunk) == 0
    assert chunk.subtree_root() == hashlib.sha256(b"").digest()


def test_a_chunk_of_two_has_the_rfc6962_root_of_its_two_leaves():
    listed = ballots((1, ("q1-o1",)), (2, ("q1-o2", "q5-o1")))

    chunk = encode_chunk(listed, NINE)

    assert chunk.subtree_root().hex() == rfc6962_root(*chunk.leaves())


def test_the_list_is_cut_into_chunks_of_chunk_size_and_indexed_by_their_first_commitments():
    # Given: two chunks and one ballot more
    listed = ballots(*((n, ("q1-o1",) if n % 2 else ("q1-o2",)) for n in range(2 * CHUNK_SIZE + 1)))

    # When
    chunks = chunked(listed, ["q1-o1", "q1-o2"])
    index = ChunkIndex.of(chunks)

    # Then
    assert [len(c) for c in chunks] == [CHUNK_SIZE, CHUNK_SIZE, 1]
    assert [b for c in chunks for b in decode_chunk(c)] == listed
    assert index.tree_size == 2 * CHUNK_SIZE + 1
    assert index.firsts == b"".join(bytes.fromhex(commitment(n)) for n in (0, CHUNK_SIZE, 2 * CHUNK_SIZE))
    assert index.chunk_roots() == [c.subtree_root() for c in chunks]
    assert index.roots == b"".join(c.subtree_root() for c in chunks)
    assert index.merkle_root().hex() == tally(listed)["merkle_root"]


# ------------------------------------------------------------------ a receipt's proof
def test_the_proof_of_a_ballot_in_the_second_chunk():
    listed = ballots(*((n, ("q1-o1",)) for n in range(CHUNK_SIZE + 2)))
    chunks = chunked(listed, ["q1-o1", "q1-o2"])
    index = ChunkIndex.of(chunks)

    found = proof(index, 1, chunks[1], bytes.fromhex(commitment(CHUNK_SIZE + 1)))

    leaves = [leaf_bytes(b.commitment, b.option_ids) for b in listed]
    assert found == {"leaf_index": CHUNK_SIZE + 1, "tree_size": CHUNK_SIZE + 2,
                     "audit_path": [p.hex() for p in merkle.audit_path(leaves, CHUNK_SIZE + 1)],
                     "merkle_root": merkle.root(leaves).hex(), "leaf": commitment(CHUNK_SIZE + 1),
                     "option_ids": ["q1-o1"]}
    assert check_proof(commitment(CHUNK_SIZE + 1), ["q1-o1"], found, tally(listed)["merkle_root"]) is None


def test_the_proof_of_a_shared_commitment_is_of_the_ballot_with_the_receipts_options():
    # Given: a misbehaving client cast two ballots under one commitment
    listed = ballots((1, ("q1-o1",)), (1, ("q1-o2",)), (2, ("q1-o1",)))
    chunks = chunked(listed, ["q1-o1", "q1-o2"])
    index = ChunkIndex.of(chunks)
    shared = bytes.fromhex(commitment(1))

    # Then: each receipt gets its own ballot's proof; without options, the first
    assert proof(index, 0, chunks[0], shared, ["q1-o2"])["leaf_index"] == 1
    assert proof(index, 0, chunks[0], shared, ["q1-o2"])["option_ids"] == ["q1-o2"]
    assert proof(index, 0, chunks[0], shared, ["q1-o1"])["leaf_index"] == 0
    assert proof(index, 0, chunks[0], shared)["leaf_index"] == 0
    assert proof(index, 0, chunks[0], shared, ["q1-o1", "q1-o2"]) is None


def test_no_proof_for_a_commitment_the_chunk_does_not_hold():
    listed = ballots((1, ("q1-o1",)), (3, ("q1-o1",)))
    chunks = chunked(listed, ["q1-o1"])

    assert proof(ChunkIndex.of(chunks), 0, chunks[0], bytes.fromhex(commitment(2))) is None
