"""Every failure answers a readable page (or JSON for fetch calls) with the right status."""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, g, jsonify, make_response, render_template, request
from sqlalchemy.exc import InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException

from lti_tool.lti.errors import LaunchError

LOG = logging.getLogger(__name__)

_ADVICE = {
    400: ("The request could not be understood", "Go back and try again."),
    401: ("Your session has ended", "Open the item again from your Canvas course."),
    403: (
        "You do not have access to this page",
        "It belongs to someone else or to another course.",
    ),
    404: ("This page does not exist", "It may have been removed, or the link is mistyped."),
    405: ("This page cannot be used that way", "Go back and use the page's own buttons."),
    409: ("Someone changed this at the same time", "Reload the page to see the latest version."),
    413: ("That is too much text to send at once", "Shorten it and try again; your draft is kept."),
    422: ("Some of what you entered needs attention", "Correct it and try again."),
    429: ("Too many requests", "Wait a moment and try again."),
}


def wants_json() -> bool:
    return (
        request.path.startswith("/api/")
        or request.accept_mimetypes.best == "application/json"
        or request.is_json
    )


def render_error(status: int, title: str, advice: str) -> Any:
    if wants_json():
        return jsonify({"error": title, "message": advice, "status": status}), status
    return render_template("error.html", status=status, title=title, advice=advice), status


DATABASE_RETRY_AFTER_SECONDS = 30


def _rollback() -> None:
    session = g.get("db_session")
    if session is not None:
        session.rollback()


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(LaunchError)
    def launch_error(error: LaunchError) -> Any:
        # Shown inside whichever page framed the login or launch, registered or not (an
        # unknown platform's is the one that most needs it); the page offers no action.
        g.frame_ancestors_any = True
        return render_error(error.status, error.title, error.advice)

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException) -> Any:
        status = error.code or 500
        title, advice = _ADVICE.get(status, (error.name, error.description or ""))
        description = getattr(error, "description", None)
        if (
            isinstance(description, str)
            and status in (400, 409, 422)
            and description != type(error).description
        ):
            advice = description
        return render_error(status, title, advice)

    @app.errorhandler(OperationalError)
    @app.errorhandler(InterfaceError)
    def database_unavailable(error: Exception) -> Any:
        """The database is down, full or locked: nothing was saved, so say so and when to retry
        (the writing page keeps the draft in the browser and retries on its own)."""
        _rollback()
        LOG.exception("database error on %s %s", request.method, request.path)
        response = make_response(
            render_error(
                503,
                "The tool cannot reach its database just now",
                "Nothing was lost on this page: try again in a moment.",
            )
        )
        response.headers["Retry-After"] = str(DATABASE_RETRY_AFTER_SECONDS)
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception) -> Any:
        _rollback()
        LOG.exception("unexpected error on %s %s", request.method, request.path)
        return render_error(
            500,
            "Something went wrong on our side",
            "Your work is saved as far as the page showed. Try again in a moment.",
        )
