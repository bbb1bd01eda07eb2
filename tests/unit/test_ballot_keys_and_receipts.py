"""Ballot keys (who voted stays a keyed hash) and receipts (a commitment the voter can check later).

One key per (poll, voter) is what lets the database refuse a second ballot; the derived salt is
what gives a client retry with the same Idempotency-Key the very same receipt.
"""

from __future__ import annotations

import re

import pytest
from aj74.ballots.keys import BALLOT_SHARDS, ballot_key, derived_salt, ledger_partition, ledger_shard
from aj74.ballots.receipts import commitment, random_salt

SECRET = b"k" * 32
OTHER_SECRET = b"s" * 32
POLL = "01JXK5T8QD0000000000000000"
OTHER_POLL = "01JXK5T8QD0000000000000001"
VOTER = "res-satka-0001"
OTHER_VOTER = "res-mgn-0001"
ANSWERS = ("q1-o2", "q2-o1")
URL_SAFE_22 = re.compile(r"^[A-Za-z0-9_-]{22}$")
HEX_64 = re.compile(r"^[0-9a-f]{64}$")


# ------------------------------------------------------------------ ballot keys
def test_a_voter_gets_the_same_ballot_key_every_time_in_a_poll():
    # When
    first, again = ballot_key(SECRET, POLL, VOTER), ballot_key(SECRET, POLL, VOTER)

    # Then
    assert first == again
    assert URL_SAFE_22.match(first)


def test_ballot_keys_differ_across_polls_voters_and_secrets():
    keys = {
        ballot_key(SECRET, POLL, VOTER), ballot_key(SECRET, OTHER_POLL, VOTER),
        ballot_key(SECRET, POLL, OTHER_VOTER), ballot_key(OTHER_SECRET, POLL, VOTER),
    }

    assert len(keys) == 4


def test_a_ballot_key_does_not_reveal_the_voter():
    key = ballot_key(SECRET, POLL, VOTER)

    assert VOTER not in key and "satka" not in key.lower()


def test_joining_poll_and_voter_cannot_be_shifted_to_collide():
    # "ab" + "c" and "a" + "bc" must not give the same key
    assert ballot_key(SECRET, "ab", "c") != ballot_key(SECRET, "a", "bc")


@pytest.mark.parametrize("secret", [b"", b"short", b"x" * 31])
def test_a_secret_shorter_than_32_bytes_is_refused(secret):
    with pytest.raises(ValueError, match="at least 32 bytes"):
        ballot_key(secret, POLL, VOTER)
    with pytest.raises(ValueError, match="at least 32 bytes"):
        derived_salt(secret, POLL, VOTER, "idem-1", ANSWERS)


def test_ledger_shards_stay_in_range_and_spread_the_keys():
    # Given a thousand voters
    keys = [ballot_key(SECRET, POLL, f"res-{i:05d}") for i in range(1000)]

    # When
    shards = [ledger_shard(k) for k in keys]

    # Then every shard is used and none runs hot
    assert set(shards) == set(range(BALLOT_SHARDS))
    assert max(shards.count(s) for s in range(BALLOT_SHARDS)) < 2 * 1000 / BALLOT_SHARDS


def test_a_ledger_partition_is_the_poll_and_a_two_digit_shard():
    key = ballot_key(SECRET, POLL, VOTER)

    partition = ledger_partition(POLL, key)

    assert partition == f"{POLL}#{ledger_shard(key):02d}"
    assert re.fullmatch(rf"{POLL}#(0\d|1[0-5])", partition)
    assert ledger_partition(POLL, key) == partition


# ------------------------------------------------------------------ derived salt
def test_a_retry_with_the_same_idempotency_key_and_answers_gets_the_same_receipt():
    # Given a first attempt
    salt = derived_salt(SECRET, POLL, VOTER, "idem-1", ANSWERS)
    receipt = commitment(POLL, ballot_key(SECRET, POLL, VOTER), ANSWERS, salt)

    # When the client retries
    retry_salt = derived_salt(SECRET, POLL, VOTER, "idem-1", ANSWERS)
    retry_receipt = commitment(POLL, ballot_key(SECRET, POLL, VOTER), ANSWERS, retry_salt)

    # Then
    assert retry_salt == salt
    assert retry_receipt == receipt
    assert HEX_64.match(salt)


@pytest.mark.parametrize("changed", [
    {"idempotency_key": "idem-2"}, {"answers": ("q1-o1", "q2-o1")}, {"poll_id": OTHER_POLL},
    {"subject": OTHER_VOTER}, {"secret": OTHER_SECRET},
])
def test_the_derived_salt_differs_when_anything_else_differs(changed):
    base = {"secret": SECRET, "poll_id": POLL, "subject": VOTER, "idempotency_key": "idem-1",
            "answers": ANSWERS}

    assert derived_salt(**{**base, **changed}) != derived_salt(**base)


def test_random_salts_are_fresh_hex():
    salts = {random_salt() for _ in range(100)}

    assert len(salts) == 100
    assert all(re.fullmatch(r"[0-9a-f]{32}", s) for s in salts)


# ------------------------------------------------------------------ commitments
def test_a_commitment_is_sha256_of_the_documented_canonical_form():
    import hashlib

    # Given
    text = "aj74-ballot-v1\n" + POLL + "\nKEY\nq1-o2,q2-o1\n" + "ab" * 16

    # When
    made = commitment(POLL, "KEY", ANSWERS, "ab" * 16)

    # Then a voter can recompute it with nothing but the documented recipe
    assert made == hashlib.sha256(text.encode("utf-8")).hexdigest()


@pytest.mark.parametrize("changed", [
    {"poll_id": OTHER_POLL}, {"ballot_id": "OTHERKEY"}, {"option_ids": ("q1-o1", "q2-o1")},
    {"option_ids": ("q1-o2",)}, {"salt_hex": "cd" * 16},
])
def test_a_commitment_changes_with_any_field(changed):
    base = {"poll_id": POLL, "ballot_id": "KEY", "option_ids": ANSWERS, "salt_hex": "ab" * 16}

    assert commitment(**{**base, **changed}) != commitment(**base)


def test_a_commitment_reveals_nothing_without_the_salt():
    # Given two voters who chose the same options
    salt_a, salt_b = random_salt(), random_salt()

    # Then their commitments differ and contain no option id
    a = commitment(POLL, "KEY", ANSWERS, salt_a)
    b = commitment(POLL, "KEY", ANSWERS, salt_b)
    assert a != b
    assert HEX_64.match(a) and "q1" not in a
