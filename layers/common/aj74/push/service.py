"""What the push routes do: the service's public key, a resident's subscriptions and follows.

What the routes reach (the subscriptions table, the VAPID key, the polls a resident may follow)
comes in a ``PushPorts`` (``aj74.push.ports``), an optional last parameter; the routes pass none and
get :func:`default_ports` (docs/decisions/021-ports-and-adapters.md).
"""

from __future__ import annotations

from aj74.errors import Conflict
from aj74.identity.principal import Principal
from aj74.push.ports import PushPorts
from aj74.validation import LazySchemas, parse_model

_schemas = LazySchemas("aj74.push.schemas")


def default_ports(**overrides) -> PushPorts:
    """The real adapters (the subscriptions table, the VAPID key secret, the poll table), ``overrides``
    in their place. Built per call, as the functions built them inline before."""
    from aj74.polls.access import resident_poll
    from aj74.push.subscriptions import PushSubscriptions
    from aj74.push.vapid import public_key as vapid_public_key

    return PushPorts(**{"subscriptions": PushSubscriptions(), "public_key": vapid_public_key,
                        "resident_poll": resident_poll, **overrides})


def public_key(ports: PushPorts | None = None) -> dict:
    if ports is None:  # the key alone: no subscriptions table needed
        from aj74.push.vapid import public_key as key

        return {"public_key": key()}
    return {"public_key": ports.public_key()}


def _home(principal: Principal) -> str:
    if not principal.territory_id:
        raise Conflict("В профиле не указана территория проживания: уведомления приходят по территории.",
                       code="no-territory")
    return principal.territory_id


def status(principal: Principal, endpoint: str | None = None, ports: PushPorts | None = None) -> dict:
    """Whether this browser (``endpoint``) is subscribed, how many are, and the polls followed."""
    store = (ports or default_ports()).subscriptions
    subscribed = None
    if endpoint is not None:
        subscribed = store.is_subscribed(principal.subject, parse_model(_schemas.EndpointIn,
                                                                        {"endpoint": endpoint}).endpoint)
    return {"subscribed": subscribed, "territory_id": principal.territory_id,
            "devices": store.subscription_count(principal.subject),
            "follows": store.followed_polls(principal.subject)}


def subscribe(principal: Principal, body: dict, ports: PushPorts | None = None) -> dict:
    data = parse_model(_schemas.SubscriptionIn, body)
    territory_id = _home(principal)
    ports = ports or default_ports()
    ports.subscriptions.subscribe(principal.subject, territory_id, data.endpoint, data.keys.p256dh, data.keys.auth)
    return status(principal, data.endpoint, ports)


def unsubscribe(principal: Principal, body: dict, ports: PushPorts | None = None) -> dict:
    data = parse_model(_schemas.EndpointIn, body)
    ports = ports or default_ports()
    ports.subscriptions.unsubscribe(principal.subject, data.endpoint)
    return status(principal, data.endpoint, ports)


def follow(principal: Principal, poll_id: str, ports: PushPorts | None = None) -> dict:
    """Follow a poll the resident can see (its final result and execution updates will notify).
    Independent of voting: it says nothing about a ballot."""
    ports = ports or default_ports()
    ports.resident_poll(principal, poll_id)
    ports.subscriptions.follow(principal.subject, poll_id)
    return {"poll_id": poll_id, "following": True}


def unfollow(principal: Principal, poll_id: str, ports: PushPorts | None = None) -> dict:
    ports = ports or default_ports()
    ports.subscriptions.unfollow(principal.subject, poll_id)
    return {"poll_id": poll_id, "following": False}
