"""The fakes of the result-reading ports (tests/support/fakes/integrity.py, and the ledger's and live
tallies' reads of tests/support/fakes/vote.py) hold to the adapters they stand for.

The same checks run against each fake and against the real adapter on moto (a stack provisioned
from template.yaml): the published lists (aj74.integrity.repository.PublishedBallots) written,
paged, proved and read back item by item in the adapter's stored shapes, and the ledger's
``all_ballots`` (aj74.ballots.repository.BallotLedger) — docs/decisions/021-ports-and-adapters.md.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from aj74.ballots import keys
from aj74.ballots.message import BallotMessage
from aj74.integrity.published import CHUNK_SIZE, PublishedBallot, canonical, check_proof, tally

from tests.support.env import provisioned, use_stack
from tests.support.fakes.integrity import FakePublishedBallots
from tests.support.fakes.vote import BALLOT_KEY_SECRET, FakeLedger, a_poll

OPTION_IDS = ("q1-o1", "q1-o2", "q1-o3", "q2-o1", "q2-o2", "q2-o3")


@dataclass
class Subject:
    published: object  # PublishedLists
    ledger: object  # LedgerReads (and Ledger, to record)
    overwrite: Callable[[str, str, str, bytes], None]  # (poll_id, part, attribute, bytes): a tampered table


@pytest.fixture(scope="module")
def ports_stack(moto_endpoint):
    with provisioned(moto_endpoint, "aj74-integrity-ports", "ApiFunction") as env:
        yield env


def _fake() -> Subject:
    published = FakePublishedBallots()

    def overwrite(poll_id: str, part: str, name: str, value: bytes) -> None:
        published.item(poll_id, part)[name] = {"B": value}

    return Subject(published=published, ledger=FakeLedger(), overwrite=overwrite)


def _real(env: dict, endpoint: str) -> Subject:
    use_stack(env, endpoint)
    from aj74.ballots.repository import BallotLedger
    from aj74.integrity.repository import PublishedBallots
    from aj74.settings import get_settings
    from aj74.storage import dynamodb_client

    def overwrite(poll_id: str, part: str, name: str, value: bytes) -> None:
        dynamodb_client().update_item(
            TableName=get_settings().tallies_table, Key={"poll_id": {"S": poll_id}, "part": {"S": part}},
            UpdateExpression="SET #a = :v", ExpressionAttributeNames={"#a": name},
            ExpressionAttributeValues={":v": {"B": value}})

    return Subject(published=PublishedBallots(), ledger=BallotLedger(), overwrite=overwrite)


@pytest.fixture(params=["fake", "adapter"])
def subject(request) -> Subject:
    if request.param == "fake":
        return _fake()
    return _real(request.getfixturevalue("ports_stack"), request.getfixturevalue("moto_endpoint"))


def poll_id() -> str:
    return a_poll(datetime.now(UTC) - timedelta(minutes=1)).poll_id


def ballots(n: int) -> list[PublishedBallot]:
    """``n`` ballots in canonical order, their options varying with the index."""
    made = [PublishedBallot(f"{i * 2654435761 % 2**256:064x}",
                            (OPTION_IDS[i % 3], *((OPTION_IDS[3 + i % 3],) if i % 2 else OPTION_IDS[3:5])))
            for i in range(1, n + 1)]
    return canonical(made)


def stored(subject: Subject, pid: str, listed: list[PublishedBallot]) -> str:
    root = tally(listed)["merkle_root"]
    subject.published.write(pid, root, listed, OPTION_IDS)
    return root


# ------------------------------------------------------------------ published lists


def test_a_list_of_two_chunks_reads_back_whole_and_in_pages_across_the_chunk_boundary(subject):
    pid, listed = poll_id(), ballots(CHUNK_SIZE + 6)
    root = stored(subject, pid, listed)

    assert subject.published.all(pid, root) == listed
    index, option_ids = subject.published.index(pid, root)
    assert (index.tree_size, option_ids, index.merkle_root().hex()) == (CHUNK_SIZE + 6, list(OPTION_IDS), root)
    assert subject.published.page(pid, root, 0, 3) == listed[:3]
    assert subject.published.page(pid, root, CHUNK_SIZE - 2, 5) == listed[CHUNK_SIZE - 2:CHUNK_SIZE + 3]
    assert subject.published.page(pid, root, CHUNK_SIZE + 4, 1000) == listed[CHUNK_SIZE + 4:]
    assert subject.published.page(pid, root, CHUNK_SIZE + 6, 10) == []


def test_a_proof_from_either_chunk_verifies_against_the_root_and_an_unknown_commitment_has_none(subject):
    pid, listed = poll_id(), ballots(CHUNK_SIZE + 6)
    root = stored(subject, pid, listed)

    for ballot in (listed[0], listed[CHUNK_SIZE - 1], listed[CHUNK_SIZE + 5]):
        found = subject.published.proof(pid, root, ballot.commitment)
        assert found["leaf_index"] == listed.index(ballot)
        assert check_proof(ballot.commitment, list(ballot.option_ids), found, root) is None
    assert subject.published.proof(pid, root, "0" * 64) is None
    assert subject.published.proof(pid, "f" * 64, listed[0].commitment) is None


def test_no_list_under_another_root_or_poll_and_a_rewrite_changes_nothing(subject):
    pid, listed = poll_id(), ballots(5)
    root = stored(subject, pid, listed)
    stored(subject, pid, listed)  # a finalisation retried writes the same bytes

    assert subject.published.all(pid, root) == listed
    for read in (lambda: subject.published.index(pid, "e" * 64), lambda: subject.published.page(pid, "e" * 64, 0, 5),
                 lambda: subject.published.all(poll_id(), root)):
        assert read() is None


def test_an_empty_list_is_stored_and_reads_back_empty(subject):
    pid = poll_id()
    root = stored(subject, pid, [])

    assert subject.published.index(pid, root)[0].tree_size == 0
    assert subject.published.page(pid, root, 0, 10) == []
    assert subject.published.all(pid, root) == []


def test_a_list_that_does_not_hash_to_the_root_is_refused_and_nothing_is_stored(subject):
    pid, listed = poll_id(), ballots(3)

    with pytest.raises(ValueError):
        subject.published.write(pid, "a" * 64, listed, OPTION_IDS)
    assert subject.published.index(pid, "a" * 64) is None


def test_the_stored_items_have_the_adapters_shapes_and_a_tampered_chunk_reads_back_tampered(subject):
    pid, listed = poll_id(), ballots(3)
    root = stored(subject, pid, listed)
    prefix = f"published#{root}#"

    index_item = subject.published._get(pid, prefix + "index")
    chunk_item = subject.published._get(pid, prefix + "00000")
    assert {k: next(iter(v)) for k, v in index_item.items()} == {
        "poll_id": "S", "part": "S", "tree_size": "N", "chunk_size": "N", "option_ids": "S", "firsts": "B",
        "roots": "B"}
    assert {k: next(iter(v)) for k, v in chunk_item.items()} == {
        "poll_id": "S", "part": "S", "n": "N", "commitments": "B", "choices": "B"}
    assert (chunk_item["n"]["N"], len(bytes(chunk_item["commitments"]["B"])), len(bytes(chunk_item["choices"]["B"]))) \
        == ("3", 96, 3)

    choices = bytearray(chunk_item["choices"]["B"])
    choices[0] ^= 0b111  # the first ballot's q1 bits flipped
    subject.overwrite(pid, prefix + "00000", "choices", bytes(choices))

    moved = subject.published.all(pid, root)
    assert [b.commitment for b in moved] == [b.commitment for b in listed]
    assert moved[0].option_ids != listed[0].option_ids and moved[1:] == listed[1:]
    assert tally(moved)["merkle_root"] != root


# ------------------------------------------------------------------ the ledger, read whole


def message(pid: str, subject_id: str, options: tuple[str, ...], accepted_at_ms: int, commitment: str) -> BallotMessage:
    return BallotMessage(poll_id=pid, ballot_key=keys.ballot_key(BALLOT_KEY_SECRET, pid, subject_id),
                         option_ids=options, commitment=commitment, accepted_at_ms=accepted_at_ms,
                         territory_id="gp-satka", age_band="35-44", gender="f")


def test_all_ballots_holds_each_keys_latest_ballot_of_that_poll_only(subject):
    pid, other = poll_id(), poll_id()
    for i in range(40):  # forty keys, spread over the ledger's shards
        subject.ledger.record(message(pid, f"voter-{i}", ("q1-o1", "q2-o1"), 1_000 + i, f"{i:064x}"))
    subject.ledger.record(message(pid, "voter-7", ("q1-o3", "q2-o2"), 9_000, "f" * 64))  # a change
    subject.ledger.record(message(other, "voter-1", ("q1-o2", "q2-o3"), 1_000, "e" * 64))

    got = subject.ledger.all_ballots(pid)

    assert len(got) == 40
    assert len({b.ballot_key for b in got}) == 40
    changed = next(b for b in got if b.ballot_key == keys.ballot_key(BALLOT_KEY_SECRET, pid, "voter-7"))
    assert (changed.option_ids, changed.commitment, changed.accepted_at_ms) == (("q1-o3", "q2-o2"), "f" * 64, 9_000)
    assert (changed.territory_id, changed.age_band, changed.gender) == ("gp-satka", "35-44", "f")
    assert [b.commitment for b in subject.ledger.all_ballots(other)] == ["e" * 64]
    assert subject.ledger.all_ballots(poll_id()) == []
