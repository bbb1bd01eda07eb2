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
    shop,
    staff,
    system,
)
from aj74.settings import get_settings
from chalice import Chalice

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

if get_settings().is_local:
    # The development identity provider exists only on the local stack; see docs/decisions.
    from aj74.api.routes import dev

    app.register_blueprint(dev.bp)
