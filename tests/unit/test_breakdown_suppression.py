"""Disclosure control of results breakdowns: nothing under the threshold is shown, no group is shown
unanimous, an amendment does not point at the late voter, and nothing says why a cell is hidden.
(The auditor-based property tests are in test_disclosure_property.py.)"""

from __future__ import annotations

from aj74.polls.breakdown import VoterGroupBallot, breakdown, live, published, release, shown
from test_disclosure_property import audit

THRESHOLD = 10
QUESTIONS = [{"id": "q1", "text": "Что важнее?", "options": [{"id": "q1-o1", "text": "А"}, {"id": "q1-o2", "text": "Б"},
                                                              {"id": "q1-o3", "text": "В"}]}]


def ballots(territory: str, gender: str, option: str, n: int, age: str = "25–34") -> list[VoterGroupBallot]:
    return [VoterGroupBallot((option,), territory, age, gender)] * n


def test_ten_women_who_all_chose_a_are_not_shown_unanimous():
    # Given 10 women who all chose А, and 47 men split over three options
    voters = (ballots("t1", "f", "q1-o1", 10) + ballots("t1", "m", "q1-o1", 20) + ballots("t2", "m", "q1-o2", 15)
              + ballots("t2", "m", "q1-o3", 12))

    # When the gender breakdown is frozen
    first = release(QUESTIONS, voters, THRESHOLD, dimensions=("gender",))
    table = published(QUESTIONS, [first], "gender", THRESHOLD)["questions"][0]

    # Then the women's row does not show «всего 10, А 10»: nothing pins the women's votes
    women = next(row for row in table["rows"] if row["group"] == "f")
    assert women["total"]["count"] is None or women["cells"][0]["count"] is None
    assert audit([first], ("gender",)) == []
    # And a hidden cell carries no reason, only «скрыто»
    assert all(set(c) == {"count"} for row in table["rows"] for c in [row["total"], *row["cells"]])
    assert shown(women["cells"][1]) == "скрыто"


def test_nothing_is_hidden_when_every_group_is_large_and_divided():
    voters = (ballots("t1", "f", "q1-o1", 20) + ballots("t1", "f", "q1-o2", 30) + ballots("t1", "f", "q1-o3", 25)
              + ballots("t2", "m", "q1-o1", 40) + ballots("t2", "m", "q1-o2", 50) + ballots("t2", "m", "q1-o3", 35))

    table = breakdown(QUESTIONS, voters, "territory", THRESHOLD)["questions"][0]

    assert [row["total"]["count"] for row in table["rows"]] == [75, 125]
    assert [[c["count"] for c in row["cells"]] for row in table["rows"]] == [[20, 30, 25], [40, 50, 35]]


def test_a_small_cell_is_hidden_and_cannot_be_recovered():
    # One group gave option В 3 votes: hidden, and enough beside it that 3 cannot be computed back
    voters = (ballots("t1", "-", "q1-o1", 40) + ballots("t1", "-", "q1-o2", 25) + ballots("t1", "-", "q1-o3", 3)
              + ballots("t2", "-", "q1-o1", 25) + ballots("t2", "-", "q1-o2", 30) + ballots("t2", "-", "q1-o3", 30)
              + ballots("t3", "-", "q1-o1", 50) + ballots("t3", "-", "q1-o2", 60) + ballots("t3", "-", "q1-o3", 45))

    first = release(QUESTIONS, voters, THRESHOLD, dimensions=("territory",))
    table = published(QUESTIONS, [first], "territory", THRESHOLD)["questions"][0]

    assert table["rows"][0]["cells"][2] == {"count": None}
    assert all(c["count"] is None or c["count"] >= THRESHOLD for row in table["rows"] for c in row["cells"])
    assert audit([first], ("territory",)) == []


def test_an_amendment_does_not_point_at_the_late_voter():
    # Given a frozen territory breakdown of 95 ballots
    voters = (ballots("t1", "-", "q1-o1", 30) + ballots("t1", "-", "q1-o2", 20) + ballots("t2", "-", "q1-o1", 25)
              + ballots("t2", "-", "q1-o2", 20))
    first = release(QUESTIONS, voters, THRESHOLD, dimensions=("territory",))
    # When one ballot accepted before close reaches the ledger late (t2, option В) and the result is amended
    second = release(QUESTIONS, voters + ballots("t2", "-", "q1-o3", 1), THRESHOLD, [first],
                     dimensions=("territory",))

    # Then comparing the two releases tells neither the late voter's territory nor their choice
    assert audit([first, second], ("territory",)) == []
    before = published(QUESTIONS, [first], "territory", THRESHOLD)["questions"][0]["rows"]
    after = published(QUESTIONS, [first, second], "territory", THRESHOLD)["questions"][0]["rows"]
    for old, new in zip(before, after, strict=True):
        for a, b in zip([old["total"], *old["cells"]], [new["total"], *new["cells"]], strict=True):
            assert a["count"] is None or b["count"] is None  # no number shown in both, so no difference


def test_a_late_ballot_from_a_new_group_keeps_the_old_breakdown():
    voters = ballots("t1", "-", "q1-o1", 30) + ballots("t1", "-", "q1-o2", 20)
    first = release(QUESTIONS, voters, THRESHOLD, dimensions=("territory",))

    second = release(QUESTIONS, voters + ballots("t9", "-", "q1-o2", 1), THRESHOLD, [first],
                     dimensions=("territory",))

    assert second["tables"]["territory"] is None
    shown_now = published(QUESTIONS, [first, second], "territory", THRESHOLD)
    assert shown_now["total_ballots"] == 50 and [r["group"] for r in shown_now["questions"][0]["rows"]] == ["t1"]


def test_breakdown_groups_ballots_by_age_band_and_names_the_groups():
    voters = (ballots("gp-satka", "f", "q1-o1", 12) + ballots("gp-satka", "m", "q1-o2", 11)
              + ballots("gp-satka", "f", "q1-o1", 2, age="65+"))

    table = breakdown(QUESTIONS, voters, "age", THRESHOLD, group_title=lambda g: f"возраст {g}")

    rows = {row["group"]: row for row in table["questions"][0]["rows"]}
    assert rows["65+"]["total"] == {"count": None} and rows["65+"]["title"] == "возраст 65+"
    assert table["threshold"] == THRESHOLD and table["title"] == "по возрасту" and table["total_ballots"] == 25


def test_live_counts_move_in_steps_of_the_threshold():
    assert [live(n, THRESHOLD) for n in (0, 9, 10, 19, 20, 101)] == [0, 0, 10, 10, 20, 100]
