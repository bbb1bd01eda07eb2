"""Small-cell suppression of results breakdowns: nothing under the threshold is shown, and nothing
hidden can be recovered by subtraction from a published total."""

from __future__ import annotations

import itertools
import random

from aj74.polls.breakdown import COMPLEMENTARY, PRIMARY, VoterGroupBallot, breakdown, suppress

THRESHOLD = 10


def recoverable(cells, totals) -> list[tuple[int, int]]:
    """Hidden numbers an attacker can compute: a line (row, option column, totals column) with
    exactly one hidden number and a published sum."""
    n_rows, n_cols = len(cells), len(cells[0])
    grid = [[*row, total] for row, total in zip(cells, totals, strict=True)]
    lines = [[(r, c) for c in range(n_cols)] for r in range(n_rows)]
    lines += [[(r, c) for r in range(n_rows)] for c in range(n_cols + 1)]
    found = []
    for line in lines:
        if len(line) == 1:
            continue  # a one-group column repeats the published overall count: nothing to protect
        hidden = [cell for cell in line if grid[cell[0]][cell[1]].count is None]
        if len(hidden) == 1:
            found.append(hidden[0])
    return found


def test_a_small_cell_is_hidden_with_a_complement_in_its_row_and_column():
    # Given a single-choice question answered by three groups, one group gave option B 3 votes
    rows = [[40, 3], [25, 30], [50, 60]]
    totals = [43, 55, 110]

    # When the table is suppressed
    cells, total_cells = suppress(rows, totals, THRESHOLD)

    # Then the 3 is hidden as a primary cell, and its row and column each hide one more
    assert cells[0][1].count is None and cells[0][1].hidden == PRIMARY
    assert cells[0][0].hidden == COMPLEMENTARY
    assert cells[1][1].hidden == COMPLEMENTARY  # smallest remaining in column B (30 < 60)
    assert recoverable(cells, total_cells) == []
    # And large cells that protect nothing stay visible
    assert cells[2][0].count == 50 and total_cells[2].count == 110


def test_nothing_is_hidden_when_every_cell_is_large():
    cells, totals = suppress([[20, 30], [40, 50]], [50, 90], THRESHOLD)

    assert all(c.hidden is None for row in cells for c in row) and all(t.hidden is None for t in totals)


def test_a_small_group_hides_its_whole_row_and_a_second_group_total():
    # A group of 4 voters: its total and every cell are under the threshold
    cells, totals = suppress([[3, 1], [30, 40], [25, 35]], [4, 70, 60], THRESHOLD)

    assert totals[0].hidden == PRIMARY
    assert [t.hidden for t in totals].count(None) == 1  # a second total hidden so 4 cannot be derived
    assert recoverable(cells, totals) == []


def test_randomised_tables_never_leave_a_recoverable_or_small_number():
    rng = random.Random(74)
    for _ in range(500):
        n_rows, n_cols = rng.randint(1, 6), rng.randint(2, 5)
        rows = [[rng.choice([0, 1, 2, 5, 9, 10, 11, 15, 40, 100]) for _ in range(n_cols)] for _ in range(n_rows)]
        totals = [sum(row) for row in rows]
        cells, total_cells = suppress(rows, totals, THRESHOLD)
        shown = [c.count for c in itertools.chain(*cells, total_cells) if c.count is not None]
        assert all(n >= THRESHOLD for n in shown)
        assert recoverable(cells, total_cells) == []


def test_breakdown_groups_ballots_by_age_band_and_names_the_groups():
    questions = [{"id": "q1", "text": "Что важнее?", "options": [{"id": "q1-o1", "text": "А"},
                                                                {"id": "q1-o2", "text": "Б"}]}]
    ballots = ([VoterGroupBallot(("q1-o1",), "gp-satka", "25–34", "f")] * 12
               + [VoterGroupBallot(("q1-o2",), "gp-satka", "25–34", "m")] * 11
               + [VoterGroupBallot(("q1-o1",), "gp-satka", "65+", "f")] * 2)

    table = breakdown(questions, ballots, "age", THRESHOLD)

    rows = {row["group"]: row for row in table["questions"][0]["rows"]}
    assert rows["65+"]["total"] == {"count": None, "hidden": PRIMARY}
    assert rows["65+"]["cells"][0]["hidden"] == PRIMARY
    assert table["threshold"] == THRESHOLD and table["title"] == "по возрасту"
