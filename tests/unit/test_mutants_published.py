"""The published ballot list, pinned where mutation testing found it loose (`make mutants`,
docs/testing.md): the recount's differences, the canonical-order check, the list as published and
where a receipt's ballot is looked for."""

from __future__ import annotations

from aj74.integrity.published import (
    CHUNK_SIZE,
    ChunkIndex,
    PublishedBallot,
    canonical,
    chunked,
    differences,
    is_canonical,
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
