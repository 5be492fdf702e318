"""Absolute URLs of the demo Canvas and the tool, built from configuration (never from
``request.host``).

The demo is served on ``DEMO_CANVAS_BASE_URL`` and the tool on ``LTI_TOOL_BASE_URL`` by the same
process; the two hosts differ so the tool is a real third-party iframe. Every demo route lives under
``PREFIX``.
"""

from __future__ import annotations

from urllib.parse import urlencode, urlsplit

from flask import current_app

PREFIX = "/demo"
DEFAULT_DEMO_BASE_URL = "http://127.0.0.1:5000"
DEFAULT_TOOL_BASE_URL = "http://localhost:5000"
DEFAULT_ISSUER = "https://canvas.instructure.com"


def demo_base() -> str:
    return str(current_app.config.get("DEMO_CANVAS_BASE_URL") or DEFAULT_DEMO_BASE_URL).rstrip("/")


def tool_base() -> str:
    return str(current_app.config.get("LTI_TOOL_BASE_URL") or DEFAULT_TOOL_BASE_URL).rstrip("/")


def issuer() -> str:
    return str(current_app.config.get("DEMO_CANVAS_ISSUER") or DEFAULT_ISSUER)


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def demo(path: str, **query: str | int) -> str:
    """Absolute demo URL for ``path`` (relative to the ``/demo`` prefix)."""
    url = demo_base() + PREFIX + path
    return f"{url}?{urlencode(query)}" if query else url


def jwks() -> str:
    return demo("/api/lti/security/jwks")


def authorize_redirect() -> str:
    return demo("/api/lti/authorize_redirect")


def authorize() -> str:
    return demo("/api/lti/authorize")


def token() -> str:
    """The token URL; a client assertion's ``aud`` must equal it byte for byte."""
    return demo("/login/oauth2/token")


def line_items(course_id: int) -> str:
    return demo(f"/api/lti/courses/{course_id}/line_items")


def line_item(course_id: int, line_item_id: int) -> str:
    return f"{line_items(course_id)}/{line_item_id}"


def names_and_roles(course_id: int) -> str:
    return demo(f"/api/lti/courses/{course_id}/names_and_roles")


def course_home(course_id: int) -> str:
    return demo(f"/courses/{course_id}")


def post_message_forwarding() -> str:
    return demo("/lti/post_message_forwarding")


def openid_configuration() -> str:
    return demo("/api/lti/security/openid-configuration")


def registrations() -> str:
    return demo("/api/lti/registrations")
