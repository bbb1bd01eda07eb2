"""Request bodies of the territory registry routes (the API contract; see aj74.validation)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120)]
Oktmo = Annotated[str, StringConstraints(strip_whitespace=True, pattern=r"^(\d{8}|\d{11})$")]
TerritoryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=40)]
# The region and its 16 urban and 27 municipal districts are fixed by regional law; the registry
# adds what lies below them.
NewKind = Literal["urban_settlement", "rural_settlement", "intracity_district"]


class _Facts(BaseModel):
    official_name: Name | None = None
    oktmo: Oktmo | None = None
    population: int | None = Field(default=None, ge=0, le=10_000_000)
    population_year: int | None = Field(default=None, ge=1989, le=2100)


class TerritoryIn(_Facts):
    model_config = ConfigDict(extra="forbid")

    name: Name
    kind: NewKind
    parent_id: TerritoryId
    # A readable id (``sp-ulyanovskoye``); made from the name when left out.
    id: TerritoryId | None = None


class TerritoryPatch(_Facts):
    model_config = ConfigDict(extra="forbid")

    name: Name | None = None
