"""Canvas's error answers come in several shapes; this reads any of them into one short,
safe summary."""

from __future__ import annotations

import re

from lti_tool.http import Answer

MESSAGE_LIMIT = 200
_UNPRINTABLE = re.compile(r"[\x00-\x1f\x7f-\x9f]+")


def canvas_message(response: Answer) -> str:
    """A short summary of Canvas's own words from its JSON error shapes, or nothing.

    The body of an error comes from whatever answered the URL, so it is never shown as data:
    only a message field of a JSON error, stripped of control characters and cut short (and
    escaped by the page that shows it). HTML, text and anything else is summarised by the status.
    """
    try:
        body = response.json()
    except ValueError:
        return ""
    message: object = None
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, dict):
            message = errors.get("message")
        elif isinstance(errors, list) and errors and isinstance(errors[0], dict):
            message = errors[0].get("message")
        elif isinstance(body.get("error"), str):
            message = f"{body['error']}: {body.get('error_description') or ''}".strip(": ")
    if not isinstance(message, str):
        return ""
    summary = _UNPRINTABLE.sub(" ", message).strip()
    return summary if len(summary) <= MESSAGE_LIMIT else summary[: MESSAGE_LIMIT - 1] + "…"
