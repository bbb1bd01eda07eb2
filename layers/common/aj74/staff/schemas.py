"""Request body of the staff assignment route (the API contract; see aj74.validation)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

StaffRole = Literal["moderator", "approver", "admin", "analyst", "emergency", "partner"]
TerritoryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9-]{2,40}$")]


class AssignmentIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    roles: list[StaffRole] = Field(max_length=6)
    scope_territory_ids: list[TerritoryId] = Field(default_factory=list, max_length=50)
    display_name: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
    # The rewards-shop partner a cashier (role ``partner``) works for, as named on its items.
    partner: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200)] | None = None
