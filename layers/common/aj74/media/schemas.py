"""How a body refers to an image: the id ``POST /v1/admin/media/{id}/confirm`` returned, and the
text a screen reader says instead of it. Responses add ``url`` (clients may send it back: ignored)."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

MediaId = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
ALT_MAX = 300


class ImageIn(BaseModel):
    # ``url`` of a response sent back unchanged is ignored: the id alone names the image.
    model_config = ConfigDict(extra="ignore")

    id: MediaId
    alt: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=ALT_MAX)]


class UploadIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    # The type the browser will send: S3's policy then holds the upload to exactly it.
    content_type: Annotated[str, StringConstraints(pattern=r"^image/(jpeg|png|webp)$")] | None = None
