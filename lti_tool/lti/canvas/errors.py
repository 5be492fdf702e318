"""Canvas's error answers come in several shapes; this reads any of them into one message."""

from __future__ import annotations

import requests


def canvas_message(response: requests.Response) -> str:
    """Canvas's own words from any of its error shapes; never echoes a request."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason or ""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, dict) and errors.get("message"):
            return str(errors["message"])[:300]
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message") or "")[:300]
        if body.get("error"):
            return f"{body['error']}: {body.get('error_description') or ''}".strip(": ")[:300]
    return str(body)[:300]
