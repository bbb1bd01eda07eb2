"""The territory registry in a table of the template: seeded from the packaged file, changed by the
IT administrator (audited, refused to others), read by every process once a minute at most."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from infra.local.provision import aws_client, provision
from tests.support.env import use_stack
from tests.support.polls import persona, poll_body, resident

# The full tier only (make test): the same behaviours run on the services' fakes in the fast
# tier (tests/unit/test_territory_service.py), and the contract tests hold the fakes to the adapters on moto;
# here they run end to end through the real adapters (docs/decisions/021).
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def registry_stack(moto_endpoint):
    return provision(moto_endpoint, stack_name="aj74-territories", parameters={
        "OidcIssuer": "http://127.0.0.1:9/dev", "OidcAudience": "aj74-test", "AdminOrigin": "http://127.0.0.1:9"})


@pytest.fixture(autouse=True)
def stack(registry_stack, moto_endpoint):
    use_stack(registry_stack.env_for("ApiFunction"), moto_endpoint)
    return registry_stack


def audit_entries(target_id: str) -> list[dict]:
    from aj74.audit.repository import AuditLog

    return [e for e in AuditLog().newest_first(None) if e["target_id"] == target_id]


def test_the_table_is_seeded_with_the_rollout_zone(stack, moto_endpoint):
    from aj74.territories import registry, territory_tree

    items = aws_client("dynamodb", moto_endpoint).scan(TableName=stack.ref("TerritoriesTable"))["Items"]
    tree = territory_tree()

    assert registry().version >= 1 and "файл версии 2" in registry().source
    assert len(items) == len(tree) + 1  # and the version item
    assert {t.name for t in tree.children("mr-ashinsky") if t.kind == "urban_settlement"} == {
        "Аша", "Миньяр", "Сим", "Кропачёво"}
    assert tree.is_within("gp-asha", "mr-ashinsky") and not tree.is_within("gp-asha", "mr-satkinsky")


def test_readers_check_the_version_item_at_most_once_a_minute(stack, monkeypatch):
    from aj74 import territories
    from aj74.territories import repository

    calls = {"version": 0, "scan": 0}
    real_version, real_scan = repository.TerritoryTable.version, repository.TerritoryTable._scan
    monkeypatch.setattr(repository.TerritoryTable, "version",
                        lambda self: calls.__setitem__("version", calls["version"] + 1) or real_version(self))
    monkeypatch.setattr(repository.TerritoryTable, "_scan",
                        lambda self: calls.__setitem__("scan", calls["scan"] + 1) or real_scan(self))
    now = [1000.0]
    monkeypatch.setattr(territories.time, "monotonic", lambda: now[0])
    territories.invalidate()

    for _ in range(50):
        territories.territory_tree()
    assert calls == {"version": 1, "scan": 1}  # the cold start

    now[0] += 59
    territories.territory_tree()
    assert calls == {"version": 1, "scan": 1}

    now[0] += 2
    territories.territory_tree()
    assert calls == {"version": 2, "scan": 1}  # unchanged: one GetItem, no scan


def test_the_administrator_adds_a_rural_settlement_usable_at_once_and_audited():
    from aj74.polls import model
    from aj74.territories import service, territory_tree

    created = service.create(persona("admin"), {
        "name": "Тестовое сельское поселение", "kind": "rural_settlement", "parent_id": "mr-ashinsky",
        "population": 1200, "population_year": 2024})

    tree = territory_tree()
    assert created["id"] == "sp-testovoye" and created["parent_name"] == "Ашинский муниципальный район"
    assert tree.chain_ids("sp-testovoye") == ["sp-testovoye", "mr-ashinsky", "chelyabinsk-oblast"]
    district_poll = SimpleNamespace(territory_ids=["mr-ashinsky"])
    villager = resident("villager-1", territory_id="sp-testovoye")
    assert model.visible_to(district_poll, villager, tree)
    assert model.eligibility_problem(SimpleNamespace(territory_ids=["mr-ashinsky"], min_age=16,
                                                     opens_at=model.datetime.now(model.UTC)), villager, tree) is None
    [entry] = audit_entries("sp-testovoye")
    assert (entry["action"], entry["actor_role"], entry["target_type"]) == ("territory.create", "admin", "territory")
    assert entry["after"]["population"] == 1200


def test_rename_and_population_are_audited_with_before_and_after():
    from aj74.territories import service, territory_tree

    service.create(persona("admin"), {"name": "Переименуемое", "kind": "rural_settlement",
                                      "parent_id": "mr-kusinsky", "id": "sp-renamed"})
    service.update(persona("admin"), "sp-renamed", {"name": "Новое имя сельское поселение"})
    service.update(persona("admin"), "sp-renamed", {"oktmo": "75638000", "population": 900, "population_year": 2023})

    assert territory_tree().get("sp-renamed").name == "Новое имя сельское поселение"
    assert territory_tree().get("sp-renamed").population == 900
    actions = [(e["action"], (e["before"] or {}).get("name")) for e in reversed(audit_entries("sp-renamed"))]
    assert actions == [("territory.create", None), ("territory.rename", "Переименуемое"),
                       ("territory.edit", "Новое имя сельское поселение")]


def test_a_moderator_may_not_change_territories():
    from aj74.errors import Forbidden
    from aj74.territories import service

    with pytest.raises(Forbidden):
        service.create(persona("moderator-satka"), {"name": "Чужое", "kind": "rural_settlement",
                                                    "parent_id": "mr-satkinsky"})
    with pytest.raises(Forbidden):
        service.retire(persona("moderator-satka"), "sp-aylinskoye")


def test_a_referenced_territory_is_not_retired_and_an_unused_one_is():
    from aj74.errors import Conflict
    from aj74.polls import service as polls
    from aj74.territories import registry, service, territory_tree

    service.create(persona("admin"), {"name": "Используемое", "kind": "rural_settlement",
                                      "parent_id": "mr-nyazepetrovsky", "id": "sp-used"})
    polls.create_poll(persona("moderator-satka", scope_territory_ids=["mr-nyazepetrovsky"]),
                      poll_body(territory_ids=["sp-used"], title="Ремонт клуба в деревне"))
    with pytest.raises(Conflict) as refused:
        service.retire(persona("admin"), "sp-used")
    assert refused.value.code == "territory-referenced"
    assert "нельзя вывести" in refused.value.detail and "Ремонт клуба в деревне" in refused.value.detail

    with pytest.raises(Conflict) as parent:
        service.retire(persona("admin"), "mr-nyazepetrovsky")
    assert parent.value.code == "territory-fixed"

    service.create(persona("admin"), {"name": "Лишнее", "kind": "rural_settlement",
                                      "parent_id": "mr-nyazepetrovsky", "id": "sp-spare"})
    retired = service.retire(persona("admin"), "sp-spare", {"comment": "Ошибочно добавлено"})

    assert retired["retired_at"] and "sp-spare" not in territory_tree()
    assert any(t.id == "sp-spare" for t in registry().records)
    assert audit_entries("sp-spare")[0]["action"] == "territory.retire"


def test_a_territory_in_a_staff_scope_is_not_retired():
    from aj74.errors import Conflict
    from aj74.staff import service as staff
    from aj74.territories import service

    service.create(persona("admin"), {"name": "Порученное", "kind": "rural_settlement",
                                      "parent_id": "mr-kusinsky", "id": "sp-scoped"})
    staff.put_assignment(persona("admin"), "moderator-kusa", {"roles": ["moderator"],
                                                              "scope_territory_ids": ["sp-scoped"]})
    with pytest.raises(Conflict, match="назначения сотрудников"):
        service.retire(persona("admin"), "sp-scoped")


def test_field_errors_name_their_fields():
    from aj74.errors import InvalidInput
    from aj74.territories import service

    with pytest.raises(InvalidInput) as wrong_parent:
        service.create(persona("admin"), {"name": "Деревня", "kind": "rural_settlement", "parent_id": "go-miass"})
    with pytest.raises(InvalidInput) as twin:
        service.create(persona("admin"), {"name": "Аша", "kind": "urban_settlement", "parent_id": "mr-ashinsky"})
    with pytest.raises(InvalidInput) as half:
        service.update(persona("admin"), "gp-asha", {"population": 30000})

    assert [e["field"] for e in wrong_parent.value.errors] == ["parent_id"]
    assert [e["field"] for e in twin.value.errors] == ["name"]
    assert [e["field"] for e in half.value.errors] == ["population_year"]


def test_another_instance_sees_a_change_within_a_minute(monkeypatch):
    from aj74 import territories
    from aj74.territories import service

    now = [5000.0]
    monkeypatch.setattr(territories.time, "monotonic", lambda: now[0])
    territories.invalidate()
    held = territories.territory_tree()
    # Another instance changes the registry: simulate by writing through the service and then
    # putting the old copy back as this process's held tree.
    old = territories.registry()
    service.update(persona("admin"), "gp-sim", {"population": 13000, "population_year": 2024})
    with territories._cache.lock:
        territories._cache.registry, territories._cache.checked_at = old, now[0]

    assert territories.territory_tree() is held and held.get("gp-sim").population is None
    now[0] += 61
    assert territories.territory_tree().get("gp-sim").population == 13000
