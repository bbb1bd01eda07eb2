"""Request bodies of the content routes (the API contract; see aj74.validation).

One model per content type; the service picks it by ``type`` so that an unknown type gets its own
clear error instead of a union's list of mismatches.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from aj74.content.model import MAX_EVENT_DAYS
from aj74.media.schemas import ImageIn
from aj74.validation import FieldProblem

TerritoryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,40}$")]
Title = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)]
Body = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=20000)]
Short = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
HttpsUrl = Annotated[str, StringConstraints(pattern=r"^https://\S{1,490}$")]
Phone = Annotated[str, StringConstraints(pattern=r"^\+?[0-9][0-9 ()-]{4,20}$")]


class _Content(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: Title
    territory_ids: list[TerritoryId] = Field(min_length=1, max_length=50)
    # Absent: published as soon as it is approved.
    publish_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _unique_territories(self):
        if len(set(self.territory_ids)) != len(self.territory_ids):
            raise FieldProblem("territory_ids", "Каждая территория указывается один раз")
        return self


class NewsIn(_Content):
    type: Literal["news"]
    body: Body
    image_url: HttpsUrl | None = None
    # An image uploaded through POST /v1/admin/media (docs/decisions/016-images.md); null removes it.
    image: ImageIn | None = None


class BulletinIn(_Content):
    type: Literal["bulletin"]
    severity: Literal["info", "warning", "danger"]
    body: Body
    expires_at: AwareDatetime

    @model_validator(mode="after")
    def _expiry(self):
        if self.publish_at and self.expires_at <= self.publish_at:
            raise FieldProblem("expires_at", "Срок действия должен закончиться позже публикации")
        return self


class MissingPersonIn(_Content):
    type: Literal["missing_person"]
    description: Body
    photo_url: HttpsUrl | None = None
    last_seen_place: Short
    last_seen_at: AwareDatetime
    contact_phone: Phone
    status: Literal["searching", "found"] = "searching"
    outcome: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)] | None = None

    @model_validator(mode="after")
    def _outcome(self):
        if self.status == "found" and not self.outcome:
            raise FieldProblem("outcome", "Расскажите, чем закончился поиск")
        return self


class EventIn(_Content):
    type: Literal["event"]
    description: Body
    starts_at: AwareDatetime
    ends_at: AwareDatetime
    venue: Short
    address: Short
    category: Literal["holiday", "culture", "sport", "education", "ecology", "other"]
    link: HttpsUrl | None = None
    image: ImageIn | None = None

    @model_validator(mode="after")
    def _dates(self):
        if self.ends_at <= self.starts_at:
            raise FieldProblem("ends_at", "Окончание события должно быть позже начала")
        if self.ends_at - self.starts_at > timedelta(days=MAX_EVENT_DAYS):
            raise FieldProblem("ends_at", f"Событие не может длиться дольше {MAX_EVENT_DAYS} дня")
        return self


CONTENT_MODELS: dict[str, type[_Content]] = {
    "news": NewsIn, "bulletin": BulletinIn, "missing_person": MissingPersonIn, "event": EventIn,
}


class VersionIn(BaseModel):
    """The part of a PATCH every edit carries: the version the editor saw (optimistic concurrency)."""

    model_config = ConfigDict(extra="allow")

    version: int = Field(ge=1)


class SearchOutcomeIn(BaseModel):
    """The only edit of a published missing-person notice: the search ended."""

    model_config = ConfigDict(extra="forbid")

    version: int = Field(ge=1)
    status: Literal["found"]
    outcome: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=1000)]
