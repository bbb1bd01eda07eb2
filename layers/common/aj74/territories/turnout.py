"""Turnout: ballots as a share of the eligible population of a poll's territories, where the
registry knows their population (docs/decisions/017-territory-registry.md).

The eligible population is estimated, not counted: the registry holds each territory's total
population, and the share of people at or above the poll's minimum age is taken from a coarse,
region-wide age structure (Chelyabinsk region, Росстат, rounded) interpolated by year of age.
"""

from __future__ import annotations

from aj74.territories import TerritoryTree

# Share of the region's population at or above each age (rounded; linear between the points).
SHARE_AT_LEAST_AGE = ((0, 1.0), (14, 0.83), (16, 0.805), (18, 0.78), (21, 0.745), (25, 0.70), (35, 0.56),
                      (45, 0.43), (55, 0.31), (60, 0.24), (65, 0.17), (80, 0.04), (100, 0.0))
METHOD = ("Оценка: численность населения территорий из реестра × доля жителей не моложе возрастного ценза "
          "опроса по возрастной структуре населения области (Росстат, округлённо).")


def share_at_least(age: int) -> float:
    """The estimated share of residents aged ``age`` or older."""
    points = SHARE_AT_LEAST_AGE
    if age <= points[0][0]:
        return 1.0
    for (a0, s0), (a1, s1) in zip(points, points[1:], strict=False):
        if a0 <= age <= a1:
            return round(s0 + (s1 - s0) * (age - a0) / (a1 - a0), 4)
    return 0.0


def _share(ballots: int | None, eligible: int | None) -> float | None:
    if ballots is None or not eligible:
        return None
    return round(ballots / eligible, 4)


def turnout(territory_ids, min_age: int | None, ballots: int, tree: TerritoryTree,
            ballots_by_territory: dict[str, int | None] | None = None) -> dict:
    """The ``turnout`` object of staff results. ``share`` is null unless every territory of the
    poll has a population; ``by_territory`` gives each territory's own figure where known."""
    age = min_age or 0
    adult = share_at_least(age)
    rows, missing, years = [], [], []
    for t_id in territory_ids:
        t = tree.get(t_id) if t_id in tree else None
        population = t.population if t else None
        eligible = round(population * adult) if population is not None else None
        if population is None:
            missing.append(t.name if t else t_id)
        else:
            years.append(t.population_year)
        own = ballots if len(territory_ids) == 1 else (ballots_by_territory or {}).get(t_id)
        rows.append({"territory_id": t_id, "name": t.name if t else t_id, "population": population,
                     "population_year": t.population_year if t else None, "eligible_population": eligible,
                     "ballots": own, "share": _share(own, eligible)})
    eligible_total = None if missing or not rows else sum(r["eligible_population"] for r in rows)
    return {"ballots": ballots, "min_age": age, "age_share": adult, "eligible_population": eligible_total,
            "share": _share(ballots, eligible_total), "population_year": min(years) if years else None,
            "territories_without_population": missing, "method": METHOD, "by_territory": rows}


def ballots_by_territory(breakdown: dict | None, territory_ids, tree: TerritoryTree) -> dict[str, int | None]:
    """Ballots per poll territory from a published territory breakdown: the sum of its groups that
    lie within it; None where a group inside is hidden (small-cell suppression)."""
    if not breakdown or not breakdown.get("questions"):
        return {}
    rows = breakdown["questions"][0]["rows"]
    out: dict[str, int | None] = {}
    for t_id in territory_ids:
        total: int | None = 0
        for row in rows:
            group = row["group"]
            if group in tree and tree.is_within(group, t_id):
                count = row["total"].get("count")
                total = None if count is None or total is None else total + count
        out[t_id] = total
    return out
