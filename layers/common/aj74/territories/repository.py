"""The territory registry in DynamoDB: one item per territory (hash key ``territory_id``) and one
version item, ``#registry``, whose number every change raises in the same transaction.

Readers (``aj74.territories.registry``) get the version item at most once a minute and scan the
few hundred items only when it moved. The table is seeded from the packaged file by the first
reader that finds it empty (in AWS: the API's first cold start after the first deploy; locally:
``infra.local.territories`` at provisioning); until then the packaged file is the registry.
"""

from __future__ import annotations

from collections.abc import Callable

from aj74.clock import iso, utcnow
from aj74.errors import Conflict
from aj74.settings import get_settings
from aj74.storage import dynamodb_client, is_condition_failure, raise_unavailable
from aj74.territories.tree import Registry, Territory, packaged

VERSION_KEY = "#registry"
_FIELDS = ("name", "kind", "parent_id", "official_name", "oktmo", "population", "population_year", "retired_at")


def _item(t: Territory) -> dict:
    item = {"territory_id": {"S": t.id}}
    for key in _FIELDS:
        value = getattr(t, key)
        if value is None:
            continue
        item[key] = {"N": str(value)} if isinstance(value, int) else {"S": str(value)}
    return item


def _territory(item: dict) -> Territory:
    data = {"id": item["territory_id"]["S"]}
    for key in _FIELDS:
        if key in item:
            data[key] = int(item[key]["N"]) if "N" in item[key] else item[key]["S"]
    data.setdefault("parent_id", None)
    return Territory.from_dict(data)


class TerritoryTable:
    def __init__(self) -> None:
        self.table = get_settings().territories_table
        self.client = dynamodb_client()

    # ------------------------------------------------------------ reading
    def version(self) -> dict | None:
        try:
            item = self.client.get_item(TableName=self.table, Key={"territory_id": {"S": VERSION_KEY}},
                                        ConsistentRead=True).get("Item")
        except Exception as exc:
            raise_unavailable(exc)
            raise
        if not item:
            return None
        return {"version": int(item["version"]["N"]), "source": item.get("source", {}).get("S", "")}

    def _scan(self) -> list[Territory]:
        out, start = [], None
        try:
            while True:
                kwargs = {"TableName": self.table, "ConsistentRead": True}
                if start:
                    kwargs["ExclusiveStartKey"] = start
                page = self.client.scan(**kwargs)
                out.extend(_territory(i) for i in page.get("Items", []) if i["territory_id"]["S"] != VERSION_KEY)
                start = page.get("LastEvaluatedKey")
                if not start:
                    return out
        except Exception as exc:
            raise_unavailable(exc)
            raise

    def load_if_changed(self, known_version: int | None) -> Registry | None:
        """The registry if its version differs from ``known_version`` (None: nothing held yet);
        seeds an empty table first. One GetItem when nothing changed."""
        head = self.version()
        if head is None:
            head = self.seed()
        if head is None:  # not seeded (no right to write here): the packaged file is the registry
            return None if known_version == 0 else packaged()
        if head["version"] == known_version:
            return None
        return Registry.of(self._scan(), head["version"], head["source"])

    # ------------------------------------------------------------ seeding
    def seed(self) -> dict | None:
        """Write the packaged territories and then the version item (version 1), unless another
        process did. Returns the version item, or None when this process may not write."""
        try:
            return write_seed(self.client, self.table)
        except Exception as exc:
            if is_condition_failure(exc):
                return self.version()
            if "AccessDenied" in str(exc):
                return None
            raise_unavailable(exc)
            raise

    # ------------------------------------------------------------ changing
    def save(self, territory: Territory, expected_version: int, new: bool) -> int:
        """Write one territory and raise the registry's version from ``expected_version``, in one
        transaction. Returns the new version; Conflict when someone changed the registry meanwhile."""
        put = {"TableName": self.table, "Item": _item(territory)}
        if new:
            put["ConditionExpression"] = "attribute_not_exists(territory_id)"
        try:
            self.client.transact_write_items(TransactItems=[
                {"Put": put},
                {"Update": {"TableName": self.table, "Key": {"territory_id": {"S": VERSION_KEY}},
                            "UpdateExpression": "SET version = version + :one",
                            "ConditionExpression": "version = :expected",
                            "ExpressionAttributeValues": {":one": {"N": "1"},
                                                          ":expected": {"N": str(expected_version)}}}},
            ])
        except Exception as exc:
            if "TransactionCanceled" in str(exc) or is_condition_failure(exc):
                raise Conflict("Реестр территорий только что изменил другой администратор: обновите страницу "
                               "и повторите.", code="registry-changed") from exc
            raise_unavailable(exc)
            raise
        return expected_version + 1


class TerritoryRegistry:
    """The registry port (``aj74.territories.ports.RegistryStore``): this process's held copy and the
    table it is reread from. The held copy's functions come in (``aj74.territories.registry`` and
    ``.invalidate``: this module may not import the package, which imports it)."""

    def __init__(self, held: Callable[[], Registry], forget: Callable[[], None]) -> None:
        self._held = held
        self._forget = forget

    @property
    def editable(self) -> bool:
        return bool(get_settings().territories_table)

    def held(self) -> Registry:
        return self._held()

    def stored(self) -> Registry:
        self._forget()
        return self._held()

    def save(self, territory: Territory, expected_version: int, new: bool) -> int:
        """One transaction on the table; this process then drops its held copy at once (every other
        instance rereads it within a minute)."""
        version = TerritoryTable().save(territory, expected_version, new)
        self._forget()
        return version


def write_seed(client, table: str) -> dict:
    """Seed ``table`` from the packaged file (also used by the local stack at provisioning). The
    version item goes last and only if absent: a reader never sees a half-written seed."""
    seed = packaged()
    items = [_item(t) for t in seed.records]
    for i in range(0, len(items), 25):
        pending = {table: [{"PutRequest": {"Item": it}} for it in items[i:i + 25]]}
        for _attempt in range(8):
            pending = client.batch_write_item(RequestItems=pending).get("UnprocessedItems") or {}
            if not pending:
                break
    client.put_item(TableName=table, ConditionExpression="attribute_not_exists(territory_id)",
                    Item={"territory_id": {"S": VERSION_KEY}, "version": {"N": "1"},
                          "source": {"S": seed.source}, "seeded_at": {"S": iso(utcnow())}})
    return {"version": 1, "source": seed.source}
