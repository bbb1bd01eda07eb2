"""The published ballot list: each Merkle leaf is a ballot's commitment and its choices, so the root
commits to both; stored in chunks, the list yields the same RFC 6962 proofs as the whole tree;
proofs verify for every ballot of a 10,000-ballot poll and fail for a changed choice, options other
than the receipt's, a wrong position or another poll's root; a recount from the list equals the
totals and rebuilds the root."""

from __future__ import annotations

import hashlib
import random

import pytest
from aj74.ballots.receipts import commitment
from aj74.integrity import merkle
from aj74.integrity.published import (
    CHUNK_SIZE,
    ChunkIndex,
    PublishedBallot,
    bitmap_width,
    canonical,
    check_proof,
    chunked,
    decode_chunk,
    differences,
    leaf_bytes,
    leaf_hash,
    proof,
    tally,
)

OPTION_IDS = ["q1-o1", "q1-o2", "q1-o3", "q2-o1", "q2-o2", "q2-o3"]


def poll_ballots(poll_id: str, n: int, seed: int = 7) -> tuple[list[PublishedBallot], dict[str, tuple]]:
    """``n`` ballots with real commitments, canonical order; and each one's (ballot id, salt)."""
    rng = random.Random(seed)
    ballots, secrets = [], {}
    for i in range(n):
        options = (f"q1-o{rng.randint(1, 3)}", *sorted({f"q2-o{rng.randint(1, 3)}", f"q2-o{rng.randint(1, 3)}"}))
        ballot_id, salt = f"ballot-{i:06d}", rng.randbytes(16).hex()
        c = commitment(poll_id, ballot_id, options, salt)
        ballots.append(PublishedBallot(c, options))
        secrets[c] = (ballot_id, salt)
    return canonical(ballots), secrets


def proofs_of(ballots: list[PublishedBallot]):
    """(ballot, proof) for every ballot, through the stored-chunk code the API uses."""
    chunks = chunked(ballots, OPTION_IDS)
    index = ChunkIndex.of(chunks)
    for n, chunk in enumerate(chunks):
        for b in decode_chunk(chunk, OPTION_IDS):
            yield b, proof(index, n, chunk, bytes.fromhex(b.commitment))


@pytest.mark.parametrize("n", [1, 2, 5, CHUNK_SIZE - 1, CHUNK_SIZE, CHUNK_SIZE + 1, 2 * CHUNK_SIZE + 3, 5 * CHUNK_SIZE])
def test_chunked_proofs_equal_the_whole_tree_proofs(n):
    ballots, _ = poll_ballots("01JPOLLAAAAAAAAAAAAAAAAAAA", n, seed=n)
    leaves = [leaf_bytes(b.commitment, b.option_ids) for b in ballots]
    root = merkle.root(leaves)
    assert ChunkIndex.of(chunked(ballots, OPTION_IDS)).merkle_root() == root
    proofs = [p for _, p in proofs_of(ballots)]
    for i in sorted({0, n // 2, n - 1, min(CHUNK_SIZE, n - 1)}):
        got = proofs[i]
        assert got["leaf_index"] == i
        assert got["audit_path"] == [p.hex() for p in merkle.audit_path(leaves, i)]
        assert got["merkle_root"] == root.hex()


def test_the_chunks_round_trip_choices_and_order():
    ballots, _ = poll_ballots("01JPOLLAAAAAAAAAAAAAAAAAAA", 2500)
    decoded = [b for c in chunked(ballots, OPTION_IDS) for b in decode_chunk(c, OPTION_IDS)]
    assert decoded == ballots


def test_proofs_verify_for_every_ballot_of_a_10000_ballot_poll():
    # Given a final poll of 10,000 ballots and its published root
    ballots, secrets = poll_ballots("01JPOLLBBBBBBBBBBBBBBBBBBB", 10_000)
    root = tally(ballots)["merkle_root"]

    # When every voter asks for the proof of their receipt
    verified = 0
    for ballot, got in proofs_of(ballots):
        # Then it proves their commitment is in the published tree, at their position
        assert check_proof(ballot.commitment, ballot.option_ids, got, root) is None
        assert got["leaf"] == ballot.commitment and got["option_ids"] == list(ballot.option_ids)
        ballot_id, salt = secrets[ballot.commitment]
        assert commitment("01JPOLLBBBBBBBBBBBBBBBBBBB", ballot_id, ballot.option_ids, salt) == ballot.commitment
        verified += 1
    assert verified == 10_000 == len({b.commitment for b in ballots})


@pytest.fixture(scope="module")
def published():
    ballots, secrets = poll_ballots("01JPOLLCCCCCCCCCCCCCCCCCCC", 3000)
    proofs = dict((b.commitment, p) for b, p in proofs_of(ballots))
    return ballots, secrets, proofs, tally(ballots)["merkle_root"]


def test_a_proof_for_a_changed_choice_fails(published):
    ballots, secrets, proofs, root = published
    ballot = ballots[1234]
    ballot_id, salt = secrets[ballot.commitment]
    changed = ("q1-o1" if ballot.option_ids[0] != "q1-o1" else "q1-o2", *ballot.option_ids[1:])
    forged = commitment("01JPOLLCCCCCCCCCCCCCCCCCCC", ballot_id, changed, salt)

    # a receipt forged for other choices: another commitment, other options
    reason = check_proof(forged, changed, {**proofs[ballot.commitment], "leaf": forged, "option_ids": list(changed)},
                         root)

    assert reason is not None and "does not lead" in reason


def test_a_proof_whose_options_differ_from_the_receipt_fails(published):
    # Given a voter's receipt and the proof the API gives for it
    ballots, _, proofs, root = published
    ballot = ballots[321]
    good = proofs[ballot.commitment]
    assert check_proof(ballot.commitment, ballot.option_ids, good, root) is None
    moved = ("q1-o1" if ballot.option_ids[0] != "q1-o1" else "q1-o2", *ballot.option_ids[1:])

    # When the published list gives the ballot other options than the receipt's
    reason = check_proof(ballot.commitment, ballot.option_ids, {**good, "option_ids": list(moved)}, root)

    # Then the proof fails and says so, even though the path itself is the ballot's
    assert reason is not None and "the receipt says" in reason and "altered" in reason

    # and a receipt whose options differ from the published ones does not verify either, even when
    # the proof does not name options: the leaf is rebuilt from the receipt
    without_options = {k: v for k, v in good.items() if k != "option_ids"}
    reason = check_proof(ballot.commitment, moved, without_options, root)
    assert reason is not None and "does not lead" in reason
    assert check_proof(ballot.commitment, list(reversed(ballot.option_ids)), without_options, root) is None


def test_a_proof_for_another_commitment_or_without_options_is_refused(published):
    ballots, _, proofs, root = published
    good = proofs[ballots[9].commitment]

    assert "another commitment" in check_proof(ballots[9].commitment, ballots[9].option_ids,
                                               {**good, "leaf": ballots[10].commitment}, root)
    assert "option ids" in check_proof(ballots[9].commitment, [], good, root)
    assert "option ids" in check_proof(ballots[9].commitment, ["q1-o1,q1-o2"], good, root)


def test_a_proof_at_a_wrong_position_fails(published):
    ballots, _, proofs, root = published
    good = proofs[ballots[700].commitment]
    for index in (699, 701, good["leaf_index"] ^ 1, good["tree_size"]):
        reason = check_proof(ballots[700].commitment, ballots[700].option_ids, {**good, "leaf_index": index}, root)
        assert reason is not None, index
    shorter = {**good, "audit_path": good["audit_path"][:-1]}
    assert check_proof(ballots[700].commitment, ballots[700].option_ids, shorter, root) is not None


def test_a_proof_against_another_polls_root_fails(published):
    ballots, _, proofs, _root = published
    other, _ = poll_ballots("01JPOLLDDDDDDDDDDDDDDDDDDD", 3000)
    other_root = tally(other)["merkle_root"]
    good = proofs[ballots[5].commitment]

    options = ballots[5].option_ids
    assert check_proof(ballots[5].commitment, options, good, other_root) is not None
    assert check_proof(ballots[5].commitment, options, {**good, "merkle_root": other_root}, other_root) is not None


def test_a_recount_from_the_list_equals_the_totals_and_rebuilds_the_root(published):
    ballots, _, _, root = published
    result = tally(ballots)
    decoded = [b for c in chunked(ballots, OPTION_IDS) for b in decode_chunk(c, OPTION_IDS)]

    recounted = tally(decoded)

    assert differences(result, recounted) == []
    assert recounted["merkle_root"] == root and recounted["total_ballots"] == 3000
    assert sum(v for k, v in recounted["counts"].items() if k.startswith("q1-")) == 3000


def test_a_recount_names_each_difference(published):
    ballots, _, _, _ = published
    result = tally(ballots)
    tampered = list(ballots)
    tampered[10] = PublishedBallot(tampered[10].commitment, ("q1-o3", "q2-o1"))
    diffs = differences(result, tally(tampered[:-1]))
    assert any(d.startswith("total_ballots") for d in diffs)
    assert any(d.startswith("merkle_root") for d in diffs)
    assert any(d.startswith("counts[q1-") for d in diffs)


# ------------------------------------------------------------------ the leaf (docs/decisions/007)
C1, C2, C3 = "11" * 32, "22" * 32, "33" * 32


def rfc6962_root(leaves: list[bytes]) -> bytes:
    """RFC 6962 MTH written out with hashlib alone (no project code)."""
    if not leaves:
        return hashlib.sha256(b"").digest()
    if len(leaves) == 1:
        return hashlib.sha256(b"\x00" + leaves[0]).digest()
    k = 1
    while k * 2 < len(leaves):
        k *= 2
    return hashlib.sha256(b"\x01" + rfc6962_root(leaves[:k]) + rfc6962_root(leaves[k:])).digest()


def test_the_leaf_is_the_commitment_and_the_sorted_comma_joined_options():
    # Options sorted as plain strings (q10 before q2), whatever order the receipt lists them in
    leaf = leaf_bytes(C1, ["q2-o1", "q10-o3", "q1-o2"])

    assert leaf == bytes.fromhex(C1) + b"q1-o2,q10-o3,q2-o1"
    assert leaf_hash(C1, ["q2-o1", "q1-o2"]) == hashlib.sha256(b"\x00" + bytes.fromhex(C1) + b"q1-o2,q2-o1").digest()


def test_the_leaf_hash_known_answer():
    # The worked example of docs/decisions/007-verifiable-results.md
    assert leaf_bytes(C1, ["q2-o1", "q1-o2"]).hex() == C1 + "71312d6f322c71322d6f31"
    assert leaf_hash(C1, ["q2-o1", "q1-o2"]).hex() == "34383b70979d45eef6a78ef8c0766482ed1a84bfe9474f4cd8cd10a531ef5bae"
    assert leaf_hash(C2, ["q1-o1"]).hex() == "36cf4c6069245125301f4bd8dd86ba5f8acddd8b91f17f7d2d4deb50b3ad9129"
    two = [PublishedBallot(C1, ("q1-o2", "q2-o1")), PublishedBallot(C2, ("q1-o1",))]
    assert tally(two)["merkle_root"] == "460f3c0c32b4636049f298b9fdd6c36fa3ffb9f3980e8315c66143273f0fdea8"


def test_a_three_ballot_root_rebuilt_with_hashlib_alone_equals_the_published_one():
    # Given three ballots as the published list shows them (canonical order)
    listed = [(C1, ["q1-o2", "q2-o1"]), (C2, ["q1-o1"]), (C3, ["q1-o3", "q2-o2", "q2-o3"])]

    # When a third party rebuilds the root with nothing but the spec and hashlib:
    # leaf = commitment bytes ‖ UTF-8(sorted option ids joined with ","), RFC 6962 hashing
    leaves = [bytes.fromhex(c) + ",".join(sorted(o)).encode("utf-8") for c, o in listed]
    h = [hashlib.sha256(b"\x00" + x).digest() for x in leaves]
    expected = hashlib.sha256(b"\x01" + hashlib.sha256(b"\x01" + h[0] + h[1]).digest() + h[2]).hexdigest()

    # Then it is the root tally() publishes, and that of the stored chunks
    ballots = [PublishedBallot(c, tuple(o)) for c, o in listed]
    assert expected == rfc6962_root(leaves).hex() == tally(ballots)["merkle_root"]
    assert ChunkIndex.of(chunked(ballots, OPTION_IDS)).merkle_root().hex() == expected


def test_the_empty_list_has_the_empty_tree_root():
    assert tally([]) == {"total_ballots": 0, "counts": {}, "tree_size": 0,
                         "merkle_root": hashlib.sha256(b"").hexdigest()}


def test_moving_one_ballot_between_options_changes_the_root(published):
    # Given a published list and its root
    ballots, _, _, root = published
    result = tally(ballots)

    # When an insider moves one ballot's vote to another option (same commitment) and another
    # ballot's the other way, so that every count stays the same
    a = next(i for i, b in enumerate(ballots) if b.option_ids[0] == "q1-o1")
    b = next(i for i, b in enumerate(ballots) if b.option_ids[0] == "q1-o2")
    moved = list(ballots)
    moved[a] = PublishedBallot(ballots[a].commitment, ("q1-o2", *ballots[a].option_ids[1:]))
    moved[b] = PublishedBallot(ballots[b].commitment, ("q1-o1", *ballots[b].option_ids[1:]))
    recounted = tally(moved)

    # Then the counts agree but the root does not
    assert recounted["counts"] == result["counts"]
    assert recounted["merkle_root"] != root
    assert differences(result, recounted) == [f"merkle_root: published {root!r}, recounted "
                                              f"{recounted['merkle_root']!r}"]
    # and so does a single moved ballot, in the stored chunks too
    single = list(ballots)
    single[a] = moved[a]
    assert tally(single)["merkle_root"] != root
    assert ChunkIndex.of(chunked(single, OPTION_IDS)).merkle_root().hex() == tally(single)["merkle_root"]


def test_a_chunk_stores_each_leaf_once_as_commitment_and_bitmap():
    ballots, _ = poll_ballots("01JPOLLEEEEEEEEEEEEEEEEEEE", CHUNK_SIZE)
    [chunk] = chunked(ballots, OPTION_IDS)

    assert len(chunk.commitments) == 32 * CHUNK_SIZE
    assert len(chunk.choices) == bitmap_width(OPTION_IDS) * CHUNK_SIZE == CHUNK_SIZE
    assert chunk.leaves() == [leaf_bytes(b.commitment, b.option_ids) for b in ballots]
    assert chunk.subtree_root() == merkle.root(chunk.leaves())


def test_ties_on_a_commitment_are_ordered_by_the_leaf_options():
    same = [PublishedBallot(C1, ("q2-o1",)), PublishedBallot(C1, ("q10-o1",)), PublishedBallot(C1, ("q1-o1",))]

    assert [b.option_ids for b in canonical(same)] == [("q1-o1",), ("q10-o1",), ("q2-o1",)]
