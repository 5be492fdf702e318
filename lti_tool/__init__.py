"""A Canvas LTI 1.3 tool for reflection prompts, feedback threads and grade sync."""

from __future__ import annotations

import secrets
from collections.abc import Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

import requests
from flask import Flask, g
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, Map

from lti_tool import db
from lti_tool.config import load_settings
from lti_tool.logs import configure_logging
from lti_tool.lti.keys import KeyStore
from lti_tool.lti.launch import LtiGateway
from lti_tool.lti.storage import DbStorage
from lti_tool.lti.tool_config import DbToolConf
from lti_tool.services.registrations import RegistrationService
from lti_tool.views import security

USER_AGENT = "lti-tool/0.1 (+reflections)"


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    settings = load_settings(Path(app.instance_path), config)
    app.config.update(settings.to_flask_config())
    app.config.update({k: v for k, v in (config or {}).items() if k.isupper()})
    configure_logging()

    db.init_app(app)
    key_store = KeyStore(settings.keys_dir, timedelta(hours=settings.key_overlap_hours))
    if not settings.is_production:
        key_store.ensure_key()
    app.extensions["key_store"] = key_store
    app.extensions.setdefault("http_session", _http_session())
    app.extensions["lti_gateway_factory"] = lambda: _gateway(app)

    if settings.is_production:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=1, x_proto=1, x_host=1)  # type: ignore[method-assign]

    _register_blueprints(app)
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
    from lti_tool.views import errors, health, home, instructor, lti, participant, sync

    app.url_map.converters["int"] = _IdConverter
    app.register_blueprint(lti.bp)
    app.register_blueprint(participant.bp)
    app.register_blueprint(instructor.bp)
    app.register_blueprint(health.bp)
    app.register_blueprint(home.bp)
    app.register_blueprint(sync.bp)
    errors.register_error_handlers(app)
    from lti_tool import tour

    tour.init_app(app)


def _gateway(app: Flask) -> LtiGateway:
    session = db.get_session()
    allow_local = app.config["LTI_TOOL_ENV"] != "production"
    tool_conf = DbToolConf(
        RegistrationService(session, allow_local_urls=allow_local), app.extensions["key_store"]
    )
    return LtiGateway(
        tool_conf,
        DbStorage(session),
        base_url=app.config["LTI_TOOL_BASE_URL"],
        http=app.extensions["http_session"],
    )


def _http_session() -> requests.Session:
    session = requests.Session()
    session.headers["User-Agent"] = USER_AGENT
    return session


def csp_nonce() -> str:
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(16)
    nonce: str = g.csp_nonce
    return nonce
