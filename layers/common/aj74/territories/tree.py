"""The territories as data: the kinds, a territory, the tree over the active ones, one read of the
registry and the packaged seed. No storage and no settings: the registry's reader
(``aj74.territories.registry``) and its table (``aj74.territories.repository``) build on these.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from importlib import resources

from aj74.caching import process_cache

KINDS = (
    "region",
    "urban_district",
    "municipal_district",
    "intracity_district",
    "urban_settlement",
    "rural_settlement",
)


class UnknownTerritory(LookupError):
    """A territory id that is not in the tree."""

    def __init__(self, territory_id: str) -> None:
        super().__init__(territory_id)
        self.territory_id = territory_id


@dataclass(frozen=True)
class Territory:
    id: str
    name: str
    kind: str
    parent_id: str | None
    official_name: str | None = None
    # ОКТМО (the federal classifier of municipal territories), 8 or 11 digits, where known.
    oktmo: str | None = None
    population: int | None = None
    population_year: int | None = None
    retired_at: str | None = None

    def as_dict(self) -> dict:
        data = {"id": self.id, "name": self.name, "kind": self.kind, "parent_id": self.parent_id}
        for key in ("official_name", "oktmo", "population", "population_year", "retired_at"):
            if getattr(self, key) is not None:
                data[key] = getattr(self, key)
        return data

    def as_record(self) -> dict:
        """Every field, for storage and the audit log."""
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Territory:
        known = {k: data.get(k) for k in cls.__dataclass_fields__ if k in data}
        for key in ("population", "population_year"):
            if known.get(key) is not None:
                known[key] = int(known[key])
        return cls(**known)


class TerritoryTree:
    """Lookups over the tree: a territory's chain of ancestors, containment, descendants."""

    def __init__(self, territories: list[Territory]) -> None:
        self._by_id = {t.id: t for t in territories}
        self._children: dict[str, list[str]] = {}
        for t in territories:
            if t.kind not in KINDS:
                raise ValueError(f"territory {t.id} has unknown kind {t.kind}")
            if t.parent_id is not None:
                if t.parent_id not in self._by_id:
                    raise ValueError(f"territory {t.id} has unknown parent {t.parent_id}")
                self._children.setdefault(t.parent_id, []).append(t.id)
        roots = [t for t in territories if t.parent_id is None]
        if len(roots) != 1:
            raise ValueError("the territory tree must have exactly one root")
        self.root = roots[0]

    def __contains__(self, territory_id: object) -> bool:
        return isinstance(territory_id, str) and territory_id in self._by_id

    def __len__(self) -> int:
        return len(self._by_id)

    def all(self) -> list[Territory]:
        return list(self._by_id.values())

    def get(self, territory_id: str) -> Territory:
        if territory_id not in self:
            raise UnknownTerritory(str(territory_id))
        return self._by_id[territory_id]

    def chain(self, territory_id: str) -> list[Territory]:
        """The territory itself followed by every ancestor up to the region."""
        node = self.get(territory_id)
        chain = [node]
        while node.parent_id is not None:
            node = self._by_id[node.parent_id]
            chain.append(node)
        return chain

    def chain_ids(self, territory_id: str) -> list[str]:
        return [t.id for t in self.chain(territory_id)]

    def is_within(self, territory_id: str, ancestor_id: str) -> bool:
        """True when ``territory_id`` is ``ancestor_id`` or lies below it."""
        return ancestor_id in self.chain_ids(territory_id)

    def within_any(self, territory_id: str, ancestor_ids) -> bool:
        chain = set(self.chain_ids(territory_id))
        return any(a in chain for a in ancestor_ids)

    def children(self, territory_id: str) -> list[Territory]:
        self.get(territory_id)
        return [self._by_id[c] for c in self._children.get(territory_id, [])]

    def descendant_ids(self, territory_id: str) -> list[str]:
        """The territory and everything below it."""
        out, stack = [], [territory_id]
        while stack:
            current = stack.pop()
            out.append(current)
            stack.extend(self._children.get(current, []))
        return out


@dataclass(frozen=True)
class Registry:
    """One read of the registry: every record (retired ones too), the tree of the active ones,
    and the registry's version (0: the packaged file, not yet in a table)."""

    records: tuple[Territory, ...]
    version: int
    source: str
    tree: TerritoryTree = field(compare=False)

    @classmethod
    def of(cls, records, version: int, source: str) -> Registry:
        records = tuple(records)
        return cls(records, version, source, TerritoryTree([t for t in records if t.retired_at is None]))


@process_cache(maxsize=1)
def packaged() -> Registry:
    """The seed: the packaged ``territories.json`` (its ``version`` and ``source`` say what it is)."""
    raw = json.loads(resources.files(__package__).joinpath("territories.json").read_text("utf-8"))
    return Registry.of([Territory.from_dict(item) for item in raw["territories"]], 0,
                       f"{raw['source']} (файл версии {raw['version']})")
