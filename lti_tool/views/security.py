"""Security headers on every answer: CSP with a nonce, framing only by registered platforms."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g
from sqlalchemy import select

from lti_tool.lti.canvas.framing import framing_origins
from lti_tool.models import Registration
from lti_tool.web import get_session


def init_app(app: Flask) -> None:
    app.after_request(_headers)

    @app.context_processor
    def _nonce() -> dict[str, object]:
        from lti_tool.app import csp_nonce

        return {"csp_nonce": csp_nonce}


def frame_ancestors() -> list[str]:
    """Origins allowed to frame the tool: each registered platform's hosts, plus Canvas's
    institution domains for Canvas cloud issuers (the framing page is school.instructure.com)."""
    origins = {"'self'"}
    rows = get_session().execute(select(Registration.issuer, Registration.auth_login_url)).all()
    for issuer, auth_login_url in rows:
        for url in (issuer, auth_login_url):
            parts = urlsplit(url)
            if parts.scheme and parts.netloc:
                origins.add(f"{parts.scheme}://{parts.netloc}")
        origins.update(framing_origins(issuer))
    origins.update(current_app.config.get("EXTRA_FRAME_ANCESTORS", ()))
    origins.update(g.get("registering_platform_origins", ()))
    return sorted(origins)


NOT_A_DOCUMENT_POLICY = "default-src 'none'; frame-ancestors 'none'"
"""For answers no page is built from (JSON, scripts, styles): nothing to run, nothing to frame,
and no registration lookup on every static file and autosave."""


def _policy(response: Response) -> str:
    if response.mimetype != "text/html":
        return NOT_A_DOCUMENT_POLICY
    nonce = g.get("csp_nonce")
    script = f"'self' 'nonce-{nonce}'" if nonce else "'self'"
    framing = "*" if g.get("frame_ancestors_any") else " ".join(frame_ancestors())
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {script}",
            "style-src 'self'",
            "img-src 'self' data:",
            "connect-src 'self'",
            "form-action *",
            "base-uri 'none'",
            "object-src 'none'",
            f"frame-ancestors {framing}",
        ]
    )


def _headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", _policy(response))
    response.headers.setdefault("X-Content-Type-Options", "nosniff")
    # Links carry the session token: never send it to another origin in a Referer header.
    response.headers.setdefault("Referrer-Policy", "same-origin")
    response.headers.setdefault("Cache-Control", "no-store")
    return response
