"""What the push routes do: the service's public key, a resident's subscriptions and follows."""

from __future__ import annotations

from aj74.errors import Conflict
from aj74.identity.principal import Principal
from aj74.validation import LazySchemas, parse_model

_schemas = LazySchemas("aj74.push.schemas")


def _store():
    from aj74.push.subscriptions import PushSubscriptions

    return PushSubscriptions()


def public_key() -> dict:
    from aj74.push.vapid import public_key as key

    return {"public_key": key()}


def _home(principal: Principal) -> str:
    if not principal.territory_id:
        raise Conflict("В профиле не указана территория проживания: уведомления приходят по территории.",
                       code="no-territory")
    return principal.territory_id


def status(principal: Principal, endpoint: str | None = None) -> dict:
    """Whether this browser (``endpoint``) is subscribed, how many are, and the polls followed."""
    store = _store()
    subscribed = None
    if endpoint is not None:
        subscribed = store.is_subscribed(principal.subject, parse_model(_schemas.EndpointIn,
                                                                        {"endpoint": endpoint}).endpoint)
    return {"subscribed": subscribed, "territory_id": principal.territory_id,
            "devices": store.subscription_count(principal.subject),
            "follows": store.followed_polls(principal.subject)}


def subscribe(principal: Principal, body: dict) -> dict:
    data = parse_model(_schemas.SubscriptionIn, body)
    territory_id = _home(principal)
    _store().subscribe(principal.subject, territory_id, data.endpoint, data.keys.p256dh, data.keys.auth)
    return status(principal, data.endpoint)


def unsubscribe(principal: Principal, body: dict) -> dict:
    data = parse_model(_schemas.EndpointIn, body)
    _store().unsubscribe(principal.subject, data.endpoint)
    return status(principal, data.endpoint)


def follow(principal: Principal, poll_id: str) -> dict:
    """Follow a poll the resident can see (its final result and execution updates will notify).
    Independent of voting: it says nothing about a ballot."""
    from aj74.polls.access import resident_poll

    resident_poll(principal, poll_id)
    _store().follow(principal.subject, poll_id)
    return {"poll_id": poll_id, "following": True}


def unfollow(principal: Principal, poll_id: str) -> dict:
    _store().unfollow(principal.subject, poll_id)
    return {"poll_id": poll_id, "following": False}
