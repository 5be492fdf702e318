"""OIDC third-party-initiated login, ``authorize_redirect`` and ``authorize`` with Canvas's checks,
JWKS, and the Platform Storage frame the login host serves.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, cast
from urllib.parse import urlencode

import jwt
from flask import Blueprint, Response, jsonify, redirect, render_template, request
from sqlalchemy import CursorResult, select, update
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response as BaseResponse

from demo_canvas import keys, urls
from demo_canvas.auth import current_user
from demo_canvas.claims import LaunchSpec, build_claims
from demo_canvas.db import get_db, utcnow
from demo_canvas.faults import faulty
from demo_canvas.models import (
    Deployment,
    DeveloperKey,
    Enrollment,
    LaunchCache,
    User,
)

LOG = logging.getLogger(__name__)
bp = Blueprint("oidc", __name__)

HINT_LIFETIME = timedelta(minutes=5)
ID_TOKEN_LIFETIME = timedelta(hours=1)
REQUIRED_AUTH_PARAMS = (
    "client_id",
    "login_hint",
    "lti_message_hint",
    "nonce",
    "prompt",
    "redirect_uri",
    "response_mode",
    "response_type",
    "scope",
)


class LaunchNotPossible(ValueError):
    """The user cannot launch this tool here (not enrolled, or the key is not deployed)."""


@dataclass(frozen=True)
class LoginInitiation:
    """The hidden form Canvas auto-posts into the ``tool_content`` iframe."""

    action: str
    fields: dict[str, str]


def deployment_for(session: Session, key: DeveloperKey) -> Deployment | None:
    return session.scalar(
        select(Deployment).where(Deployment.developer_key_id == key.id).order_by(Deployment.id)
    )


def enrollment_for(session: Session, user: User, course_id: int) -> Enrollment | None:
    return session.scalar(
        select(Enrollment).where(Enrollment.user_id == user.id, Enrollment.course_id == course_id)
    )


def start_launch(session: Session, spec: LaunchSpec) -> LoginInitiation:
    """Build and cache the launch (as Canvas does before login), and return the login-initiation
    form.
    """
    enrollment = enrollment_for(session, spec.user, spec.course.id)
    if enrollment is None:
        raise LaunchNotPossible("the user is not enrolled in this course")
    claims = build_claims(session, spec, enrollment)
    verifier = secrets.token_hex(32)
    session.add(
        LaunchCache(
            verifier=verifier,
            client_id=spec.developer_key.client_id,
            user_id=spec.user.id,
            claims=claims,
            expires_at=utcnow() + HINT_LIFETIME,
        )
    )
    session.flush()
    hint = jwt.encode(
        {
            "verifier": verifier,
            "canvas_domain": urls.host(urls.pages_base()),
            "context_type": "Course",
            "context_id": spec.course.id,
            "canvas_locale": "en",
            "include_storage_target": True,
            "exp": utcnow() + HINT_LIFETIME,
        },
        keys.secret(session, keys.HINT_SIGNER),
        algorithm="HS256",
    )
    fields = {
        "iss": urls.issuer(),
        "login_hint": spec.user.opaque_id,
        "client_id": spec.developer_key.client_id,
        "lti_deployment_id": spec.deployment_id,
        "deployment_id": spec.deployment_id,
        "target_link_uri": spec.target_link_uri,
        "lti_message_hint": hint,
        "canvas_environment": "prod",
        "canvas_region": "not_configured",
        "lti_storage_target": "post_message_forwarding",
    }
    return LoginInitiation(action=spec.developer_key.oidc_initiation_url, fields=fields)


@bp.get("/api/lti/security/jwks")
@faulty("jwks")
def jwks() -> Response:
    return jsonify(keys.public_jwks(get_db()))


@bp.get("/lti/post_message_forwarding")
def post_message_forwarding() -> Response:
    """The hidden sibling frame that answers Platform Storage messages from the tool; on the login
    host, whose origin the tool posts to."""
    html = render_template("demo_canvas/post_message_forwarding.html")
    return Response(html, mimetype="text/html")


@bp.route("/api/lti/authorize_redirect", methods=["GET", "POST"])
def authorize_redirect() -> BaseResponse:
    """Canvas's auth host answers with a redirect to the institution host's ``authorize``, same
    params.
    """
    params: MultiDict[str, str] = MultiDict(request.args)
    params.update(request.form)
    return redirect(f"{urls.authorize()}?{urlencode(list(params.items(multi=True)))}", code=302)


@bp.get("/api/lti/authorize")
@faulty("authorize")
def authorize() -> Response | tuple[str, int]:
    session = get_db()
    params = request.args
    key = session.scalar(
        select(DeveloperKey).where(DeveloperKey.client_id == params.get("client_id", ""))
    )
    if key is None:
        return _rejected("The client_id is not a known developer key.")
    redirect_uri = params.get("redirect_uri", "")
    if redirect_uri not in key.redirect_uris:
        return _rejected("The redirect_uri is not one of the developer key's redirect URIs.")
    state = params.get("state")
    problem = _check_request(session, key, params)
    if problem is not None:
        LOG.info("authorize refused for client_id=%s: %s", key.client_id, problem[0])
        return _form_post(
            redirect_uri, {"error": problem[0], "error_description": problem[1]}, state
        )
    id_token = _consume_launch(session, key, params)
    if id_token is None:
        LOG.info("authorize refused for client_id=%s: launch_no_longer_valid", key.client_id)
        return _form_post(
            redirect_uri,
            {
                "error": "launch_no_longer_valid",
                "error_description": "The launch has either expired or already been consumed",
            },
            state,
        )
    session.commit()
    return _form_post(
        redirect_uri, {"id_token": id_token, "lti_storage_target": "post_message_forwarding"}, state
    )


def _rejected(message: str) -> tuple[str, int]:
    """Invalid client or redirect URI: Canvas posts nothing anywhere."""
    return render_template("demo_canvas/authorize_error.html", message=message), 400


def _check_request(
    session: Session, key: DeveloperKey, params: MultiDict[str, str]
) -> tuple[str, str] | None:
    missing = [name for name in REQUIRED_AUTH_PARAMS if not params.get(name)]
    if missing:
        return (
            "invalid_request_object",
            f"The following parameters are missing: {','.join(missing)}",
        )
    if params["scope"] != "openid":
        return "invalid_request_object", "The 'scope' must be 'openid'"
    user = current_user(session)
    if user is None or user.opaque_id != params["login_hint"]:
        return "login_required", "Must have an active user session"
    if not key.enabled or deployment_for(session, key) is None:
        return "unauthorized_client", "Client not authorized in requested context"
    return None


def _consume_launch(session: Session, key: DeveloperKey, params: MultiDict[str, str]) -> str | None:
    """Take the cached launch once (atomically), add the nonce and sign; None if gone/expired."""
    try:
        hint = jwt.decode(
            params["lti_message_hint"], keys.secret(session, keys.HINT_SIGNER), algorithms=["HS256"]
        )
    except jwt.PyJWTError:
        return None
    now = utcnow()
    user = current_user(session)
    taken = cast(
        CursorResult[Any],
        session.execute(
            update(LaunchCache)
            .where(
                LaunchCache.verifier == str(hint.get("verifier")),
                LaunchCache.client_id == key.client_id,
                LaunchCache.user_id == (user.id if user else -1),
                LaunchCache.consumed_at.is_(None),
                LaunchCache.expires_at > now,
            )
            .values(consumed_at=now)
        ),
    )
    if taken.rowcount != 1:
        return None
    cached = session.get_one(LaunchCache, hint["verifier"])
    claims = {
        **cached.claims,
        "nonce": params["nonce"],
        "iat": int(now.timestamp()),
        "exp": int((now + ID_TOKEN_LIFETIME).timestamp()),
    }
    return keys.sign_rs256(session, claims)


def _form_post(action: str, fields: dict[str, str], state: str | None) -> Response:
    """Canvas's auth response: a Rails form, auto-submitted, with ``utf8`` and
    ``authenticity_token``.
    """
    all_fields = {"utf8": "\u2713", "authenticity_token": secrets.token_urlsafe(32), **fields}
    if state is not None:
        all_fields["state"] = state
    html = render_template("demo_canvas/form_post.html", action=action, fields=all_fields)
    return Response(html, status=200, mimetype="text/html")
