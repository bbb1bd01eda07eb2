"""The published ballot list: stored in chunks, it yields the same RFC 6962 proofs as the whole tree;
proofs verify for every ballot of a 10,000-ballot poll and fail for a changed choice, a wrong
position or another poll's root; a recount from the list equals the totals and rebuilds the root."""

from __future__ import annotations

import random

import pytest
from aj74.ballots.receipts import commitment
from aj74.integrity import merkle
from aj74.integrity.published import (
    CHUNK_SIZE,
    ChunkIndex,
    PublishedBallot,
    canonical,
    check_proof,
    chunked,
    decode_chunk,
    differences,
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
    leaves = [bytes.fromhex(b.commitment) for b in ballots]
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
        assert check_proof(ballot.commitment, got, root) is None
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

    reason = check_proof(forged, {**proofs[ballot.commitment], "leaf": forged}, root)

    assert reason is not None and "does not lead" in reason


def test_a_proof_at_a_wrong_position_fails(published):
    ballots, _, proofs, root = published
    good = proofs[ballots[700].commitment]
    for index in (699, 701, good["leaf_index"] ^ 1, good["tree_size"]):
        reason = check_proof(ballots[700].commitment, {**good, "leaf_index": index}, root)
        assert reason is not None, index
    shorter = {**good, "audit_path": good["audit_path"][:-1]}
    assert check_proof(ballots[700].commitment, shorter, root) is not None


def test_a_proof_against_another_polls_root_fails(published):
    ballots, _, proofs, _root = published
    other, _ = poll_ballots("01JPOLLDDDDDDDDDDDDDDDDDDD", 3000)
    other_root = tally(other)["merkle_root"]
    good = proofs[ballots[5].commitment]

    assert check_proof(ballots[5].commitment, good, other_root) is not None
    assert check_proof(ballots[5].commitment, {**good, "merkle_root": other_root}, other_root) is not None


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
