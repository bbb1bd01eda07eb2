"""Disclosure control, pinned (docs/testing.md, mutation group `suppression`).

The properties in test_disclosure_property.py hold that whatever is published is safe; they cannot
tell one safe table from another, and a mutant that hides a different (or one more) number, or
renders a published table differently, stays safe. What is published is a fact: a frozen release is
the input of every amendment after it, and staff and the press quote it. So this module pins what
`release` publishes for a fixed set of polls (tests/unit/suppression_releases.json, generated from
the seeds below), and the rules the code states: which number is hidden to protect another, how a table
is shown, the live counts' steps.

A deliberate change to what suppression hides regenerates the file, and the change is reviewed in its
diff together with decision 014:

    .venv/bin/python tests/unit/test_mutants_suppression.py
"""

from __future__ import annotations

import functools
import json
import random
import sys
from pathlib import Path

import pytest
from aj74.polls import disclosure
from aj74.polls.breakdown import (
    DIMENSIONS,
    HIDDEN_TEXT,
    VoterGroupBallot,
    breakdown,
    live,
    published,
    release,
    shown,
)
from aj74.polls.disclosure import Release, System, Table, _complement, _Target, protect

GOLDEN = Path(__file__).with_name("suppression_releases.json")
SIZES = [0, 1, 2, 3, 8, 9, 10, 11, 15, 19, 20, 31]
QUESTIONS = {
    "one": [{"id": "q1", "text": "Что важнее?", "options": [{"id": "q1-o1", "text": "А"}, {"id": "q1-o2", "text": "Б"},
                                                            {"id": "q1-o3", "text": "В"}]}],
    "two": [{"id": "q1", "text": "Где?", "options": [{"id": "q1-o1", "text": "А"}, {"id": "q1-o2", "text": "Б"}]},
            {"id": "q2", "text": "Когда?", "options": [{"id": "q2-o1", "text": "Да"}, {"id": "q2-o2", "text": "Нет"}]}],
}
PATTERNS = {"one": [("q1-o1",), ("q1-o2",), ("q1-o3",)],
            "two": [(a, b) for a in ("q1-o1", "q1-o2") for b in ("q2-o1", "q2-o2")]}
TERRITORIES = ["gp-satka", "gp-bakal", "sp-suleya"]
AGES = ["18–24", "25–34", "65+", "-"]
GENDERS = ["f", "m", "-"]
# Seeds 0–39, and five amendments found (by searching seeds) to tell apart how the targets of an
# earlier release are watched: the group a hidden total or count belongs to, and a dissent's option.
SEEDS = [*range(40), 53, 299, 331, 441, 940]


def poll(seed: int) -> dict:
    """One poll's ballots and, for most, late ballots for one or two amendments."""
    rng = random.Random(seed)
    kind = rng.choice(sorted(QUESTIONS))
    pats = PATTERNS[kind]
    territories = TERRITORIES[: rng.randint(1, 3)]
    ages = rng.sample(AGES, rng.randint(1, 3))
    genders = GENDERS[: rng.randint(1, 3)]
    adversarial = rng.random() < 0.5  # groups unanimous or empty in an option
    ballots = []
    for t in territories:
        for a in ages:
            for g in genders:
                if rng.random() < 0.3:
                    continue  # not every joint cell has voters
                favourite = rng.choice(pats)
                for p in pats:
                    n = rng.choice(SIZES)
                    if adversarial and p != favourite and rng.random() < 0.5:
                        n = 0
                    ballots += [VoterGroupBallot(p, t, a, g)] * n
    amendments = []
    for _ in range(rng.choice([0, 1, 1, 2])):
        late = []
        for _ in range(rng.choice([1, 1, 2, 3, 12])):
            source = rng.choice(ballots) if ballots and rng.random() < 0.85 else VoterGroupBallot(
                rng.choice(pats), rng.choice(TERRITORIES), rng.choice(AGES), rng.choice(GENDERS))
            late.append(VoterGroupBallot(rng.choice(pats), source.territory_id, source.age_band, source.gender))
        amendments.append(late)
    return {"kind": kind, "threshold": rng.choice([10, 10, 10, 5]), "ballots": ballots, "amendments": amendments}


def releases_of(case: dict) -> list[dict]:
    questions, threshold = QUESTIONS[case["kind"]], case["threshold"]
    ballots = list(case["ballots"])
    out = [release(questions, ballots, threshold)]
    for late in case["amendments"]:
        ballots += late
        out.append(release(questions, ballots, threshold, out))
    return out


@functools.cache
def golden() -> dict[str, list[dict]]:
    """The pinned releases, read once per session (the tests compare against them, never change them)."""
    return json.loads(GOLDEN.read_text("utf-8"))


@pytest.mark.parametrize("seed", SEEDS)
def test_every_release_of_the_pinned_polls_is_what_was_published(seed):
    assert releases_of(poll(seed)) == golden()[str(seed)]


def test_the_pinned_polls_cover_amendments_new_groups_two_questions_and_both_thresholds():
    # The fixed set is only worth pinning if it reaches every branch of the suppression.
    cases = [poll(seed) for seed in SEEDS]
    stored = golden()
    assert {c["kind"] for c in cases} == {"one", "two"} and {c["threshold"] for c in cases} == {5, 10}
    assert sum(len(c["amendments"]) == 2 for c in cases) >= 3
    tables = [t for s in SEEDS for r in stored[str(s)] for t in r["tables"].values()]
    assert None in tables  # a dimension whose groups changed published nothing new
    hidden = [v for t in tables if t for v in [*t["totals"], *(x for c in t["counts"].values() for x in c)]]
    assert None in hidden and any(v is not None for v in hidden)
    amended = [r for s in SEEDS for r in stored[str(s)][1:] if any(r["tables"].values())]
    assert amended  # some amendment published fresh tables


def test_many_targets_split_over_several_solver_calls_give_the_same_tables(monkeypatch):
    # The block-diagonal LP is cut at MAX_BLOCK_VARIABLES variables a call; where it is cut changes nothing.
    cases = [3, 4, 8]
    monkeypatch.setattr(disclosure, "MAX_BLOCK_VARIABLES", 40)
    for seed in cases:
        assert releases_of(poll(seed)) == golden()[str(seed)]


def test_a_system_counts_each_release_increment_and_refuses_a_release_that_shrinks():
    system = System.of(["a", "b"], [{("x",): 3, ("y",): 1}, {("x",): 5, ("y",): 1, ("z",): 2}])
    assert system.patterns == (("x",), ("y",), ("z",))
    assert system.increments == [[3, 1, 0], [2, 0, 2]]
    assert system.size == 2 * 2 * 3 and system.var(1, 1, 2) == 11
    # Each release's pattern increments are split over the groups
    assert system.eq[0] == ({0: 1.0, 3: 1.0}, 3.0) and system.eq[5] == ({8: 1.0, 11: 1.0}, 2.0)
    assert system.count(1, 0, "x") == {0: 1.0, 6: 1.0}
    assert system.count(1, 0, "x", only_release=True) == {6: 1.0}
    assert system.count(0, 1, without="x") == {4: 1.0, 5: 1.0}
    with pytest.raises(ValueError, match="^a later release has fewer ballots of a pattern than an earlier one$"):
        System.of(["a"], [{("x",): 3}, {("x",): 2}])


def test_a_published_table_fixes_its_shown_numbers_and_lists_its_groups_as_non_empty():
    system = System.of(["a", "b"], [{("x",): 3, ("y",): 4}])
    table = Table(("a", "b"), (None, 4), {"x": (3, None), "y": (None, None)})
    system.publish(0, table)
    assert system.ge == [({0: 1.0, 1: 1.0}, 1.0), ({2: 1.0, 3: 1.0}, 1.0)]
    assert system.eq[2:] == [({0: 1.0}, 3.0), ({2: 1.0, 3: 1.0}, 4.0)]
    # The range of a's total: 3 (x) plus anywhere from 0 to 1 of the y ballots b did not take
    assert system.optimise([(system.count(0, 0), False), (system.count(0, 0), True)]) == pytest.approx([3.0, 3.0])
    # Hiding b's total on top leaves a's total from 3 to 6 (b keeps at least one ballot)
    loose = System.of(["a", "b"], [{("x",): 3, ("y",): 4}])
    loose.publish(0, Table(("a", "b"), (None, None), {"x": (3, None), "y": (None, None)}))
    assert loose.optimise([(loose.count(0, 0), False), (loose.count(0, 0), True)]) == pytest.approx([3.0, 6.0])
    # With no table at all, only the pattern counts: anything from none to all seven
    bare = System.of(["a", "b"], [{("x",): 3, ("y",): 4}])
    assert bare.optimise([(bare.count(0, 0), False), (bare.count(0, 0), True)]) == pytest.approx([0.0, 7.0])
    assert System.of(["a"], [{("x",): 1}]).optimise([]) == []


def test_a_table_that_contradicts_the_pattern_counts_is_an_error_not_a_range():
    system = System.of(["a", "b"], [{("x",): 3}])
    system.publish(0, Table(("a", "b"), (5, None), {"x": (None, None)}))
    with pytest.raises(RuntimeError, match="disclosure LP failed: .*infeasible"):
        system.optimise([(system.count(0, 1), True)])


def test_a_copy_of_a_system_has_its_constraints_and_takes_new_ones_alone():
    system = System.of(["a", "b"], [{("x",): 3}, {("x",): 5}])
    system.publish(0, Table(("a", "b"), (1, 2), {"x": (1, 2)}))
    trial = system.copy()
    assert (trial.eq, trial.ge, trial.increments) == (system.eq, system.ge, system.increments)
    trial.publish(1, Table(("a", "b"), (None, None), {"x": (None, None)}))
    assert len(trial.ge) == len(system.ge) + 2 and len(trial.eq) == len(system.eq)


def test_a_table_keeps_its_shape_through_storage():
    table = Table(("f", "m"), (12, None), {"q1-o1": (12, None), "q1-o2": (None, 3)})
    stored = table.as_dict()
    assert stored == {"groups": ["f", "m"], "totals": [12, None], "counts": {"q1-o1": [12, None], "q1-o2": [None, 3]}}
    assert Table.from_dict(json.loads(json.dumps(stored))) == table


# ------------------------------------------------------------------ which number is hidden to protect another
SHOWN_VALUES = {("t", "a"): 30, ("t", "b"): 25, ("c", "a", "o1"): 12, ("c", "a", "o2"): 18, ("c", "b", "o1"): 11,
                ("c", "b", "o2"): 14, ("c", "a", "p1"): 9, ("c", "b", "p1"): 7}
QUESTION_OF = {"o1": "q1", "o2": "q1", "p1": "q2"}


def target(key, group, option):
    return _Target(key, 0, {}, group, option)


def test_a_hidden_count_is_protected_by_the_smallest_number_on_its_row_or_column():
    shown_now = [("t", "a"), ("t", "b"), ("c", "a", "o2"), ("c", "b", "o1"), ("c", "b", "o2"), ("c", "a", "p1")]
    # a's count for o1 is hidden: its row is a's total and a's other answers to the same question, its
    # column o1 in the other groups; the smallest of those is b's o1 (11), not a's p1 (9, another question)
    assert _complement(target(("c", "a", "o1"), "a", "o1"), shown_now, SHOWN_VALUES, QUESTION_OF) == ("c", "b", "o1")
    # With the column gone, the row's smallest (a's o2, 18) before a's total (30)
    assert _complement(target(("c", "a", "o1"), "a", "o1"), [("t", "a"), ("c", "a", "o2"), ("c", "a", "p1")],
                       SHOWN_VALUES, QUESTION_OF) == ("c", "a", "o2")
    # A hidden total's column is the other totals
    assert _complement(target(("t", "a"), "a", None), [("t", "b"), ("c", "a", "p1"), ("c", "b", "p1")],
                       SHOWN_VALUES, QUESTION_OF) == ("t", "b")


def test_without_a_row_or_column_left_the_group_then_anything_shown_is_hidden():
    # Nothing of a's row or o1's column shown: the smallest number of group a (its p1, another question)
    assert _complement(target(("c", "a", "o1"), "a", "o1"), [("c", "a", "p1"), ("c", "b", "p1")],
                       SHOWN_VALUES, QUESTION_OF) == ("c", "a", "p1")
    # Nothing of group a at all: the smallest shown anywhere
    assert _complement(target(("c", "a", "o1"), "a", "o1"), [("t", "b"), ("c", "b", "p1")],
                       SHOWN_VALUES, QUESTION_OF) == ("c", "b", "p1")


def test_a_nearly_unanimous_group_hides_its_count_or_its_total_first():
    # The auditor must not rule out dissent from a's o1: hide a's o1 count (12) rather than anything smaller
    everything = list(SHOWN_VALUES)
    assert _complement(target(("u", "a", "o1"), "a", "o1"), everything, SHOWN_VALUES, QUESTION_OF) == ("c", "a", "o1")
    assert _complement(target(("u", "a", "o1"), "a", "o1"), [k for k in everything if k != ("c", "a", "o1")],
                       SHOWN_VALUES, QUESTION_OF) == ("t", "a")


def test_equal_numbers_are_chosen_by_their_key_so_the_choice_does_not_depend_on_order():
    values = {("c", "a", "o2"): 11, ("c", "b", "o1"): 11, ("t", "a"): 11}
    shown_now = [("c", "b", "o1"), ("t", "a"), ("c", "a", "o2")]
    assert _complement(target(("c", "a", "o1"), "a", "o1"), shown_now, values, QUESTION_OF) == ("c", "a", "o2")
    assert _complement(target(("c", "a", "o1"), "a", "o1"), shown_now[::-1], values, QUESTION_OF) == ("c", "a", "o2")


def test_protect_hides_what_is_under_the_threshold_and_its_complement():
    groups, options = ["a", "b", "c"], [("q1", "o1"), ("q1", "o2")]
    truth = {"a": {("o1",): 3, ("o2",): 20}, "b": {("o1",): 25, ("o2",): 30}, "c": {("o1",): 40, ("o2",): 35}}
    table = protect(groups, options, truth, {("o1",): 68, ("o2",): 85}, [], 10)
    # a's 3 for o1 is hidden, with its row; the pattern counts are public, so a hidden group alone would
    # be their difference from the shown ones: the smaller other group (b) is hidden with it, c is shown.
    assert table.as_dict() == {"groups": ["a", "b", "c"], "totals": [None, None, 75],
                               "counts": {"o1": [None, None, 40], "o2": [None, None, 35]}}


def test_an_earlier_release_without_a_table_constrains_nothing_but_its_counts():
    groups, options = ["a"], [("q1", "o1"), ("q1", "o2")]
    earlier = [Release({("o1",): 20, ("o2",): 20}, None)]
    table = protect(groups, options, {"a": {("o1",): 25, ("o2",): 20}}, {("o1",): 25, ("o2",): 20}, earlier, 10)
    # One group: the pattern counts already publish everything, and the increment (5 for o1) is what
    # the release tells: its number is shown only if the result alone shows it as well.
    assert table.as_dict() == {"groups": ["a"], "totals": [45], "counts": {"o1": [25], "o2": [20]}}


# ------------------------------------------------------------------ how a table is shown
POLL = QUESTIONS["two"]


def test_the_newest_release_with_a_table_of_the_dimension_is_shown_question_by_question():
    first = {"patterns": [[["q1-o1", "q2-o1"], 30], [["q1-o2", "q2-o2"], 25]],
             "tables": {"gender": {"groups": ["f", "m"], "totals": [30, 25],
                                   "counts": {"q1-o1": [30, 0], "q1-o2": [0, 25], "q2-o1": [30, None],
                                              "q2-o2": [None, 25]}},
                        "age": None}}
    second = {"patterns": [[["q1-o1", "q2-o1"], 31], [["q1-o2", "q2-o2"], 25]], "tables": {"gender": None}}

    view = published(POLL, [first, second], "gender", 10, group_title={"f": "женщины", "m": "мужчины"}.get)

    def row(group, title, total, *cells):
        return {"group": group, "title": title, "total": {"count": total}, "cells": [{"count": c} for c in cells]}

    assert view == {
        "dimension": "gender", "title": "по полу", "threshold": 10, "total_ballots": 55,
        "questions": [
            {"question_id": "q1", "text": "Где?",
             "options": [{"id": "q1-o1", "text": "А"}, {"id": "q1-o2", "text": "Б"}],
             "rows": [row("f", "женщины", 30, 30, 0), row("m", "мужчины", 25, 0, 25)]},
            {"question_id": "q2", "text": "Когда?",
             "options": [{"id": "q2-o1", "text": "Да"}, {"id": "q2-o2", "text": "Нет"}],
             "rows": [row("f", "женщины", 30, 30, None), row("m", "мужчины", 25, None, 25)]},
        ]}


def test_a_dimension_never_published_shows_no_rows_and_an_unknown_one_is_refused():
    first = {"patterns": [[["q1-o1", "q2-o1"], 12]], "tables": {"gender": None}}
    view = published(POLL, [first], "age", 10)
    assert view["total_ballots"] == 0 and view["title"] == "по возрасту"
    assert [q["rows"] for q in view["questions"]] == [[], []]
    assert [q["question_id"] for q in view["questions"]] == ["q1", "q2"]
    assert published(POLL, [], "territory", 5)["questions"][1]["rows"] == []
    with pytest.raises(ValueError, match="region"):
        published(POLL, [first], "region", 10)


def test_groups_are_listed_in_order_with_the_unknown_group_last():
    ballots = [VoterGroupBallot(("q1-o1",), t, a, g) for t, a, g in
               [("gp-satka", "65+", "m"), ("gp-bakal", "-", "-"), ("gp-bakal", "18–24", "f")] for _ in range(12)]
    first = release(QUESTIONS["one"], ballots, 10)
    assert first["tables"]["age"]["groups"] == ["18–24", "65+", "-"]
    assert first["tables"]["gender"]["groups"] == ["f", "m", "-"]
    assert first["tables"]["territory"]["groups"] == ["gp-bakal", "gp-satka"]
    assert first["patterns"] == [[["q1-o1"], 36]]
    assert set(first["tables"]) == set(DIMENSIONS)
    # `breakdown` is the first release of one dimension as shown, its titles from the caller
    view = breakdown(QUESTIONS["one"], ballots, "gender", 10, group_title=str.upper)
    assert [(r["group"], r["title"]) for r in view["questions"][0]["rows"]] == [("f", "F"), ("m", "M"), ("-", "-")]
    assert view["total_ballots"] == 36 and view["threshold"] == 10


def test_a_cell_reads_as_its_number_or_hidden():
    assert shown({"count": 0}) == "0" and shown({"count": 17}) == "17"
    assert shown({"count": None}) == HIDDEN_TEXT == "скрыто"


def test_a_live_count_is_rounded_down_to_its_step_and_a_step_of_one_shows_every_ballot():
    assert [live(n, 5) for n in (0, 4, 5, 9, 12)] == [0, 0, 5, 5, 10]
    assert [live(n, 1) for n in (0, 1, 7)] == [0, 1, 7]
    assert [live(n, 0) for n in (0, 3)] == [0, 3]
    assert live(23, 2) == 22


if __name__ == "__main__":
    data = {str(seed): releases_of(poll(seed)) for seed in SEEDS}
    GOLDEN.write_text(json.dumps(data, ensure_ascii=False, sort_keys=True, indent=None, separators=(",", ":")) + "\n",
                      "utf-8")
    print(f"wrote {GOLDEN} ({len(data)} polls)", file=sys.stderr)
