"""What a poll gathers after its content is fixed: the published result and its amendments, the
execution report, the news item that informed residents, the content last rejected in review and
the flag that asks for an amendment. One frozen type each, and one definition of each shape.

Stored as they always were (docs/decisions/005-data-layout.md): each is a JSON attribute of the poll
item with the same keys, so ``from_dict`` reads items written before these types existed, and
``as_dict`` writes (and the API answers) exactly those keys. A field that is ``None`` and not
always written is left out, as the code that wrote the dicts left it out; so is a sequence added
later (``SPARSE``) while it is empty.

``json_schema`` gives the API contract (``aj74.api.contract``) the same shapes, from the fields
below: a result is defined once. Plain dataclasses, no pydantic: cold start is a product feature.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, ClassVar

# The JSON schema of each annotation used below (annotations are strings: ``from __future__``).
_JSON_TYPES: dict[str, dict] = {
    "str": {"type": "string"}, "str | None": {"type": ["string", "null"]},
    "int": {"type": "integer"}, "int | None": {"type": ["integer", "null"]},
    "bool": {"type": "boolean"}, "bool | None": {"type": ["boolean", "null"]},
    "dict": {"type": "object"}, "dict | None": {"type": ["object", "null"]},
    "dict[str, int]": {"type": "object", "additionalProperties": {"type": "integer"}},
    "tuple[str, ...]": {"type": "array", "items": {"type": "string"}},
    "tuple[dict | None, ...] | None": {"type": "array", "items": {"type": ["object", "null"]}},
}


class _Stored:
    """``from_dict`` / ``as_dict`` over the dataclass fields; subclasses name nested types."""

    # Fields written whatever their value (the others are left out when None).
    ALWAYS: ClassVar[tuple[str, ...]] = ()
    # Fields holding nested types: name -> (type, is a sequence).
    NESTED: ClassVar[dict[str, tuple[type, bool]]] = {}
    # Sequences added after items were written: left out when empty, so those items keep their shape.
    SPARSE: ClassVar[tuple[str, ...]] = ()

    @classmethod
    def from_dict(cls, data: dict | None):
        if not data:
            return None
        values: dict[str, Any] = {}
        for f in dataclasses.fields(cls):
            if f.name not in data:
                continue
            value = data[f.name]
            nested = cls.NESTED.get(f.name)
            if nested and value is not None:
                kind, many = nested
                value = tuple(kind.from_dict(v) for v in value) if many else kind.from_dict(value)
            elif isinstance(value, list):
                value = tuple(value)
            values[f.name] = value
        return cls(**values)

    def as_dict(self) -> dict:
        out: dict[str, Any] = {}
        for f in dataclasses.fields(self):
            value = getattr(self, f.name)
            if value is None and f.name not in self.ALWAYS:
                continue
            if value == () and f.name in self.SPARSE:
                continue
            if isinstance(value, tuple):
                value = [v.as_dict() if isinstance(v, _Stored) else v for v in value]
            elif isinstance(value, _Stored):
                value = value.as_dict()
            out[f.name] = value
        return out

    @classmethod
    def json_schema(cls, only: tuple[str, ...] | None = None) -> dict:
        """An object schema of the fields (``only`` these, when given): fields without a default
        are required; ``additionalProperties`` stays unset, like the contract's other objects."""
        properties, required = {}, []
        for f in dataclasses.fields(cls):
            if only is not None and f.name not in only:
                continue
            nested = cls.NESTED.get(f.name)
            if nested:
                kind, many = nested
                schema = kind.json_schema()
                properties[f.name] = {"type": "array", "items": schema} if many else schema
            else:
                properties[f.name] = _JSON_TYPES[str(f.type)]
            if f.default is dataclasses.MISSING and f.default_factory is dataclasses.MISSING:
                required.append(f.name)
        return {"type": "object", "required": required, "properties": properties}


@dataclass(frozen=True)
class Result(_Stored):
    """The official result of a final poll: the recount of the ledger (``integrity.published.tally``)
    with what the scheduler adds when it finalises (and amends) it."""

    total_ballots: int
    counts: dict[str, int]
    merkle_root: str | None = None
    tree_size: int | None = None
    # Whether the live tally agreed with the recount at finalisation (an amendment does not say).
    live_tally_matched: bool | None = None
    finalised_at: str | None = None
    amended_at: str | None = None
    # Breakdown releases under disclosure control, one per finalisation and amendment (None: not
    # computed). None as a whole: finalised before breakdowns were frozen with the result.
    breakdowns: tuple[dict | None, ...] | None = None
    # {"seq", "hash", "at"}: the audit log's head when the result was published (docs/decisions/013).
    audit_head: dict | None = None

    ALWAYS: ClassVar[tuple[str, ...]] = ("total_ballots", "counts")

    @classmethod
    def from_dict(cls, data: dict | None) -> Result | None:
        if not data:
            return None
        return super().from_dict({"counts": {}, "total_ballots": 0, **data})


@dataclass(frozen=True)
class Amendment(_Stored):
    """A published result replaced by a recount that took in ballots which reached the ledger late."""

    at: str
    previous_total: int | None
    total: int
    previous_merkle_root: str | None
    merkle_root: str
    audit_head: dict | None

    ALWAYS: ClassVar[tuple[str, ...]] = ("at", "previous_total", "total", "previous_merkle_root", "merkle_root",
                                         "audit_head")


@dataclass(frozen=True)
class Photo(_Stored):
    """An image of an execution update: the id ``POST /v1/admin/media`` confirmed and its alt text,
    stored as every other image reference is (docs/decisions/016-images.md): never a URL."""

    id: str
    alt: str


MAX_PHOTOS = 6
# Views show a photo with the URL of its clean copy: staff with its id (to send it back), residents
# without. ``url_for`` is ``aj74.media.service.url_for`` (passed in: this module stays storage-free).
UrlFor = Callable[[str], str]
_STAFF_PHOTO = {"type": "object", "required": ["id", "alt", "url"],
                "properties": {"id": {"type": "string"}, "alt": {"type": "string"}, "url": {"type": "string"}}}
_RESIDENT_PHOTO = {"type": "object", "required": ["url", "alt"],
                   "properties": {"url": {"type": "string"}, "alt": {"type": "string"}}}


@dataclass(frozen=True)
class ExecutionUpdate(_Stored):
    """A dated entry on the progress of an execution report."""

    date: str  # 2026-12-01
    text: str
    links: tuple[str, ...]
    added_at: str | None = None
    added_by: str | None = None
    # Photos of what was done (0-6); updates written before photos existed have none.
    photos: tuple[Photo, ...] = ()

    NESTED: ClassVar[dict[str, tuple[type, bool]]] = {"photos": (Photo, True)}
    SPARSE: ClassVar[tuple[str, ...]] = ("photos",)

    def for_staff(self, url_for: UrlFor) -> dict:
        return {**self.as_dict(), "photos": [{"id": p.id, "alt": p.alt, "url": url_for(p.id)} for p in self.photos]}

    def for_residents(self, url_for: UrlFor) -> dict:
        return {"date": self.date, "text": self.text, "links": list(self.links),
                "photos": [{"url": url_for(p.id), "alt": p.alt} for p in self.photos]}

    @classmethod
    def view_schema(cls, only: tuple[str, ...] | None, photo: dict) -> dict:
        """The schema of a view: ``photos`` always present, each photo as that view shows it."""
        schema = cls.json_schema(only)
        schema["properties"]["photos"] = {"type": "array", "items": photo, "maxItems": MAX_PHOTOS}
        schema["required"].append("photos")
        return schema


@dataclass(frozen=True)
class Execution(_Stored):
    """The execution report of a final poll: the decision taken, its status and dated updates."""

    decision: str
    status: str
    status_title: str
    updated_at: str
    updates: tuple[ExecutionUpdate, ...]
    created_at: str | None = None
    updated_by: str | None = None

    NESTED: ClassVar[dict[str, tuple[type, bool]]] = {"updates": (ExecutionUpdate, True)}
    # What residents read of it: no staff ids.
    RESIDENT_FIELDS: ClassVar[tuple[str, ...]] = ("decision", "status", "status_title", "updated_at", "updates")

    def for_staff(self, url_for: UrlFor) -> dict:
        return {**self.as_dict(), "updates": [u.for_staff(url_for) for u in self.updates]}

    def for_residents(self, url_for: UrlFor) -> dict:
        return {"decision": self.decision, "status": self.status, "status_title": self.status_title,
                "updated_at": self.updated_at, "updates": [u.for_residents(url_for) for u in self.updates]}

    @classmethod
    def staff_schema(cls) -> dict:
        schema = cls.json_schema()
        schema["properties"]["updates"] = {"type": "array", "items": ExecutionUpdate.view_schema(None, _STAFF_PHOTO)}
        return schema

    @classmethod
    def resident_schema(cls) -> dict:
        schema = cls.json_schema(cls.RESIDENT_FIELDS)
        schema["properties"]["updates"] = {
            "type": "array", "items": ExecutionUpdate.view_schema(("date", "text", "links"), _RESIDENT_PHOTO)}
        return schema


@dataclass(frozen=True)
class Informed(_Stored):
    """The feed news item that informs residents of a final poll's result (see polls.informing)."""

    content_id: str
    at: str | None = None
    by: str | None = None


@dataclass(frozen=True)
class ReviewSnapshot:
    """The content the Directorate last rejected (``Poll.content()``): the approval queue shows what
    changed since. Stored as that content, unwrapped."""

    content: dict

    @classmethod
    def from_dict(cls, data: dict | None) -> ReviewSnapshot | None:
        return cls(data) if data else None

    def as_dict(self) -> dict:
        return self.content
