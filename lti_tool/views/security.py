"""Security headers on every answer: CSP with a nonce, framing only by the pages the current
registration's launches vouched for (services.framing)."""

from __future__ import annotations

from flask import Flask, Response, g

from lti_tool.web import services


def init_app(app: Flask) -> None:
    app.after_request(_headers)

    @app.context_processor
    def _nonce() -> dict[str, object]:
        from lti_tool.app import csp_nonce

        return {"csp_nonce": csp_nonce}


def allow_framing_for(registration_id: int | None, *posting_pages: str) -> None:
    """This answer belongs to a registration's login, launch or session (see services.framing);
    `posting_pages` (URLs) may frame this answer only: a transit page's posting page."""
    if registration_id is not None:
        g.framing_registration_id = registration_id
    g.framing_extra = [*g.get("framing_extra", ()), *posting_pages]


def frame_ancestors() -> list[str]:
    """The current registration's framing origins (from a session, or set by the login and
    launch views), or only the tool itself on a page that belongs to no platform."""
    registration_id = g.get("framing_registration_id")
    member = g.get("member")
    if registration_id is None and member is not None:
        registration_id = member.course.registration_id
    return services().framing.ancestors(registration_id, g.get("framing_extra", ()))


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
