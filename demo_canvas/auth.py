"""Who is using the demo Canvas: a session row keyed by a cookie on the demo origin.

The cookie is first-party on the demo origin. It is ``SameSite=None; Secure`` like Canvas's own
session cookie, so it still reaches ``/api/lti/authorize`` after the tool's cross-site redirect
inside the iframe (browsers accept ``Secure`` cookies on loopback http).
"""

from __future__ import annotations

import secrets

from flask import current_app, request
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response

from demo_canvas.models import DemoSession, User

COOKIE_NAME = "demo_canvas_session"


def create_session(session: Session, user: User) -> str:
    token = secrets.token_urlsafe(32)
    session.add(DemoSession(token=token, user_id=user.id))
    session.flush()
    return token


def _secure_cookie() -> bool:
    """Secure by default; the config may say False (or "0"/"false" from the environment)."""
    value = current_app.config.get("DEMO_CANVAS_COOKIE_SECURE", True)
    return str(value).strip().lower() not in ("0", "false", "no", "off", "")


def set_session_cookie(response: Response, token: str) -> None:
    """``SameSite=None; Secure``; ``SameSite=Lax`` when ``DEMO_CANVAS_COOKIE_SECURE`` is False.

    The fallback is for a browser that drops ``Secure`` cookies on plain http; a Lax cookie may then
    be missing at the authorize step, after the tool's cross-site redirect.
    """
    if _secure_cookie():
        response.set_cookie(
            COOKIE_NAME, token, httponly=True, secure=True, samesite="None", path="/demo"
        )
    else:
        response.set_cookie(COOKIE_NAME, token, httponly=True, samesite="Lax", path="/demo")


def current_user(session: Session) -> User | None:
    token = request.cookies.get(COOKIE_NAME)
    if not token:
        return None
    row = session.get(DemoSession, token)
    return row.user if row else None


def user_by_login(session: Session, login_id: str) -> User | None:
    return session.scalar(select(User).where(User.login_id == login_id))
