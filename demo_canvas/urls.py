"""Absolute URLs of the demo Canvas and the tool, built from configuration (never from
``request.host``).

Canvas cloud splits its hosts, and so does the demo: the issuer is a name only
(``DEMO_CANVAS_ISSUER``, like ``https://canvas.instructure.com``); the OIDC login host, which also
answers the APIs (JWKS, token, AGS, NRPS) and the Platform Storage frame, is
``DEMO_CANVAS_BASE_URL`` (like ``sso.canvaslms.com``); the pages people see (dashboard, courses,
SpeedGrader, admin, the ``authorize`` step that reads their session) are on
``DEMO_CANVAS_PAGES_URL``, an institution's own domain the tool has never been told about. The tool
is on ``LTI_TOOL_BASE_URL``, a site of its own, so it is a real third-party iframe. Every demo
route lives under ``PREFIX``.
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


def pages_base() -> str:
    """The host of the pages people see; unset, the login host (one site, for in-process tests
    that need no browser)."""
    return str(current_app.config.get("DEMO_CANVAS_PAGES_URL") or demo_base()).rstrip("/")


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


def page(path: str, **query: str | int) -> str:
    """Absolute URL of a page people see (on the pages host) for ``path`` under ``/demo``."""
    url = pages_base() + PREFIX + path
    return f"{url}?{urlencode(query)}" if query else url


def host(base: str) -> str:
    """``host[:port]`` of a base URL, as Canvas names a domain in claims and hints."""
    return base.split("://", 1)[1]


def jwks() -> str:
    return demo("/api/lti/security/jwks")


def authorize_redirect() -> str:
    return demo("/api/lti/authorize_redirect")


def authorize() -> str:
    """On the institution's host: the login host redirects there, where the session cookie is."""
    return page("/api/lti/authorize")


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
    return page(f"/courses/{course_id}")


def post_message_forwarding() -> str:
    """On the login host, like Canvas's: the tool posts to it with the login URL's origin."""
    return demo("/lti/post_message_forwarding")


def openid_configuration() -> str:
    """On the host of the admin page that opened the registration (Canvas builds it from the
    request's domain)."""
    return page("/api/lti/security/openid-configuration")


def registrations() -> str:
    return page("/api/lti/registrations")
