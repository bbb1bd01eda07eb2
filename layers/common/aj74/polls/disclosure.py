"""Disclosure control for breakdowns: suppress cells until nothing hidden can be narrowed below the
threshold from everything published about a poll (docs/decisions/014-disclosure-control.md).

The auditor's model of one dimension (territory, age band or gender). Everything published is a
linear function of the unknown counts ``x[s][g][p]``: ballots of group ``g`` with ballot pattern ``p``
(the set of options chosen, public through the published ballot list) that arrived in release ``s``
(the first result, then each amendment). Known: the count of every pattern in every release, the
groups listed (each non-empty) and every shown number of every release's table (group totals and
group × option counts, cumulative up to that release). Dimensions are independent given the pattern
counts (any 1-D margins with equal sums are realised by some joint table), so each is solved alone.

A hidden number's feasible range is bounded by two LPs (min and max) over that system; the LP range
contains every integer solution's, so a range wide in the LP is at least as wide for an auditor who
reasons in integers. scipy's HiGHS solves them; many targets share one call as a block-diagonal LP.

scipy is imported here only, and this module only on the breakdown path (finalisation, amendment,
and a legacy result without frozen breakdowns): no other route pays for loading it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

Pattern = tuple[str, ...]
# A published table of one dimension: groups in display order, a total per group and a count per
# option per group; None where hidden.
EPSILON = 1e-6
MAX_BLOCK_VARIABLES = 150_000  # variables per HiGHS call when many targets share one LP


@dataclass(frozen=True)
class Table:
    groups: tuple[str, ...]
    totals: tuple[int | None, ...]
    counts: Mapping[str, tuple[int | None, ...]]  # option id -> one per group

    def as_dict(self) -> dict:
        return {"groups": list(self.groups), "totals": list(self.totals),
                "counts": {o: list(v) for o, v in self.counts.items()}}

    @classmethod
    def from_dict(cls, data: dict) -> Table:
        return cls(tuple(data["groups"]), tuple(data["totals"]), {o: tuple(v) for o, v in data["counts"].items()})


@dataclass(frozen=True)
class Release:
    """What one publication of a poll's result made public in one dimension: the count of every
    ballot pattern (cumulative) and the table, or None when this release published no table."""

    patterns: Mapping[Pattern, int]
    table: Table | None


# ------------------------------------------------------------------ the auditor's LP
@dataclass
class System:
    """Linear constraints over ``x[s][g][p] >= 0``; expressions are {variable index: coefficient}."""

    groups: tuple[str, ...]
    patterns: tuple[Pattern, ...]
    releases: int
    increments: list[list[int]]  # per release, per pattern
    eq: list[tuple[dict[int, float], float]] = field(default_factory=list)
    ge: list[tuple[dict[int, float], float]] = field(default_factory=list)

    @classmethod
    def of(cls, groups: Sequence[str], releases: Sequence[Mapping[Pattern, int]]) -> System:
        patterns = tuple(sorted({p for r in releases for p in r}))
        increments, before = [], dict.fromkeys(patterns, 0)
        for counts in releases:
            inc = [int(counts.get(p, 0)) - before[p] for p in patterns]
            if min(inc, default=0) < 0:
                raise ValueError("a later release has fewer ballots of a pattern than an earlier one")
            increments.append(inc)
            before = {p: int(counts.get(p, 0)) for p in patterns}
        system = cls(tuple(groups), patterns, len(releases), increments)
        for s in range(system.releases):
            for k in range(len(patterns)):
                system.eq.append(({system.var(s, g, k): 1.0 for g in range(len(groups))}, float(increments[s][k])))
        return system

    @property
    def size(self) -> int:
        return self.releases * len(self.groups) * len(self.patterns)

    def var(self, s: int, g: int, k: int) -> int:
        return (s * len(self.groups) + g) * len(self.patterns) + k

    def count(self, s: int, g: int, option: str | None = None, *, only_release: bool = False,
              without: str | None = None) -> dict[int, float]:
        """Ballots of group ``g`` up to release ``s`` (or in it alone), choosing ``option`` (or any),
        or not choosing ``without``."""
        first = s if only_release else 0
        return {self.var(r, g, k): 1.0 for r in range(first, s + 1) for k, p in enumerate(self.patterns)
                if (option is None or option in p) and (without is None or without not in p)}

    def publish(self, s: int, table: Table) -> None:
        """Add release ``s``'s table: each listed group is non-empty, each shown number fixed."""
        for g, name in enumerate(self.groups):
            if name in table.groups:
                self.ge.append((self.count(s, g), 1.0))
        for i, name in enumerate(table.groups):
            g = self.groups.index(name)
            if table.totals[i] is not None:
                self.eq.append((self.count(s, g), float(table.totals[i])))
            for option, values in table.counts.items():
                if values[i] is not None:
                    self.eq.append((self.count(s, g, option), float(values[i])))

    def copy(self) -> System:
        return System(self.groups, self.patterns, self.releases, self.increments, list(self.eq), list(self.ge))

    def optimise(self, objectives: Sequence[tuple[dict[int, float], bool]]) -> list[float]:
        """The optimum of each (expression, maximise) over this system's LP relaxation."""
        if not objectives:
            return []
        n = self.size
        per_call = max(1, MAX_BLOCK_VARIABLES // max(n, 1))
        out: list[float] = []
        for start in range(0, len(objectives), per_call):
            out += self._solve_block(objectives[start:start + per_call])
        return out

    def _solve_block(self, objectives: Sequence[tuple[dict[int, float], bool]]) -> list[float]:
        import numpy as np
        from scipy import sparse
        from scipy.optimize import linprog

        n, k = self.size, len(objectives)
        upper = np.array([self.increments[s][p] for s in range(self.releases) for _ in self.groups
                          for p in range(len(self.patterns))], dtype=float)

        def matrix(rows):
            data, ri, ci = [], [], []
            for r, (expr, _) in enumerate(rows):
                for c, v in expr.items():
                    data.append(v)
                    ri.append(r)
                    ci.append(c)
            return sparse.csr_matrix((data, (ri, ci)), shape=(len(rows), n))

        a_eq = sparse.block_diag([matrix(self.eq)] * k, format="csr")
        b_eq = np.tile([v for _, v in self.eq], k)
        a_ub = b_ub = None
        if self.ge:
            a_ub = sparse.block_diag([-matrix(self.ge)] * k, format="csr")
            b_ub = np.tile([-v for _, v in self.ge], k)
        c = np.zeros(n * k)
        for i, (expr, maximise) in enumerate(objectives):
            for j, v in expr.items():
                c[i * n + j] = -v if maximise else v
        bounds = np.column_stack([np.zeros(n * k), np.tile(upper, k)])
        res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq, bounds=bounds, method="highs")
        if res.status != 0:
            raise RuntimeError(f"disclosure LP failed: {res.message}")
        return [sum(v * res.x[i * n + j] for j, v in expr.items()) for i, (expr, _) in enumerate(objectives)]


# ------------------------------------------------------------------ suppression
@dataclass(frozen=True)
class _Target:
    key: tuple  # ("t", g) / ("c", g, o): a hidden number; ("d", …): the same for a release's increment;
    # ("u", g, o): group g minus those choosing o (one-sided: its maximum must stay large)
    release: int
    expr: dict[int, float]
    group: str
    option: str | None


def protect(groups: Sequence[str], options: Sequence[tuple[str, str]], truth: Mapping[str, Mapping[Pattern, int]],
            patterns: Mapping[Pattern, int], earlier: Sequence[Release], threshold: int) -> Table:
    """The table of one dimension to publish now, with enough hidden that the auditor's LP over
    ``earlier`` releases and this one leaves every hidden number, every number of this release's
    increment and every group's "not choosing o" count at least ``threshold`` wide (or as wide as
    the already published result leaves it, when that is narrower).

    ``options`` are (question id, option id) in column order; ``truth[g][p]`` is the count of
    pattern ``p`` in group ``g`` now. Pure and deterministic.
    """
    options = list(options)
    releases = [r.patterns for r in earlier] + [patterns]
    system = System.of(groups, releases)
    now = len(releases) - 1
    for s, release in enumerate(earlier):
        if release.table is not None:
            system.publish(s, release.table)
    totals = [sum(truth.get(g, {}).values()) for g in groups]
    values: dict[tuple, int] = {}
    for i, g in enumerate(groups):
        values[("t", g)] = totals[i]
        for _, o in options:
            values[("c", g, o)] = sum(n for p, n in truth.get(g, {}).items() if o in p)
    hidden = {key for key, v in values.items() if v < threshold}

    targets = _fixed_targets(system, earlier, groups, options, now)
    for i, g in enumerate(groups):
        targets.append(_Target(("t", g), now, system.count(now, i), g, None))
        for _, o in options:
            targets.append(_Target(("c", g, o), now, system.count(now, i, o), g, o))
            targets.append(_Target(("u", g, o), now, system.count(now, i, without=o), g, o))

    all_hidden = Table(tuple(groups), tuple([None] * len(groups)), {o: tuple([None] * len(groups)) for _, o in options})
    baseline_system = system.copy()
    baseline_system.publish(now, all_hidden)
    baseline = _ranges(baseline_system, targets)
    question_of = {o: q for q, o in options}

    while True:
        trial = system.copy()
        trial.publish(now, _table(groups, options, values, hidden))
        # Earlier releases' hidden numbers, increments and dissent always; this release's numbers if hidden.
        watched = [t for t in targets if t.release < now or t.key[0] in ("d", "u") or t.key in hidden]
        ranges = _ranges(trial, watched)
        shown = [key for key in values if key not in hidden]
        picks = set()
        for t in watched:
            if _too_narrow(ranges[id(t)], baseline[id(t)], t, threshold) and shown:
                picks.add(_complement(t, shown, values, question_of))
        if not picks:
            return _table(groups, options, values, hidden)
        hidden |= picks


def _fixed_targets(system: System, earlier: Sequence[Release], groups: Sequence[str],
                   options: Sequence[tuple[str, str]], now: int) -> list[_Target]:
    """What earlier releases hid, and what this release's increment must not give away."""
    targets = []
    for s, release in enumerate(earlier):
        table = release.table
        if table is None:
            continue
        for i, g in enumerate(table.groups):
            j = system.groups.index(g)
            if table.totals[i] is None:
                targets.append(_Target(("t", g), s, system.count(s, j), g, None))
            for o, counts in table.counts.items():
                if counts[i] is None:
                    targets.append(_Target(("c", g, o), s, system.count(s, j, o), g, o))
                targets.append(_Target(("u", g, o), s, system.count(s, j, without=o), g, o))
    if now > 0:
        for j, g in enumerate(groups):
            targets.append(_Target(("d", "t", g), now, system.count(now, j, only_release=True), g, None))
            for _, o in options:
                targets.append(_Target(("d", "c", g, o), now, system.count(now, j, o, only_release=True), g, o))
    return targets


def _ranges(system: System, targets: Sequence[_Target]) -> dict[int, tuple[float, float]]:
    objectives: list[tuple[dict[int, float], bool]] = []
    for t in targets:
        if t.key[0] != "u":
            objectives.append((t.expr, False))
        objectives.append((t.expr, True))
    values = iter(system.optimise(objectives))
    out = {}
    for t in targets:
        low = next(values) if t.key[0] != "u" else 0.0
        out[id(t)] = (low, next(values))
    return out


def _too_narrow(now: tuple[float, float], base: tuple[float, float], target: _Target, threshold: int) -> bool:
    if target.key[0] == "u":  # the auditor must not be able to rule out `threshold` dissenters
        return now[1] < min(threshold, base[1]) - EPSILON
    return now[1] - now[0] < min(threshold, base[1] - base[0]) - EPSILON


def _complement(target: _Target, shown: list[tuple], values: dict[tuple, int], question_of: dict[str, str]) -> tuple:
    """The shown number to hide for a target that is too narrow: the smallest one on its row or its
    column (what a lone hidden number is computed from), else in its group, else anywhere."""
    g, o = target.group, target.option
    tiers = [[("c", g, o), ("t", g)]] if target.key[0] == "u" else []
    row = [("t", g)] + ([("c", g, x) for x in question_of if question_of[x] == question_of[o]] if o else [])
    column = [k for k in shown if (k[0] == "c" and o and k[2] == o) or (k[0] == "t" and o is None)]
    tiers += [row + column, [k for k in shown if k[1] == g], shown]
    shown_set = set(shown)
    for tier in tiers:
        candidates = [k for k in tier if k in shown_set]
        if candidates:
            return min(candidates, key=lambda k: (values[k], k))
    raise AssertionError("no shown number left")  # unreachable: `shown` is not empty


def _table(groups: Sequence[str], options: Iterable[tuple[str, str]], values: dict[tuple, int], hidden: set) -> Table:
    def cell(key):
        return None if key in hidden else values[key]

    return Table(tuple(groups), tuple(cell(("t", g)) for g in groups),
                 {o: tuple(cell(("c", g, o)) for g in groups) for _, o in options})
