"""A Canvas-faithful LTI 1.3 platform for development and tests, served under ``/demo`` next to the
tool.

Never active in production: :func:`init_app` refuses when ``LTI_TOOL_ENV`` is ``production``.

Configuration keys (all optional):

- ``DEMO_CANVAS_DATABASE_URL``: the demo's own database (default: ``demo_canvas.db`` in the instance
  folder).
- ``DEMO_CANVAS_BASE_URL``: where the demo is served (default ``http://127.0.0.1:5000``).
- ``LTI_TOOL_BASE_URL``: where the tool is served (default ``http://localhost:5000``).
- ``DEMO_CANVAS_ISSUER``: the ``iss`` of its tokens (default ``https://canvas.instructure.com``).
- ``DEMO_CANVAS_HTTP``: object with ``get(url, timeout=)`` used to fetch the tool's JWKS (default a
  ``requests.Session``); tests pass one that needs no network.
- ``DEMO_CANVAS_SEED_PROMPTS``: custom params for seeded module items (see :mod:`.seed`); by
  default the tool's own demo prompts, so a newcomer finds real work in both courses.
"""

from __future__ import annotations

import requests
from flask import Blueprint, Flask
from sqlalchemy.orm import sessionmaker

from demo_canvas import ags, deep_linking, faults, nrps, oauth, oidc, pages, registration
from demo_canvas.cli import demo_cli
from demo_canvas.db import (
    EXTENSION_KEY,
    Base,
    close_db,
    database_url,
    demo_session,
    make_engine,
)
from demo_canvas.faults import clear_faults, set_fault
from demo_canvas.keys import ensure_keys
from demo_canvas.launches import login_initiation_for, session_cookie_for
from demo_canvas.registration import configure_developer_key, install_into_tool
from demo_canvas.seed import seed, tool_prompts

__all__ = [
    "clear_faults",
    "configure_developer_key",
    "init_app",
    "install_into_tool",
    "login_initiation_for",
    "session_cookie_for",
    "set_fault",
]


def _blueprint() -> Blueprint:
    """A fresh parent blueprint per app, so several apps (tests) can each register it."""
    parent = Blueprint(
        "demo_canvas",
        __name__,
        url_prefix="/demo",
        template_folder="templates",
        static_folder="static",
        static_url_path="/static",
    )
    for module in (oidc, oauth, ags, nrps, deep_linking, registration, faults, pages):
        parent.register_blueprint(module.bp)
    return parent


def init_app(app: Flask) -> None:
    """Create the demo database (tables, keys, seed data) and mount the demo under ``/demo``."""
    if app.config.get("LTI_TOOL_ENV") == "production":
        raise RuntimeError("the demo Canvas is a development fixture and cannot run in production")
    app.config.setdefault("DEMO_CANVAS_SEED_PROMPTS", tool_prompts())
    engine = make_engine(database_url(app))
    Base.metadata.create_all(engine)
    app.extensions[EXTENSION_KEY] = {
        "engine": engine,
        "sessionmaker": sessionmaker(engine),
        "http": app.config.get("DEMO_CANVAS_HTTP") or requests.Session(),
    }
    app.register_blueprint(_blueprint())
    app.teardown_appcontext(close_db)
    app.cli.add_command(demo_cli)
    with app.app_context(), demo_session(app) as session:
        ensure_keys(session)
        seed(session)
