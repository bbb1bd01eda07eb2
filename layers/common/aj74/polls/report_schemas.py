"""Request bodies of the execution report routes (the API contract; see aj74.validation)."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from aj74.media.schemas import ImageIn
from aj74.polls.state import MAX_PHOTOS

Link = Annotated[str, StringConstraints(pattern=r"^https?://\S{1,490}$")]


class ExecutionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    decision: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    status: Literal["planned", "in_progress", "done"]


class ExecutionUpdateIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    date: date
    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=5000)]
    links: list[Link] = Field(default_factory=list, max_length=10)
    # Images uploaded through POST /v1/admin/media (docs/decisions/016-images.md), alt text required.
    photos: list[ImageIn] = Field(default_factory=list, max_length=MAX_PHOTOS)
