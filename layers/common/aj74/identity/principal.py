"""The caller as the domain sees it, built from verified token claims."""

from __future__ import annotations

from dataclasses import dataclass

from aj74.identity.roles import PARTNER, ROLES, STAFF_ROLES


@dataclass(frozen=True)
class Principal:
    """A verified caller. ``subject`` is a pseudonymous, stable id: never a name, SNILS or phone."""

    subject: str
    roles: frozenset[str]
    territory_id: str | None
    birth_year: int | None
    gender: str | None
    scope_territory_ids: tuple[str, ...] = ()
    display_name: str | None = None
    # The shop partner a cashier (role ``partner``) redeems codes for; None for everyone else.
    partner: str | None = None

    def has_role(self, role: str) -> bool:
        return role in self.roles

    @property
    def is_staff(self) -> bool:
        return bool(self.roles & STAFF_ROLES)


class ClaimsError(ValueError):
    """Token claims that cannot describe a caller."""


def principal_from_claims(claims: dict) -> Principal:
    """Map verified claims to a principal; unknown roles are ignored, malformed claims rejected."""
    subject = claims.get("sub")
    if not isinstance(subject, str) or not subject:
        raise ClaimsError("sub")
    roles = claims.get("roles", ["resident"])
    if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
        raise ClaimsError("roles")
    birth_year = claims.get("birth_year")
    if birth_year is not None and (not isinstance(birth_year, int) or isinstance(birth_year, bool)):
        raise ClaimsError("birth_year")
    territory_id = claims.get("territory_id")
    if territory_id is not None and not isinstance(territory_id, str):
        raise ClaimsError("territory_id")
    gender = claims.get("gender")
    if gender not in (None, "f", "m"):
        raise ClaimsError("gender")
    scope = claims.get("scope_territory_ids", [])
    if not isinstance(scope, list) or not all(isinstance(s, str) for s in scope):
        raise ClaimsError("scope_territory_ids")
    partner = claims.get("partner")
    if partner is not None and not isinstance(partner, str):
        raise ClaimsError("partner")
    known_roles = frozenset(r for r in roles if r in ROLES)
    # A resident's name never enters the system; staff are named so that audit entries read well.
    name = claims.get("name") if known_roles & STAFF_ROLES else None
    return Principal(
        subject=subject,
        roles=known_roles,
        territory_id=territory_id,
        birth_year=birth_year,
        gender=gender,
        scope_territory_ids=tuple(scope),
        display_name=name if isinstance(name, str) else None,
        partner=partner if PARTNER in known_roles else None,
    )
