"""The HTTP API of Активный житель 74 (mobile app and admin site), served by API Gateway.

Thin by design: blueprints in ``aj74.api.routes`` hold the views, the domain holds the rules.
"""

from __future__ import annotations

from aj74.api.middleware import problems_and_correlation
from aj74.api.routes import (
    admin_content,
    admin_media,
    admin_polls,
    admin_shop,
    admin_territories,
    audit,
    feed,
    integrity,
    poll_results,
    polls,
    push,
    shop,
    staff,
    system,
)
from aj74.settings import API, configure
from chalice import Chalice

# Validated at cold start: a missing or malformed variable stops the import, naming it.
settings = configure(API)

app = Chalice(app_name="aj74")
app.register_middleware(problems_and_correlation, "http")
app.register_blueprint(system.bp)
app.register_blueprint(polls.bp)
app.register_blueprint(admin_polls.bp)
app.register_blueprint(shop.bp)
app.register_blueprint(admin_shop.bp)
app.register_blueprint(feed.bp)
app.register_blueprint(admin_content.bp)
app.register_blueprint(admin_media.bp)
app.register_blueprint(integrity.bp)
app.register_blueprint(poll_results.bp)
app.register_blueprint(audit.bp)
app.register_blueprint(staff.bp)
app.register_blueprint(admin_territories.bp)
app.register_blueprint(push.bp)


def _dev_identity_routes():
    """The development identity provider's blueprint: on the local stage, from a checkout only (it
    lives in ``infra/local/dev_identity``, which no Lambda artifact holds; docs/decisions/001, 002)."""
    try:
        from infra.local.dev_identity import routes
    except ModuleNotFoundError as exc:
        if exc.name in ("infra", "infra.local", "infra.local.dev_identity"):
            return None
        raise
    return routes.bp


if settings.is_local and (dev_routes := _dev_identity_routes()) is not None:
    app.register_blueprint(dev_routes)
