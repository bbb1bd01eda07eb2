"""Disclosure control, checked by an auditor that sees only what is published.

The auditor here is written independently of ``aj74.polls.disclosure``: it models every ballot by
its (territory, age band, gender, ballot pattern) jointly, takes as constraints every published
number of every dimension (pattern counts from the published ballot list, group totals and
group × option counts, listed groups non-empty, earlier releases and their increments) and bounds
each hidden number with two LPs (scipy HiGHS). Its LP range contains every integer solution, so if
the LP range is wide, so is any range an integer-reasoning attacker can reach.

A number the published overall result already pins (a one-group dimension, an option nobody chose)
cannot be protected by suppression; the auditor then asks only that the breakdown narrows it no
further (``min(threshold, width from the result alone)``).
"""

from __future__ import annotations

import itertools
import os
from collections import Counter

import numpy as np
import pytest
from aj74.polls.breakdown import DIMENSIONS, VoterGroupBallot, release
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog

THRESHOLD = 10
SIZES = [0, 1, 2, 3, 8, 9, 10, 11, 15, 19, 20, 31]  # around the threshold, where leaks live
DIM_INDEX = {"territory": 0, "age": 1, "gender": 2}

# `make test` searches 850 polls in these three properties and 800 joint three-dimension polls (~60 s
# here) in the slow one: over 1,600 tables. `make test-fast` (AJ74_TEST_TIER=fast) searches a tenth of
# the 850, enough to meet a leak that is not rare, in a twentieth of the time.
# AJ74_DISCLOSURE_EXAMPLES=3000 runs a deeper three-dimension search by hand (~4 min).
# Under mutation testing (`make mutants`, AJ74_TEST_TIER=mutation) the fast tier's search, and a
# failing example kills the mutant as found: no shrinking, which can take longer than the search.
TIER = os.environ.get("AJ74_TEST_TIER", "")
SCALE = 0.1 if TIER in ("fast", "mutation") else 1.0
PHASES = [phase for phase in Phase if phase is not Phase.shrink or TIER != "mutation"]


def examples(n: int) -> int:
    return max(10, int(n * SCALE))


settings.register_profile("disclosure", max_examples=examples(500), deadline=None, phases=PHASES,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("disclosure-slow", max_examples=int(os.environ.get("AJ74_DISCLOSURE_EXAMPLES", "800")),
                          deadline=None, phases=PHASES,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


# ------------------------------------------------------------------ the auditor
class Auditor:
    """Everything published about one poll, as a joint LP over (territory, age, gender, pattern)."""

    def __init__(self, releases: list[dict], dims: tuple[str, ...]):
        self.releases, self.dims = releases, dims
        groups = [sorted({g for r in releases for t in [r["tables"].get(d)] if t for g in t["groups"]})
                  or ["*"] for d in DIMENSIONS]
        self.cells = list(itertools.product(*groups))  # joint (territory, age, gender)
        self.patterns = sorted({tuple(p) for r in releases for p, _ in r["patterns"]})
        self.n_rel = len(releases)
        self.n = self.n_rel * len(self.cells) * len(self.patterns)
        self.eq: list[tuple[np.ndarray, float]] = []
        self.ge: list[tuple[np.ndarray, float]] = []
        self.upper = np.zeros(self.n)
        before = Counter()
        for s, r in enumerate(releases):
            counts = Counter({tuple(p): n for p, n in r["patterns"]})
            for k, p in enumerate(self.patterns):
                row = np.zeros(self.n)
                for c in range(len(self.cells)):
                    row[self.var(s, c, k)] = 1
                    self.upper[self.var(s, c, k)] = counts[p] - before[p]
                self.eq.append((row, counts[p] - before[p]))
            before = counts

    def var(self, s, c, k):
        return (s * len(self.cells) + c) * len(self.patterns) + k

    def expr(self, s, dim, group, option=None, without=None, only=False):
        row = np.zeros(self.n)
        d = DIM_INDEX[dim]
        for r in range(s if only else 0, s + 1):
            for c, cell in enumerate(self.cells):
                if cell[d] != group:
                    continue
                for k, p in enumerate(self.patterns):
                    if (option is None or option in p) and (without is None or without not in p):
                        row[self.var(r, c, k)] = 1
        return row

    def publish(self, upto: int):
        """Constrain with every table of releases ``0..upto``."""
        for s in range(upto + 1):
            for dim in self.dims:
                table = self.releases[s]["tables"].get(dim)
                if table is None:
                    continue
                for i, g in enumerate(table["groups"]):
                    self.ge.append((self.expr(s, dim, g), 1.0))
                    if table["totals"][i] is not None:
                        self.eq.append((self.expr(s, dim, g), table["totals"][i]))
                    for o, counts in table["counts"].items():
                        if counts[i] is not None:
                            self.eq.append((self.expr(s, dim, g, o), counts[i]))

    def bound(self, objective: np.ndarray, maximise: bool) -> float:
        a_eq = np.array([r for r, _ in self.eq])
        b_eq = np.array([v for _, v in self.eq])
        a_ub = np.array([-r for r, _ in self.ge]) if self.ge else None
        b_ub = np.array([-v for _, v in self.ge]) if self.ge else None
        res = linprog(-objective if maximise else objective, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                      bounds=list(zip(np.zeros(self.n), self.upper, strict=True)), method="highs")
        assert res.status == 0, res.message
        return float(objective @ res.x)

    def range(self, objective):
        return self.bound(objective, False), self.bound(objective, True)


def audit(releases: list[dict], dims: tuple[str, ...]) -> list[str]:
    """What the auditor learns that it must not: hidden numbers narrower than the threshold, groups
    it can prove (nearly) unanimous, a late ballot's group and choice."""
    last = len(releases) - 1
    seen = Auditor(releases, dims)
    seen.publish(last)
    # The same auditor, before the newest release's tables: what was already known.
    base = Auditor(releases, dims)
    base.publish(last - 1)
    for dim in dims:  # the newest release still lists its groups
        table = releases[last]["tables"].get(dim)
        for g in table["groups"] if table else []:
            base.ge.append((base.expr(last, dim, g), 1.0))
    leaks = []

    def check(name, objective, one_sided=False):
        low, high = (0.0, seen.bound(objective, True)) if one_sided else seen.range(objective)
        if (high if one_sided else high - low) >= THRESHOLD - 1e-6:
            return  # wide enough whatever the result alone says: no need to ask
        b_low, b_high = base.range(objective)
        if one_sided:
            if high < min(THRESHOLD, b_high) - 1e-6:
                leaks.append(f"{name}: at most {high:.2f} dissent (result alone: {b_high:.2f})")
        elif high - low < min(THRESHOLD, b_high - b_low) - 1e-6:
            leaks.append(f"{name}: pinned to [{low:.2f}, {high:.2f}] (result alone: [{b_low:.2f}, {b_high:.2f}])")

    for s in range(last + 1):
        for dim in dims:
            table = releases[s]["tables"].get(dim)
            if table is None:
                continue
            for i, g in enumerate(table["groups"]):
                if table["totals"][i] is None:
                    check(f"r{s} {dim} {g} total", seen.expr(s, dim, g))
                for o, counts in table["counts"].items():
                    if counts[i] is None:
                        check(f"r{s} {dim} {g} {o}", seen.expr(s, dim, g, o))
                    # shown or not, no group can be proved (nearly) unanimous for an option
                    check(f"r{s} {dim} {g} not {o}", seen.expr(s, dim, g, without=o), one_sided=True)
    if last > 0:
        for dim in dims:
            table = releases[last]["tables"].get(dim)
            for g in table["groups"] if table else []:
                check(f"late ballots in {dim} {g}", seen.expr(last, dim, g, only=True))
                for o in table["counts"]:
                    check(f"late ballots in {dim} {g} for {o}", seen.expr(last, dim, g, o, only=True))
    return leaks


# ------------------------------------------------------------------ tables to try
QUESTIONS = {
    "one": [{"id": "q1", "text": "?", "options": [{"id": "q1-o1", "text": "А"}, {"id": "q1-o2", "text": "Б"},
                                                     {"id": "q1-o3", "text": "В"}]}],
    "two": [{"id": "q1", "text": "?", "options": [{"id": "q1-o1", "text": "А"}, {"id": "q1-o2", "text": "Б"}]},
            {"id": "q2", "text": "?", "options": [{"id": "q2-o1", "text": "Да"}, {"id": "q2-o2", "text": "Нет"}]}],
}


def patterns_of(kind: str) -> list[tuple[str, ...]]:
    if kind == "one":
        return [("q1-o1",), ("q1-o2",), ("q1-o3",)]
    return [(a, b) for a in ("q1-o1", "q1-o2") for b in ("q2-o1", "q2-o2")]


@st.composite
def polls(draw, max_groups=3, dims=("gender",)):
    kind = draw(st.sampled_from(sorted(QUESTIONS)))
    pats = patterns_of(kind)
    territories = [f"t{i}" for i in range(draw(st.integers(1, max_groups)) if "territory" in dims else 1)]
    genders = ["f", "m", "-"][: draw(st.integers(1, 3)) if "gender" in dims else 1]
    ages = ["18–24", "25–34"][: draw(st.integers(1, 2)) if "age" in dims else 1]
    adversarial = draw(st.booleans())  # whole groups unanimous or empty in an option
    ballots = []
    for t, a, g in itertools.product(territories, ages, genders):
        favourite = draw(st.sampled_from(pats))
        for p in pats:
            n = draw(st.sampled_from(SIZES))
            if adversarial and p != favourite and draw(st.booleans()):
                n = 0
            ballots += [VoterGroupBallot(p, t, a, g)] * n
    return kind, ballots


def released(kind, ballots, dims, earlier=()):
    return release(QUESTIONS[kind], ballots, THRESHOLD, earlier, dimensions=dims)


# ------------------------------------------------------------------ properties
@settings(settings.get_profile("disclosure"))
@given(polls(max_groups=4, dims=("gender",)), st.sampled_from(["gender"]))
def test_one_dimension_never_pins_a_hidden_number_or_shows_a_unanimous_group(poll, dim):
    kind, ballots = poll
    if not ballots:
        return
    first = released(kind, ballots, (dim,))

    assert audit([first], (dim,)) == []


@settings(settings.get_profile("disclosure"), max_examples=examples(250))
@given(polls(max_groups=3, dims=("territory", "gender")))
def test_every_dimension_together_never_pins_a_hidden_number(poll):
    kind, ballots = poll
    if not ballots:
        return
    dims = ("territory", "gender")
    first = released(kind, ballots, dims)

    assert audit([first], dims) == []


@settings(settings.get_profile("disclosure"), max_examples=examples(100))
@given(polls(max_groups=3, dims=("territory",)), st.lists(st.tuples(st.integers(0, 2), st.integers(0, 3)),
                                                          min_size=1, max_size=12))
def test_an_amendment_never_gives_away_the_late_ballots(poll, late):
    kind, ballots = poll
    if not ballots:
        return
    dims = ("territory",)
    first = released(kind, ballots, dims)
    pats = patterns_of(kind)
    groups = sorted({b.territory_id for b in ballots})
    extra = [VoterGroupBallot(pats[p % len(pats)], groups[g % len(groups)], "25–34", "-") for g, p in late]
    second = released(kind, ballots + extra, dims, [first])

    assert audit([first, second], dims) == []


@pytest.mark.slow
@settings(settings.get_profile("disclosure-slow"))
@given(polls(max_groups=3, dims=("territory", "age", "gender")))
def test_three_dimensions_at_scale(poll):
    kind, ballots = poll
    if not ballots:
        return
    first = released(kind, ballots, DIMENSIONS)

    assert audit([first], DIMENSIONS) == []
