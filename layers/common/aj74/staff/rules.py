"""Four eyes over staff grants, as pure rules (docs/decisions/010-decision-cycle.md).

Nobody grants themselves ``approver`` or ``admin``; granting either to anyone else is a request
that a second administrator confirms. Other roles and scopes apply at once.
"""

from __future__ import annotations

from aj74.errors import Conflict, Forbidden, InvalidInput
from aj74.identity.principal import Principal
from aj74.identity.roles import CONFIRMED_GRANTS, PARTNER, ROLE_TITLES


def _quoted(roles) -> str:
    return ", ".join(f"«{ROLE_TITLES[r]}»" for r in sorted(roles))


def check_assignment(roles, scope_territory_ids, partner: str | None) -> None:
    """A cashier names its partner, and only a cashier does."""
    if PARTNER in roles and not partner:
        raise InvalidInput("Кассиру партнёра нужно указать партнёра.",
                           errors=[{"field": "partner", "detail": "название партнёра, как в каталоге поощрений"}])
    if partner and PARTNER not in roles:
        raise InvalidInput("Партнёр указывается только для роли кассира партнёра.",
                           errors=[{"field": "partner", "detail": "добавьте роль partner или уберите партнёра"}])


def needs_confirmation(actor: Principal, subject: str, requested, held) -> bool:
    """Whether granting ``requested`` roles to ``subject`` (who holds ``held`` by their stored
    assignment) waits for a second administrator; a self-grant of a confirmed role is refused."""
    requested = frozenset(requested)
    if subject == actor.subject:
        gained = (requested & CONFIRMED_GRANTS) - actor.roles
        if gained:
            raise Forbidden(f"Нельзя назначить себе роль {_quoted(gained)}: такие права выдаёт другой администратор, "
                            "и его решение подтверждает третий.", code="self-grant")
        return False
    return bool((requested & CONFIRMED_GRANTS) - frozenset(held or ()))


def check_confirmer(actor: Principal, subject: str, pending: dict | None) -> None:
    """The second administrator: neither the one who asked nor the one who gains the roles."""
    if not pending:
        raise Conflict("У сотрудника нет назначения, ожидающего подтверждения.", code="nothing-pending")
    if actor.subject == pending["requested_by"]:
        raise Forbidden("Назначение подтверждает другой администратор, а не тот, кто его запросил.",
                        code="four-eyes")
    if actor.subject == subject:
        raise Forbidden("Нельзя подтвердить назначение самому себе.", code="self-grant")
