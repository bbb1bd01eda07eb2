"""Request bodies of the shop and points routes (the API contract; see aj74.validation)."""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints, model_validator

from aj74.media.schemas import ImageIn
from aj74.validation import FieldProblem

TerritoryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,40}$")]
ItemId = Annotated[str, StringConstraints(pattern=r"^[0-9A-HJKMNP-TV-Z]{26}$")]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
MAX_PRICE = 100_000
MAX_STOCK = 1_000_000


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class _Dates:
    @model_validator(mode="after")
    def _dates(self):
        if self.valid_from is not None and self.valid_until is not None and self.valid_until <= self.valid_from:
            raise FieldProblem("valid_until", "Окончание действия должно быть позже начала")
        return self


class ItemIn(_Dates, _Strict):
    title: Annotated[Text, StringConstraints(max_length=200)]
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=3000)] = ""
    partner: Annotated[Text, StringConstraints(max_length=200)]
    price: int = Field(ge=1, le=MAX_PRICE)
    stock: int = Field(ge=0, le=MAX_STOCK)
    valid_from: AwareDatetime
    valid_until: AwareDatetime
    territory_ids: list[TerritoryId] = Field(min_length=1, max_length=50)
    active: bool = True
    # An image uploaded through POST /v1/admin/media (docs/decisions/016-images.md).
    image: ImageIn | None = None


class ItemPatchIn(_Dates, _Strict):
    version: int = Field(ge=1)
    title: Annotated[Text, StringConstraints(max_length=200)] | None = None
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=3000)] | None = None
    partner: Annotated[Text, StringConstraints(max_length=200)] | None = None
    price: int | None = Field(default=None, ge=1, le=MAX_PRICE)
    stock: int | None = Field(default=None, ge=0, le=MAX_STOCK)
    valid_from: AwareDatetime | None = None
    valid_until: AwareDatetime | None = None
    territory_ids: list[TerritoryId] | None = Field(default=None, min_length=1, max_length=50)
    active: bool | None = None
    # null removes the image.
    image: ImageIn | None = None


class OrderIn(_Strict):
    item_id: ItemId


class RedeemIn(_Strict):
    code: Annotated[str, StringConstraints(min_length=1, max_length=64)]
    # Required of the IT administrator (support at the counter), audited; a cashier may leave it out.
    reason: Annotated[str, StringConstraints(strip_whitespace=True, max_length=500)] | None = None


class AdjustmentIn(_Strict):
    account: Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=r"^\S+$")]
    points: int = Field(ge=-MAX_PRICE, le=MAX_PRICE)
    reason: Annotated[Text, StringConstraints(min_length=5, max_length=500)]
