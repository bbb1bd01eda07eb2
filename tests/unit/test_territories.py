"""The seeded territory tree matches the real administrative structure of the Chelyabinsk region."""

from __future__ import annotations

import re
from collections import Counter

import pytest
from aj74.territories import Territory, TerritoryTree, UnknownTerritory, territory_tree

URBAN_DISTRICTS = [
    "Челябинский", "Верхнеуфалейский", "Златоустовский", "Карабашский", "Копейский", "Кыштымский",
    "Локомотивный", "Магнитогорский", "Миасский", "Озёрский", "Снежинский", "Трёхгорный", "Троицкий",
    "Усть-Катавский", "Чебаркульский", "Южноуральский",
]
MUNICIPAL_DISTRICTS = [
    "Агаповский", "Аргаяшский", "Ашинский", "Брединский", "Варненский", "Верхнеуральский", "Еманжелинский",
    "Еткульский", "Карталинский", "Каслинский", "Катав-Ивановский", "Кизильский", "Коркинский",
    "Красноармейский", "Кунашакский", "Кусинский", "Нагайбакский", "Нязепетровский", "Октябрьский",
    "Пластовский", "Саткинский", "Сосновский", "Троицкий", "Увельский", "Уйский", "Чебаркульский",
    "Чесменский",
]
CHELYABINSK_CITY_DISTRICTS = [
    "Калининский", "Курчатовский", "Ленинский", "Металлургический", "Советский", "Тракторозаводский",
    "Центральный",
]
SATKA_URBAN_SETTLEMENTS = {"Сатка", "Бакал", "Межевой", "Сулея", "Бердяуш"}
SATKA_RURAL_SETTLEMENTS = {"Айлинское сельское поселение", "Романовское сельское поселение"}

READABLE_ID = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")


@pytest.fixture(scope="module")
def tree() -> TerritoryTree:
    return territory_tree()


def first_words(territories) -> list[str]:
    return sorted(t.name.split()[0] for t in territories)


def of_kind(tree: TerritoryTree, kind: str) -> list[Territory]:
    return [t for t in tree.all() if t.kind == kind]


def only(tree: TerritoryTree, kind: str, first_word: str) -> Territory:
    matches = [t for t in of_kind(tree, kind) if t.name.split()[0] == first_word]
    assert len(matches) == 1, f"{first_word} ({kind}): {matches}"
    return matches[0]


def test_the_root_is_the_chelyabinsk_region(tree):
    assert tree.root.name == "Челябинская область"
    assert tree.root.kind == "region"
    assert of_kind(tree, "region") == [tree.root]


def test_sixteen_urban_districts_with_their_real_names(tree):
    districts = of_kind(tree, "urban_district")

    assert first_words(districts) == sorted(URBAN_DISTRICTS)
    assert all(t.parent_id == tree.root.id for t in districts)
    assert all("городской округ" in t.name for t in districts)


def test_twenty_seven_municipal_districts_with_their_real_names(tree):
    districts = of_kind(tree, "municipal_district")

    assert first_words(districts) == sorted(MUNICIPAL_DISTRICTS)
    assert all(t.parent_id == tree.root.id for t in districts)
    assert all("муниципальный район" in t.name for t in districts)


def test_chelyabinsk_has_its_seven_intracity_districts(tree):
    chelyabinsk = only(tree, "urban_district", "Челябинский")

    children = tree.children(chelyabinsk.id)

    assert first_words(children) == sorted(CHELYABINSK_CITY_DISTRICTS)
    assert {t.kind for t in children} == {"intracity_district"}
    assert len(of_kind(tree, "intracity_district")) == 7


def test_troitsk_and_chebarkul_exist_both_as_town_and_as_district(tree):
    # Same adjective, two different municipalities: they must not be merged.
    for word in ("Троицкий", "Чебаркульский"):
        town = only(tree, "urban_district", word)
        district = only(tree, "municipal_district", word)
        assert town.id != district.id


def test_satka_district_holds_its_towns_and_rural_settlements(tree):
    satkinsky = only(tree, "municipal_district", "Саткинский")

    children = tree.children(satkinsky.id)

    assert {t.name for t in children if t.kind == "urban_settlement"} == SATKA_URBAN_SETTLEMENTS
    assert {t.name for t in children if t.kind == "rural_settlement"} == SATKA_RURAL_SETTLEMENTS


def test_chain_of_satka_runs_up_to_the_region(tree):
    satka = next(t for t in of_kind(tree, "urban_settlement") if t.name == "Сатка")

    chain = tree.chain(satka.id)

    assert [t.name for t in chain] == ["Сатка", "Саткинский муниципальный район", "Челябинская область"]


def test_chain_of_an_intracity_district_runs_through_the_city(tree):
    central = only(tree, "intracity_district", "Центральный")

    names = [t.name.split()[0] for t in tree.chain(central.id)]

    assert names == ["Центральный", "Челябинский", "Челябинская"]


def test_containment_follows_the_tree(tree):
    satka = next(t for t in tree.all() if t.name == "Сатка")
    satkinsky = only(tree, "municipal_district", "Саткинский")
    magnitogorsk = only(tree, "urban_district", "Магнитогорский")

    assert tree.is_within(satka.id, satkinsky.id)
    assert tree.is_within(satka.id, tree.root.id)
    assert tree.is_within(satka.id, satka.id)
    assert not tree.is_within(satka.id, magnitogorsk.id)
    assert tree.within_any(satka.id, [magnitogorsk.id, satkinsky.id])
    below = {t.id for t in tree.children(satkinsky.id)}
    assert set(tree.descendant_ids(satkinsky.id)) == {satkinsky.id} | below


def test_ids_are_unique_readable_and_every_name_is_russian(tree):
    territories = tree.all()
    ids = [t.id for t in territories]

    assert len(ids) == len(set(ids)) == len(tree)
    assert [i for i in ids if not READABLE_ID.match(i)] == []
    assert [t.name for t in territories if not re.search("[А-ЯЁа-яё]", t.name)] == []


def test_names_are_unique_within_each_parent(tree):
    siblings = Counter((t.parent_id, t.name) for t in tree.all())

    assert [key for key, n in siblings.items() if n > 1] == []


def test_unknown_territory_is_a_lookup_error_naming_the_id(tree):
    with pytest.raises(UnknownTerritory) as caught:
        tree.chain("atlantis")

    assert caught.value.territory_id == "atlantis"
    assert "atlantis" not in tree


@pytest.mark.parametrize("value", [["gp-satka"], {"id": "gp-satka"}])
def test_a_non_string_id_from_a_request_is_simply_unknown(tree, value):
    assert value not in tree
    with pytest.raises(UnknownTerritory):
        tree.get(value)


@pytest.mark.parametrize("territories,problem", [
    ([Territory("a", "А", "region", None), Territory("b", "Б", "region", None)], "one root"),
    ([Territory("a", "А", "region", None), Territory("b", "Б", "urban_district", "zz")], "unknown parent"),
    ([Territory("a", "А", "planet", None)], "unknown kind"),
])
def test_an_inconsistent_tree_is_refused_at_load(territories, problem):
    with pytest.raises(ValueError, match=problem):
        TerritoryTree(territories)


# ---------------------------------------------------------------- the rollout zone (issue 17)
ROLLOUT_URBAN_SETTLEMENTS = {
    "mr-ashinsky": {"Аша", "Миньяр", "Сим", "Кропачёво"},
    "mr-katav-ivanovsky": {"Катав-Ивановск", "Юрюзань"},
    "mr-kusinsky": {"Куса", "Магнитка"},
    "mr-nyazepetrovsky": {"Нязепетровск"},
    "mr-satkinsky": SATKA_URBAN_SETTLEMENTS,
}


def test_the_rollout_districts_hold_their_urban_settlements(tree):
    for district, towns in ROLLOUT_URBAN_SETTLEMENTS.items():
        urban = {t.name for t in tree.children(district) if t.kind == "urban_settlement"}
        assert urban == towns, district
    # 14 seeded; the presentation's 13 is these without Нязепетровск (docs/decisions/017).
    assert sum(len(v) for v in ROLLOUT_URBAN_SETTLEMENTS.values()) == 14


def test_every_urban_settlement_keeps_its_official_name(tree):
    urban = of_kind(tree, "urban_settlement")
    assert [t.id for t in urban if not (t.official_name or "").endswith("городское поселение")] == []
    assert tree.get("gp-magnitka").official_name == "Магнитское городское поселение"


def test_the_file_says_its_source_and_version():
    from aj74.territories import packaged

    assert "файл версии 2" in packaged().source and "Законы Челябинской области" in packaged().source
    assert packaged().version == 0  # not (yet) a table: the packaged file


def test_population_and_oktmo_travel_in_the_public_view(tree):
    region = tree.root.as_dict()
    assert region["oktmo"] == "75000000" and region["population"] == 3_493_036
    assert "population" not in tree.get("gp-asha").as_dict()


def test_a_retired_territory_is_not_in_the_tree_but_stays_in_the_registry():
    from aj74.territories import Registry

    records = [Territory("r", "Регион", "region", None), Territory("d", "Район", "municipal_district", "r"),
               Territory("s", "Старое", "rural_settlement", "d", retired_at="2026-01-01T00:00:00Z")]
    registry = Registry.of(records, 3, "тест")
    assert "s" not in registry.tree and len(registry.records) == 3
