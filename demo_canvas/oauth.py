"""OAuth2 client-credentials token endpoint and the bearer check of the LTI Advantage services."""

from __future__ import annotations

import functools
import logging
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ParamSpec

import jwt
from flask import Blueprint, Response, g, jsonify, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from demo_canvas import keys, tool_keys, urls
from demo_canvas.db import get_db, utcnow
from demo_canvas.errors import ServiceError, service_error_response
from demo_canvas.faults import faulty
from demo_canvas.models import DeveloperKey
from demo_canvas.oidc import deployment_for

LOG = logging.getLogger(__name__)
bp = Blueprint("oauth", __name__)
P = ParamSpec("P")

ACCESS_TOKEN_LIFETIME = timedelta(hours=1)
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
REQUIRED_ASSERTION_CLAIMS = ["iss", "sub", "aud", "exp", "iat", "jti"]


def _oauth_error(status: int, error: str, description: str) -> Response:
    response = jsonify({"error": error, "error_description": description})
    response.status_code = status
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="canvas-lms"'
    return response


@bp.post("/login/oauth2/token")
@faulty("token")
def token() -> Response:
    form = request.form
    if form.get("grant_type") != "client_credentials":
        return _oauth_error(400, "unsupported_grant_type", "The grant_type is not supported")
    assertion = form.get("client_assertion", "")
    if form.get("client_assertion_type") != ASSERTION_TYPE or not assertion:
        return _oauth_error(400, "invalid_request", "client_assertion and its type are required")
    session = get_db()
    try:
        _, unverified = tool_keys.unverified(assertion)
    except tool_keys.ToolJwtError as error:
        return _oauth_error(400, "invalid_request", str(error))
    key = session.scalar(
        select(DeveloperKey).where(DeveloperKey.client_id == str(unverified.get("sub")))
    )
    if key is None or not key.enabled:
        return _oauth_error(401, "invalid_client", "Unknown or inactive Developer Key")
    try:
        tool_keys.verify(
            assertion, key.public_jwk_url, audience=urls.token(), required=REQUIRED_ASSERTION_CLAIMS
        )
    except tool_keys.ToolJwtError as error:
        LOG.info("client assertion refused for client_id=%s: %s", key.client_id, error)
        return _oauth_error(400, "invalid_request", str(error))
    scopes = form.get("scope", "").split()
    if not scopes or any(scope not in key.scopes for scope in scopes):
        return _oauth_error(400, "invalid_scope", "Requested scopes are not on the developer key")
    return jsonify(
        {
            "access_token": _issue(session, key, scopes),
            "token_type": "Bearer",
            "expires_in": int(ACCESS_TOKEN_LIFETIME.total_seconds()),
            "scope": " ".join(scopes),
        }
    )


def _issue(session: Session, key: DeveloperKey, scopes: list[str]) -> str:
    now = utcnow()
    return jwt.encode(
        {
            "iss": urls.issuer(),
            "sub": key.client_id,
            "aud": urls.token(),
            "iat": now,
            "exp": now + ACCESS_TOKEN_LIFETIME,
            "jti": secrets.token_hex(16),
            "scopes": " ".join(scopes),
        },
        keys.secret(session, keys.ACCESS_SIGNER),
        algorithm="HS256",
    )


@dataclass(frozen=True)
class Grant:
    """A verified access token: the developer key it belongs to and its scopes."""

    developer_key: DeveloperKey
    scopes: frozenset[str]


def current_grant() -> Grant:
    grant: Grant = g._demo_canvas_grant
    return grant


def _verify_bearer(session: Session, accepted: frozenset[str]) -> Grant:
    header = request.headers.get("Authorization", "")
    if not header.startswith("Bearer "):
        raise ServiceError(401, "Missing access token")
    try:
        claims = jwt.decode(
            header.removeprefix("Bearer ").strip(),
            keys.secret(session, keys.ACCESS_SIGNER),
            algorithms=["HS256"],
            audience=urls.token(),
        )
    except jwt.PyJWTError as error:
        raise ServiceError(401, "Invalid access token") from error
    key = session.scalar(select(DeveloperKey).where(DeveloperKey.client_id == claims.get("sub")))
    if key is None or not key.enabled:
        raise ServiceError(401, "Unknown or inactive Developer Key")
    if deployment_for(session, key) is None:
        raise ServiceError(401, "Access Token not linked to a Tool associated with this Context")
    scopes = frozenset(str(claims.get("scopes", "")).split())
    if not scopes & accepted:
        raise ServiceError(401, "Insufficient permissions")
    return Grant(developer_key=key, scopes=scopes)


def requires_scope(*accepted: str) -> Callable[[Callable[P, Any]], Callable[P, Any]]:
    """Run the view only with a valid access token holding one of ``accepted``; Canvas error body
    otherwise.
    """

    def decorate(view: Callable[P, Any]) -> Callable[P, Any]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
            try:
                g._demo_canvas_grant = _verify_bearer(get_db(), frozenset(accepted))
                return view(*args, **kwargs)
            except ServiceError as error:
                return service_error_response(error)

        return wrapper

    return decorate
