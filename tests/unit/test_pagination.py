"""Page cursors and limits, and the ULIDs that order lists: what a client passes back works, and
anything else is a clear 400 (InvalidInput), never a 500."""

from __future__ import annotations

import pytest
from aj74.errors import InvalidInput
from aj74.ids import is_ulid, ulid
from aj74.pagination import MAX_LIMIT, decode_cursor, encode_cursor, parse_limit

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


# ------------------------------------------------------------------ cursors
@pytest.mark.parametrize("position", [
    {"pk": "poll", "sk": "2026-06-01T04:00:00Z#01JXK5T8QD0000000000000000"},
    {"territory": "gp-satka", "n": 20, "last": None},
    {"title": "Благоустройство набережной ✓"},
    {},
])
def test_a_cursor_round_trips(position):
    # When
    cursor = encode_cursor(position)

    # Then it is opaque and url-safe, and gives back the position
    assert set(cursor) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert decode_cursor(cursor) == position


@pytest.mark.parametrize("cursor", [None, ""])
def test_no_cursor_means_the_first_page(cursor):
    assert decode_cursor(cursor) is None


@pytest.mark.parametrize("cursor", [
    "!!!",
    "abc",
    "курсор",
    "W10",  # a JSON list, not an object
    "MQ",  # the JSON number 1
    "bnVsbA",  # null
    "__4",  # bytes that are not UTF-8
    "eyJwayI6",  # a truncated object
    encode_cursor({"pk": "poll"}) + "x" * 600,
])
def test_a_garbage_cursor_is_invalid_input(cursor):
    # When
    with pytest.raises(InvalidInput) as invalid:
        decode_cursor(cursor)

    # Then
    assert invalid.value.detail == "Неверный курсор страницы."
    assert invalid.value.errors == [{"field": "cursor", "detail": "неверный курсор"}]


# ------------------------------------------------------------------ limits
def test_no_limit_means_the_default():
    assert parse_limit(None) == 20
    assert parse_limit(None, default=5) == 5


@pytest.mark.parametrize(("raw", "limit"), [("1", 1), ("20", 20), ("50", 50), ("007", 7)])
def test_a_limit_from_one_to_fifty_is_taken(raw, limit):
    assert parse_limit(raw) == limit


@pytest.mark.parametrize("raw", ["0", "51", "1000", "-1", "", " 5", "5 ", "1.5", "ten", "1e1", "+5", "0x10"])
def test_a_limit_outside_one_to_fifty_is_invalid_input(raw):
    with pytest.raises(InvalidInput) as invalid:
        parse_limit(raw)

    assert invalid.value.detail == f"limit должен быть от 1 до {MAX_LIMIT}."
    assert invalid.value.errors == [{"field": "limit", "detail": "от 1 до 50"}]


@pytest.mark.parametrize("raw", ["²", "¹⁰"])
def test_a_superscript_limit_is_invalid_input(raw):
    with pytest.raises(InvalidInput):
        parse_limit(raw)


# ------------------------------------------------------------------ ids
def test_a_ulid_is_26_crockford_characters():
    value = ulid()

    assert len(value) == 26
    assert set(value) <= set(CROCKFORD)
    assert is_ulid(value)


def test_ulids_sort_by_their_time():
    # Given ids made a millisecond apart, and far apart
    times = [0, 1, 2, 1_000, 1_780_290_000_000, 1_780_290_000_001, 2**48 - 1]

    # When
    ids = [ulid(ms) for ms in times]

    # Then string order is time order
    assert sorted(ids) == ids
    assert len(set(ids)) == len(ids)


def test_a_ulid_starts_with_its_millisecond_time():
    ms = 1_780_290_000_123

    value = ulid(ms)

    decoded = 0
    for ch in value[:10]:
        decoded = decoded * 32 + CROCKFORD.index(ch)
    assert decoded == ms


def test_ulids_made_in_the_same_millisecond_are_unique():
    ids = {ulid(1_780_290_000_000) for _ in range(1000)}

    assert len(ids) == 1000
    assert len({i[:10] for i in ids}) == 1


VALID = "01HZX3K7Q8R9S0T1V2W3X4Y5Z6"


def test_a_known_good_ulid_is_recognised():
    assert is_ulid(VALID)


@pytest.mark.parametrize("value", [
    "", VALID[:-1], VALID + "0", VALID.lower(), VALID[:-1] + "I", VALID[:-1] + "L", VALID[:-1] + "O",
    VALID[:-1] + "U", VALID[:-1] + "-", " " + VALID[1:],
])
def test_anything_else_is_not_a_ulid(value):
    assert not is_ulid(value)
