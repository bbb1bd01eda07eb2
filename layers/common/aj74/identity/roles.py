"""The one home of roles: their names, the sets routes and use cases grant by, the role a caller
acts in, and the titles people read (served by the API; the admin site shows these, not a copy).

Roles (docs/decisions/010-decision-cycle.md): a resident; a municipal moderator scoped to
territories; the Directorate's approver, the IT administrator and the analyst, region-wide; the
МЧС operator; a partner's cashier, bound to one partner of the rewards shop.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aj74.identity.principal import Principal

RESIDENT, MODERATOR, APPROVER, ADMIN, ANALYST, EMERGENCY, PARTNER = (
    "resident", "moderator", "approver", "admin", "analyst", "emergency", "partner")
ROLES = (RESIDENT, MODERATOR, APPROVER, ADMIN, ANALYST, EMERGENCY, PARTNER)

ROLE_TITLES = {
    RESIDENT: "Житель",
    MODERATOR: "Модератор муниципалитета",
    APPROVER: "Согласующий (Управление по внутренней политике)",
    ADMIN: "Администратор (Министерство информационных технологий)",
    ANALYST: "Аналитик",
    EMERGENCY: "Оператор ГУ МЧС",
    PARTNER: "Партнёр магазина поощрений",
}

# Every role but the resident's is staff: the IT administrator assigns it, and a stored assignment
# overrides what the sign-in token says (aj74.staff.service.effective_principal).
STAFF_ROLES = frozenset(ROLES) - {RESIDENT}
# Read every territory's polls, content and audit entries without a scope.
REGION_WIDE_ROLES = frozenset({APPROVER, ADMIN, ANALYST})
# Granting these takes two administrators, and nobody grants them to themselves (four eyes).
CONFIRMED_GRANTS = frozenset({APPROVER, ADMIN})

# Route role sets (any of): who may call.
STAFF_READERS = (MODERATOR, APPROVER, ADMIN, ANALYST)  # polls, results, integrity, the audit log
CONTENT_READERS = (*STAFF_READERS, EMERGENCY)           # feed content also for the МЧС operator
AUDIT_EXPORTERS = (APPROVER, ADMIN, ANALYST)            # the whole log with hashes
DRAFTERS = (MODERATOR, APPROVER)                        # draft, edit, submit, cancel, report
APPROVERS = (APPROVER,)
ADMINS = (ADMIN,)
CATALOGUE_STAFF = (ADMIN, MODERATOR)
# A partner's cashier redeems codes of its partner; the IT administrator may too (support at the
# counter, audited with a reason).
REDEEMERS = (PARTNER, ADMIN)

# The role a caller acts in, by action (exact name, then its prefix), first held role wins. A
# person holding two roles acts in the one the action is meant for; audit entries record it.
_ACTING_ORDER: dict[str, tuple[str, ...]] = {
    "poll": (APPROVER, MODERATOR, ADMIN, ANALYST),
    "poll.approve": APPROVERS, "poll.reject": APPROVERS,
    "content": (APPROVER, MODERATOR, EMERGENCY, ADMIN, ANALYST),
    "content.approve": APPROVERS, "content.reject": APPROVERS, "content.retract": (APPROVER, EMERGENCY),
    "content.emergency_publish": (EMERGENCY,),
    "shop": (ADMIN, MODERATOR),
    "shop.redeem": REDEEMERS,
    "points": (ADMIN,),
    "staff": (ADMIN,),
}
_DEFAULT_ORDER = (APPROVER, EMERGENCY, MODERATOR, ADMIN, ANALYST, PARTNER, RESIDENT)
SYSTEM = "system"


def acting_role(principal: Principal | None, action: str) -> str:
    """The role in which ``principal`` takes ``action`` (``"poll.edit"``, ``"content.approve"``,
    ``"shop.redeem"`` …): ``"system"`` for the scheduler, ``"unknown"`` when no role fits."""
    if principal is None:
        return SYSTEM
    order = _ACTING_ORDER.get(action) or _ACTING_ORDER.get(action.split(".", 1)[0]) or _DEFAULT_ORDER
    for role in order:
        if role in principal.roles:
            return role
    return "unknown"


def is_region_wide(principal: Principal) -> bool:
    """Whether the caller reads every territory (no scope applies to what they see)."""
    return bool(principal.roles & REGION_WIDE_ROLES)


def titles(roles) -> list[str]:
    """Russian titles of ``roles``, in the given order."""
    return [ROLE_TITLES[r] for r in roles]


def catalogue() -> list[dict]:
    """Every role with its title, whether it is staff, region-wide, and granted only with a second
    administrator's confirmation (served by ``GET /v1/roles``)."""
    return [{"role": r, "title": ROLE_TITLES[r], "staff": r in STAFF_ROLES,
             "region_wide": r in REGION_WIDE_ROLES, "grant_confirmed": r in CONFIRMED_GRANTS} for r in ROLES]
