"""A Canvas-faithful LTI 1.3 platform for development and tests: its own Flask app, served under
``/demo`` on another site than the tool.

It is not part of the product (the tool's wheel has no file of it, and ``lti_tool`` never imports
it). ``python -m demo_canvas serve`` (what ``make run`` runs) composes it with the tool; see
:mod:`demo_canvas.devserver`. It talks to the tool only as Canvas would: over the tool's HTTP
endpoints, and as an operator registering a platform with the tool's ``registration add`` command.

Configuration keys (all optional; read from the environment unless given to :func:`create_app`):

- ``DEMO_CANVAS_DATABASE_URL``: the demo's own database (default: ``demo_canvas.db`` in the instance
  folder).
- ``DEMO_CANVAS_BASE_URL``: where the demo is served (default ``http://127.0.0.1:5000``).
- ``LTI_TOOL_BASE_URL``: where the tool is served (default ``http://localhost:5000``).
- ``DEMO_CANVAS_ISSUER``: the ``iss`` of its tokens (default ``https://canvas.instructure.com``).
- ``DEMO_CANVAS_COOKIE_SECURE``: ``0`` for a browser that drops ``Secure`` cookies on plain http.
- ``DEMO_CANVAS_HTTP``: object with ``get(url, timeout=)`` used to fetch the tool's JWKS (default a
  ``requests.Session``); tests pass one that needs no network.
- ``DEMO_CANVAS_SEED_PROMPTS``: custom params for seeded module items (see :mod:`.seed`); by
  default one bank prompt of the tool per week, so a newcomer finds real work in both courses.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

import requests
from flask import Blueprint, Flask
from sqlalchemy.orm import sessionmaker
from werkzeug.wrappers import Response

from demo_canvas import ags, deep_linking, faults, nrps, oauth, oidc, pages, registration
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
from demo_canvas.registration import configure_developer_key
from demo_canvas.seed import SEEDED_BANK_PROMPTS, seed

__all__ = [
    "clear_faults",
    "configure_developer_key",
    "create_app",
    "login_initiation_for",
    "session_cookie_for",
    "set_fault",
]

SETTINGS_FROM_ENVIRONMENT = ("LTI_TOOL_ENV", "LTI_TOOL_BASE_URL")
"""The tool's settings the demo reads too (where the tool is; whether this is production), besides
every ``DEMO_CANVAS_*`` variable."""


def create_app(config: Mapping[str, Any] | None = None) -> Flask:
    """The demo Canvas as its own app: database (tables, keys, seed data) ready, pages under
    ``/demo``. Refuses to start when ``LTI_TOOL_ENV`` is ``production``."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.update(
        {
            name: value
            for name, value in os.environ.items()
            if name.startswith("DEMO_CANVAS_") or name in SETTINGS_FROM_ENVIRONMENT
        }
    )
    app.config.update(config or {})
    if app.config.get("LTI_TOOL_ENV") == "production":
        raise RuntimeError("the demo Canvas is a development fixture and cannot run in production")
    app.config.setdefault("DEMO_CANVAS_SEED_PROMPTS", SEEDED_BANK_PROMPTS)
    engine = make_engine(database_url(app))
    Base.metadata.create_all(engine)
    app.extensions[EXTENSION_KEY] = {
        "engine": engine,
        "sessionmaker": sessionmaker(engine),
        "http": app.config.get("DEMO_CANVAS_HTTP") or requests.Session(),
    }
    app.register_blueprint(_blueprint())
    app.teardown_appcontext(close_db)
    app.after_request(_headers)
    with app.app_context(), demo_session(app) as session:
        ensure_keys(session)
        seed(session)
    return app


def _blueprint() -> Blueprint:
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


def _headers(response: Response) -> Response:
    """Canvas's own pages are not the tool's: no tool policy, only the basics every site sends.

    The referrer policy is the browsers' default: a cross-site POST (the login form into the
    tool's iframe) carries the course page's `Origin`, and a link only its origin in `Referer`."""
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    response.headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response
