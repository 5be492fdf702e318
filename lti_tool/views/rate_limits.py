"""429 with Retry-After on the LTI entrances, counted per source address in the database."""

from __future__ import annotations

from typing import Any

from flask import Flask, g, make_response, request

from lti_tool.views.errors import render_error
from lti_tool.web import wiring

LIMITED_ENDPOINTS = {
    "lti.login": "login",
    "lti.launch": "launch",
    "lti.launch_verify": "launch",
    "lti.register": "register",
    "lti.register_invited": "register",
}


def init_app(app: Flask) -> None:
    app.before_request(_limit)


def _limit() -> Any:
    bucket = LIMITED_ENDPOINTS.get(request.endpoint or "")
    if bucket is None:
        return None
    decision = wiring().rate_limiter.hit(bucket, request.remote_addr or "")
    if decision.allowed:
        return None
    # Shown inside Canvas's frame during a login or launch, like any launch error.
    g.frame_ancestors_any = True
    response = make_response(
        render_error(
            429,
            "Too many requests from your network",
            "The tool is getting more requests from your address than it accepts at once. "
            f"Wait {decision.retry_after} seconds, then open the item again from Canvas. "
            "Nothing you saved is lost.",
        )
    )
    response.headers["Retry-After"] = str(decision.retry_after)
    return response
