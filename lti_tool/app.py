"""The Flask application: `create_app()` builds the composition root once and mounts the views."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from lti_tool import db, web
from lti_tool.config import load_settings
from lti_tool.http import SERVICE_PAGE, GuardedHttp
from lti_tool.logs import configure_logging
from lti_tool.views import rate_limits, security
from lti_tool.views.json_body import RequestJSONProvider
from lti_tool.wiring import Wiring


def create_app(
    config: Mapping[str, Any] | None = None, *, http: GuardedHttp | None = None
) -> Flask:
    """The tool as a WSGI app; `http` replaces the outbound HTTP client (tests, a proxy)."""
    app = Flask(__name__, instance_relative_config=True)
    app.json = RequestJSONProvider(app)
    settings = load_settings(Path(app.instance_path), config)
    app.config.update(settings.to_flask_config())
    app.config.update({k: v for k, v in (config or {}).items() if k.isupper()})
    configure_logging()

    built = Wiring.build(
        settings,
        http=http,
        service_deadline=app.config.get("LTI_SERVICE_DEADLINE", SERVICE_PAGE.deadline),
        rate_limits=app.config.get("RATE_LIMITS"),
    )
    web.init_app(app, built)

    if settings.is_production:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    _register_blueprints(app)
    rate_limits.init_app(app)
    security.init_app(app)
    from lti_tool.cli import register_commands

    register_commands(app)
    return app


class _IdConverter(IntegerConverter):
    """`<int:…>` in routes, bounded like `db.parse_int`: a larger number is a 404, not an error."""

    def __init__(self, url_map: Map, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("max", db.INTEGER_MAX)
        super().__init__(url_map, *args, **kwargs)


def _register_blueprints(app: Flask) -> None:
    from lti_tool.views import errors, health, home, instructor, lti, participant, review, sync

    app.url_map.converters["int"] = _IdConverter
    app.register_blueprint(lti.bp)
    app.register_blueprint(participant.bp)
    app.register_blueprint(instructor.bp)
    app.register_blueprint(review.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(sync.bp)
    errors.register_error_handlers(app)
    from lti_tool import tour

    tour.init_app(app)


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce
