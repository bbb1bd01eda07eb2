"""The territory registry's use cases: the IT administrator adds, renames and retires territories
and records their ОКТМО and population (docs/decisions/017-territory-registry.md).

A change is one transaction on the registry (the territory and the version item), then an audit
entry; this process drops its held tree at once, every other instance rereads it within a minute.
A territory is never deleted: it is retired, and only when nothing references it.

What the use cases reach (the registry table, the polls and ballots and staff that may reference a
territory, the audit log, the clock) comes in a ``TerritoryPorts`` (``aj74.territories.ports``), an
optional last parameter; the routes pass none and get :func:`default_ports`
(docs/decisions/021-ports-and-adapters.md).
"""

from __future__ import annotations

import re

from aj74 import territories
from aj74.clock import iso
from aj74.errors import Conflict, Forbidden, InvalidInput, NotFound
from aj74.identity.principal import Principal
from aj74.identity.roles import ADMIN
from aj74.settings import get_settings
from aj74.territories import Registry, Territory, references
from aj74.territories.ports import TerritoryPorts
from aj74.validation import parse_model

KIND_TITLES = {
    "region": "субъект РФ", "urban_district": "городской округ", "municipal_district": "муниципальный район",
    "intracity_district": "внутригородской район", "urban_settlement": "городское поселение",
    "rural_settlement": "сельское поселение",
}
# Which kind of territory may lie under which (the law's two-level structure).
PARENT_KINDS = {"urban_settlement": ("municipal_district",), "rural_settlement": ("municipal_district",),
                "intracity_district": ("urban_district",)}
ID_PREFIX = {"urban_settlement": "gp", "rural_settlement": "sp", "intracity_district": "vr"}
_TRANSLIT = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "yo", "zh", "z", "i", "y", "k", "l", "m", "n", "o", "p", "r",
                      "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))


def default_ports(**overrides) -> TerritoryPorts:
    """The real adapters (the registry, poll, ballot, staff and audit tables, the wall clock),
    ``overrides`` in their place. Built per call, as the functions built them inline before."""
    from aj74.audit.repository import AuditLog
    from aj74.ballots.repository import BallotLedger
    from aj74.clock import utcnow
    from aj74.polls.repository import PollRepository
    from aj74.territories.repository import TerritoryRegistry

    staff = None
    if get_settings().staff_table:
        from aj74.staff.repository import StaffRepository

        staff = StaffRepository()
    registry = TerritoryRegistry(territories.registry, territories.invalidate)
    return TerritoryPorts(**{"registry": registry, "polls": PollRepository(), "ballots": BallotLedger(),
                             "staff": staff, "audit": AuditLog(), "clock": utcnow, **overrides})


def _require_admin(actor: Principal) -> None:
    if not actor.has_role(ADMIN):
        raise Forbidden("Реестр территорий ведёт администратор Министерства информационных технологий.",
                        code="role-required")


def _writable(ports: TerritoryPorts) -> None:
    if not ports.registry.editable:
        raise Conflict("Реестр территорий не подключён: дерево берётся из файла поставки.", code="no-registry")


def _view(t: Territory, registry: Registry) -> dict:
    view = t.as_record()
    view["kind_title"] = KIND_TITLES.get(t.kind, t.kind)
    parent = next((p for p in registry.records if p.id == t.parent_id), None)
    view["parent_name"] = parent.name if parent else None
    return view


def list_registry(actor: Principal, ports: TerritoryPorts | None = None) -> dict:
    _require_admin(actor)
    ports = ports or default_ports()
    reg = ports.registry.held()
    return {"version": reg.version, "source": reg.source, "editable": ports.registry.editable,
            "kinds": [{"kind": k, "title": v, "parent_kinds": list(PARENT_KINDS.get(k, ()))}
                      for k, v in KIND_TITLES.items()],
            "items": [_view(t, reg) for t in reg.records]}


def _slug(name: str) -> str:
    word = re.split(r"\s+(?:городское|сельское)\s+поселение$", name.strip().lower())[0]
    out, previous = [], " "
    for ch in word:
        # «е» after a vowel, a sign or at the start is «ye», as in the seeded ids (sp-aylinskoye).
        iotated = ch == "е" and (previous in "аеёиоуыэюяьъ -")
        out.append("ye" if iotated else _TRANSLIT.get(ch, ch if ch.isascii() and ch.isalnum() else "-"))
        previous = ch
    out = "".join(out)
    return re.sub(r"-+", "-", out)[:34].strip("-") or "territory"


def _check_name(registry: Registry, parent_id: str, name: str, own_id: str | None = None) -> None:
    clash = [t for t in registry.tree.all() if t.parent_id == parent_id and t.name == name and t.id != own_id]
    if clash:
        raise InvalidInput("Такое название уже есть в этом районе.",
                           errors=[{"field": "name", "detail": "такая территория здесь уже есть"}])


def _save(ports: TerritoryPorts, actor: Principal, registry: Registry, territory: Territory,
          before: Territory | None, action: str, comment: str | None = None) -> dict:
    """The change (one transaction on the registry), then its audit entry; the territory as shown."""
    ports.registry.save(territory, registry.version, new=before is None)
    ports.audit.append(actor=actor.subject, actor_role=ADMIN, action=f"territory.{action}", target_type="territory",
                       target_id=territory.id, before=before.as_record() if before else None,
                       after=territory.as_record(), comment=comment, at=iso(ports.clock()))
    return _view(territory, ports.registry.held())


def create(actor: Principal, body: dict, ports: TerritoryPorts | None = None) -> dict:
    from aj74.territories.schemas import TerritoryIn

    _require_admin(actor)
    ports = ports or default_ports()
    _writable(ports)
    data = parse_model(TerritoryIn, body)
    registry = ports.registry.stored()
    tree = registry.tree
    if data.parent_id not in tree:
        raise InvalidInput("Неизвестная вышестоящая территория.",
                           errors=[{"field": "parent_id", "detail": "выберите район из списка"}])
    parent = tree.get(data.parent_id)
    if parent.kind not in PARENT_KINDS[data.kind]:
        allowed = ", ".join(KIND_TITLES[k] for k in PARENT_KINDS[data.kind])
        raise InvalidInput("Территория этого вида лежит в другом виде района.",
                           errors=[{"field": "parent_id", "detail": f"{KIND_TITLES[data.kind]} входит в: {allowed}"}])
    _check_name(registry, parent.id, data.name)
    taken = {t.id for t in registry.records}
    territory_id = data.id or f"{ID_PREFIX[data.kind]}-{_slug(data.name)}"
    if territory_id in taken:
        if data.id:
            raise InvalidInput("Этот идентификатор уже занят.", errors=[
                {"field": "id", "detail": "идентификатор занят (в том числе выведенной территорией)"}])
        base, n = territory_id, 2
        while f"{base}-{n}" in taken:
            n += 1
        territory_id = f"{base}-{n}"
    territory = Territory(id=territory_id, name=data.name, kind=data.kind, parent_id=parent.id,
                          official_name=data.official_name, oktmo=data.oktmo, population=data.population,
                          population_year=data.population_year)
    _check_population(territory)
    return _save(ports, actor, registry, territory, None, "create")


def _check_population(t: Territory) -> None:
    if (t.population is None) != (t.population_year is None):
        raise InvalidInput("Численность указывается вместе с годом.",
                           errors=[{"field": "population_year" if t.population is not None else "population",
                                    "detail": "укажите и численность, и год"}])


def _active(registry: Registry, territory_id: str) -> Territory:
    record = next((t for t in registry.records if t.id == territory_id), None)
    if record is None:
        raise NotFound("Территория не найдена.")
    if record.retired_at is not None:
        raise Conflict("Территория выведена из реестра и не изменяется.", code="territory-retired")
    return record


def update(actor: Principal, territory_id: str, body: dict, ports: TerritoryPorts | None = None) -> dict:
    from aj74.territories.schemas import TerritoryPatch

    _require_admin(actor)
    ports = ports or default_ports()
    _writable(ports)
    data = parse_model(TerritoryPatch, body)
    registry = ports.registry.stored()
    before = _active(registry, territory_id)
    changes = {k: getattr(data, k) for k in data.model_fields_set}
    if "name" in changes and changes["name"] is None:
        raise InvalidInput("Название обязательно.", errors=[{"field": "name", "detail": "обязательное поле"}])
    if not changes:
        return _view(before, registry)
    after = Territory.from_dict({**before.as_record(), **changes})
    if after.name != before.name and after.parent_id:
        _check_name(registry, after.parent_id, after.name, own_id=after.id)
    _check_population(after)
    if after == before:
        return _view(before, registry)
    action = "rename" if set(changes) == {"name"} else "edit"
    return _save(ports, actor, registry, after, before, action)


def retire(actor: Principal, territory_id: str, body: dict | None = None, ports: TerritoryPorts | None = None) -> dict:
    """Retire a territory nothing references; 409 with the Russian list of what does."""
    _require_admin(actor)
    ports = ports or default_ports()
    _writable(ports)
    registry = ports.registry.stored()
    before = _active(registry, territory_id)
    if before.parent_id is None or before.kind in ("urban_district", "municipal_district"):
        raise Conflict("Регион и его городские округа и муниципальные районы выводятся только изменением "
                       "закона области и файла поставки.", code="territory-fixed")
    found = references.of(territory_id, registry.tree, ports)
    if found:
        raise Conflict(f"Территорию «{before.name}» нельзя вывести из реестра: на неё ссылаются "
                       f"{'; '.join(found)}.", code="territory-referenced", references=found)
    comment = ((body or {}).get("comment") or "").strip()[:500] or None
    after = Territory.from_dict({**before.as_record(), "retired_at": iso(ports.clock())})
    return _save(ports, actor, registry, after, before, "retire", comment)
