"""Turnout: ballots as a share of the estimated eligible population of a poll's territories."""

from __future__ import annotations

import pytest
from aj74.territories import Territory, TerritoryTree
from aj74.territories.service import _slug
from aj74.territories.turnout import ballots_by_territory, share_at_least, turnout


@pytest.fixture
def tree() -> TerritoryTree:
    return TerritoryTree([
        Territory("r", "Область", "region", None, population=3_000_000, population_year=2024),
        Territory("d", "Район", "municipal_district", "r", population=40_000, population_year=2023),
        Territory("a", "Город А", "urban_settlement", "d", population=30_000, population_year=2024),
        Territory("b", "Посёлок Б", "urban_settlement", "d"),
    ])


@pytest.mark.parametrize("age,share", [(0, 1.0), (14, 0.83), (16, 0.805), (18, 0.78), (15, 0.8175), (120, 0.0)])
def test_the_share_at_or_above_an_age_follows_the_age_structure(age, share):
    assert share_at_least(age) == pytest.approx(share)


def test_turnout_of_a_district_poll(tree):
    t = turnout(["d"], 18, 3120, tree)

    assert t["eligible_population"] == 31_200 and t["share"] == 0.1
    assert t["by_territory"][0] | {} == {"territory_id": "d", "name": "Район", "population": 40_000,
                                         "population_year": 2023, "eligible_population": 31_200,
                                         "ballots": 3120, "share": 0.1}
    assert t["population_year"] == 2023 and t["territories_without_population"] == []


def test_no_share_while_a_territory_has_no_population(tree):
    t = turnout(["a", "b"], 14, 500, tree, {"a": 400, "b": None})

    assert t["share"] is None and t["eligible_population"] is None
    assert t["territories_without_population"] == ["Посёлок Б"]
    assert t["by_territory"][0]["share"] == round(400 / round(30_000 * 0.83), 4)
    assert t["by_territory"][1]["share"] is None


def test_ballots_per_territory_from_a_breakdown_sum_the_groups_inside_and_respect_suppression(tree):
    def row(group, count):
        return {"group": group, "title": group, "total": {"count": count}, "cells": []}

    breakdown = {"dimension": "territory", "questions": [{"rows": [row("a", 40), row("b", None), row("d", 5)]}]}

    assert ballots_by_territory(breakdown, ["a", "b", "d"], tree) == {"a": 40, "b": None, "d": None}
    assert ballots_by_territory(None, ["a"], tree) == {}


@pytest.mark.parametrize("name,slug", [
    ("Айлинское сельское поселение", "aylinskoye"), ("Кропачёво", "kropachyovo"),
    ("Тестовое сельское поселение", "testovoye"), ("Юрюзань", "yuryuzan"), ("Катав-Ивановск", "katav-ivanovsk"),
])
def test_ids_are_made_from_names_as_the_seeded_ones_are(name, slug):
    assert _slug(name) == slug
