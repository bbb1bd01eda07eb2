"""Territory scope of staff: which territories a moderator may act on, shared by every kind of
moderated item (polls, feed content)."""

from __future__ import annotations

from aj74.errors import Forbidden, InvalidInput
from aj74.identity.principal import Principal
from aj74.territories import TerritoryTree, territory_tree


def check_territories_exist(territory_ids, tree: TerritoryTree) -> None:
    unknown = [t for t in territory_ids if t not in tree]
    if unknown:
        raise InvalidInput("Неизвестные территории: " + ", ".join(unknown),
                           errors=[{"field": "territory_ids", "detail": f"неизвестная территория {t}"}
                                   for t in unknown])


def out_of_scope(principal: Principal, territory_ids, tree: TerritoryTree) -> list[str]:
    """Territories the principal may not act on (empty when everything is within scope)."""
    if principal.has_role("approver") or principal.has_role("admin"):
        return []
    return [t for t in territory_ids if not tree.within_any(t, principal.scope_territory_ids)]


def require_scope(principal: Principal, territory_ids, tree: TerritoryTree) -> None:
    outside = out_of_scope(principal, territory_ids, tree)
    if outside:
        names = ", ".join(tree.get(t).name for t in outside)
        raise Forbidden(f"Территории вне вашей зоны ответственности: {names}.", code="territory-scope")


def drafter_in_scope(subject: str):
    """A workflow authorisation: a moderator whose scope covers the item's territories, or an
    approver; ``subject`` names the item in the refusal («Опрос», «Материал»)."""

    def authorize(actor: Principal | None, item: dict) -> str | None:
        if actor is None or not (actor.has_role("moderator") or actor.has_role("approver")):
            return "Действие доступно модератору территории или согласующему."
        tree = territory_tree()
        outside = out_of_scope(actor, item["territory_ids"], tree)
        if outside:
            names = ", ".join(tree.get(t).name for t in outside)
            return f"{subject} касается территорий вне вашей зоны ответственности: {names}."
        return None

    return authorize
