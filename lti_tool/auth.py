"""The short-lived session token that replaces cookies after a launch.

A tool inside a Canvas iframe cannot count on cookies (Safari, Chrome with third-party cookies
blocked), so every link, form and fetch call carries a signed token bound to the launch, user,
course and role. Each answered request hands back a fresh token, so an open page stays signed in
while the person works, but never past the launch's own lifetime (`cap`): renewal does not slide
forever. A stolen token is useless after its short lifetime. Every request also checks Canvas's
roster: a person removed from the course, or whose role changed, is signed out at once.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import wraps
from typing import Any, TypeVar, cast

import jwt
from flask import Response, abort, current_app, g, request, url_for

from lti_tool.lti.adapters import LAUNCH_LIFETIME_SECONDS
from lti_tool.lti.claims import LaunchContext
from lti_tool.lti.errors import LaunchError
from lti_tool.services.membership import ROLE_CHANGED, MembershipEnded, current_membership
from lti_tool.web import get_session, services

TOKEN_LIFETIME = timedelta(minutes=60)
TOKEN_PARAM = "st"  # noqa: S105 - the name of a query parameter, not a secret
TOKEN_HEADER = "X-Session-Token"  # noqa: S105 - a header name, not a secret
_AUDIENCE = "lti-tool-session"

F = TypeVar("F", bound=Callable[..., Any])


class SessionExpired(LaunchError):
    def __init__(self) -> None:
        super().__init__(
            "Your session has ended",
            "Open the item again from your Canvas course to continue. Your drafts are saved.",
            status=401,
        )


class MembershipChanged(LaunchError):
    """The roster no longer backs the session: removed from the course (401), or another role
    than the session was opened with (403)."""

    def __init__(self, reason: str) -> None:
        if reason == ROLE_CHANGED:
            super().__init__(
                "Your role in this course has changed",
                "Open the tool from Canvas again to continue with your current role. "
                "Your drafts are saved.",
                status=403,
            )
        else:
            super().__init__(
                "You are no longer enrolled in this course",
                "Open the tool from Canvas again. If Canvas still lists you in the course, the "
                "tool will let you in; your drafts are saved.",
                status=401,
            )


def launch_cap(now: datetime) -> datetime:
    """The latest moment a launch's session can reach by renewal: the launch's own lifetime."""
    return now + timedelta(seconds=LAUNCH_LIFETIME_SECONDS)


def issue_token(context: LaunchContext, secret: str, *, cap: datetime) -> str:
    """A token for `context` valid for TOKEN_LIFETIME, but never past `cap`."""
    now = datetime.now(UTC)
    payload = {
        "lid": context.launch_id,
        "sub": context.sub,
        "ctx": context.context_id,
        "role": context.role,
        "iat": now,
        "exp": min(now + TOKEN_LIFETIME, cap),
        "cap": int(cap.timestamp()),
        "aud": _AUDIENCE,
    }
    return jwt.encode(payload, secret, algorithm="HS256")


def read_token(token: str, secret: str) -> dict[str, Any]:
    try:
        return cast(
            dict[str, Any], jwt.decode(token, secret, algorithms=["HS256"], audience=_AUDIENCE)
        )
    except jwt.InvalidTokenError as error:
        raise SessionExpired() from error


def token_from_request() -> str | None:
    header = request.headers.get("Authorization", "")
    if header.startswith("Bearer "):
        return header.removeprefix("Bearer ").strip()
    return request.form.get(TOKEN_PARAM) or request.args.get(TOKEN_PARAM)


def current_launch() -> LaunchContext:
    launch: LaunchContext = g.launch
    return launch


def load_launch() -> LaunchContext:
    """The launch behind this request's token, checked against what the token is bound to."""
    token = token_from_request()
    if not token:
        raise SessionExpired()
    payload = read_token(token, current_app.config["SECRET_KEY"])
    context = services().gateway.restore(str(payload["lid"]))
    bound = (payload.get("sub"), payload.get("ctx"), payload.get("role"))
    if bound != (context.sub, context.context_id, context.role):
        raise SessionExpired()
    g.session_cap = datetime.fromtimestamp(int(payload.get("cap") or payload["exp"]), UTC)
    try:
        g.member = current_membership(get_session(), context)
    except MembershipEnded as ended:
        raise MembershipChanged(ended.reason) from ended
    return context


def launch_required(role: str | None = None) -> Callable[[F], F]:
    """Require a valid session token; with `role`, a launch with that course role (else 403)."""

    def decorator(view: F) -> F:
        @wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if g.get("tour") is None:  # a walk-through signed in its own way (lti_tool.tour)
                g.launch = load_launch()
            if role is not None and g.launch.role != role:
                abort(403)
            return view(*args, **kwargs)

        return cast(F, wrapper)

    return decorator


def session_token() -> str:
    """A fresh token for this request's launch (one per request), for links, forms and fetch."""
    if "session_token" not in g:
        g.session_token = issue_token(
            current_launch(), current_app.config["SECRET_KEY"], cap=g.session_cap
        )
    token: str = g.session_token
    return token


def token_url(endpoint: str, **values: Any) -> str:
    """`url_for` with the session token, for links that must stay signed in."""
    return url_for(endpoint, **{**values, TOKEN_PARAM: session_token()})


def attach_fresh_token(response: Response) -> Response:
    """after_request hook: hand a fresh token to signed-in callers, so a page left open while
    someone writes stays signed in as long as it keeps talking to the tool."""
    if g.get("launch") is not None:
        response.headers[TOKEN_HEADER] = session_token()
    return response
