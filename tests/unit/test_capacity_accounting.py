"""The capacity arithmetic of the benchmarks: item sizes and units as DynamoDB bills them."""

from __future__ import annotations

import pytest

from infra import capacity


@pytest.mark.parametrize(("text", "size"), [
    ("0", 1), ("7", 2), ("10", 2), ("1000", 2), ("12", 2), ("123", 3), ("-123", 3), ("0.05", 2),
    ("1712345678901", 8), ("1.5e10", 2),
])
def test_numbers_cost_one_byte_per_two_significant_digits_plus_one(text, size):
    assert capacity.number_size(text) == size


def test_an_item_is_its_names_plus_its_values():
    # Given a ledger-like item with a Cyrillic string, a number and a nested map
    item = {
        "pk": {"S": "poll#01"},                  # 2 + 7
        "name": {"S": "Сатка"},                  # 4 + 10 (two bytes per Cyrillic letter)
        "at": {"N": "1712345678901"},            # 2 + 8
        "flag": {"BOOL": True},                  # 4 + 1
        "m": {"M": {"k": {"S": "vv"}}},          # 1 + 3 + (1 + 1 + 2)
        "tags": {"SS": ["a", "bb"]},             # 4 + 3
    }
    assert capacity.item_size(item) == 9 + 14 + 10 + 5 + 8 + 7


def test_writes_cost_a_unit_per_started_kilobyte_and_transactions_twice():
    assert capacity.write_units(0) == 1
    assert capacity.write_units(1024) == 1
    assert capacity.write_units(1025) == 2
    assert capacity.update_units(900, 1100) == 2
    assert capacity.transaction_units([200, 100, 1500]) == 2 * (1 + 1 + 2)


def test_reads_cost_a_unit_per_started_4_kb_and_half_when_eventually_consistent():
    assert capacity.read_units([0], consistent=True) == 1
    assert capacity.read_units([0], consistent=False) == 0.5
    assert capacity.read_units([3000, 3000], consistent=True) == 2
    assert capacity.read_units([4096], consistent=False) == 0.5
