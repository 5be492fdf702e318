"""LTI Dynamic Registration, platform side, and developer keys set from the tool's JSON.

Flow (canvas-lti.md section 9): the admin page loads the tool's registration URL in an iframe with
``openid_configuration`` and a one-hour ``registration_token``; the tool reads the configuration and
POSTs its registration; Canvas creates a developer key plus an account-level deployment and answers
with the ``client_id``.
"""

from __future__ import annotations

import logging
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

import jwt
from flask import Blueprint, Flask, Response, jsonify, request
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from demo_canvas import keys, urls
from demo_canvas.claims import ACCOUNT_LTI_GUID, AGS_SCOPES, NRPS_SCOPE
from demo_canvas.claims import VARIABLES as SUPPORTED_VARIABLES
from demo_canvas.db import demo_session, get_db, utcnow
from demo_canvas.faults import faulty
from demo_canvas.models import Deployment, DeveloperKey, ResourceLink

LOG = logging.getLogger(__name__)
bp = Blueprint("registration", __name__)

TOKEN_LIFETIME = timedelta(hours=1)
FIRST_CLIENT_ID = 10000000000002
TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"
PLACEMENT_PREFIX = "https://canvas.instructure.com/lti/"
PRIVACY_LEVEL = "https://canvas.instructure.com/lti/privacy_level"
SUPPORTED_SCOPES = sorted(AGS_SCOPES | {NRPS_SCOPE})
MESSAGES_SUPPORTED = [
    {
        "type": "LtiResourceLinkRequest",
        "placements": ["https://canvas.instructure.com/lti/course_navigation"],
    },
    {
        "type": "LtiDeepLinkingRequest",
        "placements": [
            "https://canvas.instructure.com/lti/link_selection",
            "https://canvas.instructure.com/lti/assignment_selection",
        ],
    },
]


class RegistrationRefused(ValueError):
    pass


def registration_token(session: Session, user_id: int) -> str:
    now = utcnow()
    return jwt.encode(
        {
            "jti": secrets.token_hex(16),
            "initiated_by": user_id,
            "iat": now,
            "exp": now + TOKEN_LIFETIME,
            "aud": urls.registrations(),
        },
        keys.secret(session, keys.REGISTRATION_SIGNER),
        algorithm="HS256",
    )


def registration_launch_url(tool_registration_url: str, token: str) -> str:
    """What the admin page's iframe loads: the tool's registration URL with Canvas's two query
    params.
    """
    query = urlencode(
        {"openid_configuration": urls.openid_configuration(), "registration_token": token}
    )
    separator = "&" if "?" in tool_registration_url else "?"
    return f"{tool_registration_url}{separator}{query}"


def _token_claims(session: Session) -> dict[str, Any] | None:
    header = request.headers.get("Authorization", "")
    token = header.removeprefix("Bearer ").strip() if header.startswith("Bearer ") else ""
    token = token or request.args.get("registration_token", "")
    try:
        claims: dict[str, Any] = jwt.decode(
            token,
            keys.secret(session, keys.REGISTRATION_SIGNER),
            algorithms=["HS256"],
            audience=urls.registrations(),
        )
    except jwt.PyJWTError:
        return None
    return claims


def _unauthorized() -> tuple[Response, int]:
    return jsonify(
        {"errors": {"type": "unauthorized", "message": "Invalid registration token"}}
    ), 401


@bp.get("/api/lti/security/openid-configuration")
@faulty("registration")
def openid_configuration() -> Response | tuple[Response, int]:
    session = get_db()
    if _token_claims(session) is None:
        return _unauthorized()
    return jsonify(
        {
            "issuer": urls.issuer(),
            "authorization_endpoint": urls.authorize_redirect(),
            "registration_endpoint": urls.registrations(),
            "jwks_uri": urls.jwks(),
            "token_endpoint": urls.token(),
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", *SUPPORTED_SCOPES],
            "response_types_supported": ["id_token"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": [
                "sub",
                "iss",
                "name",
                "given_name",
                "family_name",
                "email",
                "locale",
            ],
            "subject_types_supported": ["public"],
            "authorization_server": urls.host(urls.demo_base()),
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "canvas",
                "version": "OpenSource",
                "messages_supported": MESSAGES_SUPPORTED,
                "variables": sorted(SUPPORTED_VARIABLES),
                "https://canvas.instructure.com/lti/account_name": "Demo Canvas",
                "https://canvas.instructure.com/lti/account_lti_guid": ACCOUNT_LTI_GUID,
                "https://canvas.instructure.com/lti/account_domain": urls.host(urls.pages_base()),
            },
        }
    )


@bp.post("/api/lti/registrations")
@faulty("registration")
def create_registration() -> tuple[Response, int]:
    session = get_db()
    claims = _token_claims(session)
    if claims is None:
        return _unauthorized()
    body = request.get_json(silent=True)
    try:
        key = developer_key_from_registration(session, body, jti=str(claims["jti"]))
        session.flush()
    except (RegistrationRefused, IntegrityError) as error:
        session.rollback()
        message = str(error) if isinstance(error, RegistrationRefused) else "token already used"
        return jsonify({"errors": {"type": "unprocessable_entity", "message": message}}), 422
    deployment = add_deployment(session, key)
    session.commit()
    LOG.info("dynamic registration created client_id=%s", key.client_id)
    return jsonify(
        {
            **(body or {}),
            "client_id": key.client_id,
            "deployment_id": deployment.deployment_id,
        }
    ), 200


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise RegistrationRefused(message)


def developer_key_from_registration(
    session: Session, body: Any, *, jti: str | None
) -> DeveloperKey:
    """A developer key from a registration body, with the checks Canvas makes on it."""
    _require(isinstance(body, dict), "the registration must be a JSON object")
    config = body.get(TOOL_CONFIGURATION)
    _require(isinstance(config, dict), f"{TOOL_CONFIGURATION} is required")
    for name in ("initiate_login_uri", "jwks_uri", "client_name"):
        _require(bool(body.get(name)), f"{name} is required")
    redirect_uris = body.get("redirect_uris")
    _require(isinstance(redirect_uris, list) and bool(redirect_uris), "redirect_uris is required")
    _require(
        body.get("token_endpoint_auth_method") == "private_key_jwt", "private_key_jwt is required"
    )
    _require(
        "client_credentials" in (body.get("grant_types") or []), "client_credentials grant required"
    )
    _require(
        "id_token" in (body.get("response_types") or []), "response_types must include id_token"
    )
    _require(bool(config.get("target_link_uri")), "target_link_uri is required")
    key = DeveloperKey(
        client_id=_next_client_id(session),
        name=str(body["client_name"]),
        oidc_initiation_url=str(body["initiate_login_uri"]),
        target_link_uri=str(config["target_link_uri"]),
        public_jwk_url=str(body["jwks_uri"]),
        redirect_uris=[str(uri) for uri in redirect_uris],
        scopes=[s for s in str(body.get("scope", "")).split() if s in SUPPORTED_SCOPES],
        custom_fields=dict(config.get("custom_parameters") or {}),
        placements=_placements(config),
        privacy_level=str(config.get(PRIVACY_LEVEL) or "anonymous"),
        registration_jti=jti,
    )
    session.add(key)
    return key


def apply_tool_config(key: DeveloperKey, config: dict[str, Any]) -> None:
    """Set a key from Canvas developer-key JSON (what an admin pastes, or the tool's
    ``/lti/config.json``).

    That JSON has no redirect URIs (a separate developer-key field), so every target_link_uri is
    allowed.
    """
    extension = (config.get("extensions") or [{}])[0]
    settings = extension.get("settings") or {}
    placements = [
        {
            "placement": p["placement"],
            "message_type": p.get("message_type", "LtiResourceLinkRequest"),
            "target_link_uri": p.get("target_link_uri") or config["target_link_uri"],
            "custom_fields": p.get("custom_fields") or {},
            "text": p.get("text"),
        }
        for p in settings.get("placements") or []
    ]
    key.name = str(config.get("title") or key.name)
    key.oidc_initiation_url = str(config["oidc_initiation_url"])
    key.target_link_uri = str(config["target_link_uri"])
    key.public_jwk_url = str(config["public_jwk_url"])
    key.scopes = [s for s in config.get("scopes") or [] if s in SUPPORTED_SCOPES]
    key.custom_fields = dict(config.get("custom_fields") or {})
    key.placements = placements
    key.privacy_level = str(extension.get("privacy_level") or "anonymous")
    key.redirect_uris = list(
        dict.fromkeys([key.target_link_uri, *(p["target_link_uri"] for p in placements)])
    )


def _placements(config: dict[str, Any]) -> list[dict[str, Any]]:
    placements = []
    for message in config.get("messages") or []:
        for placement in message.get("placements") or []:
            placements.append(
                {
                    "placement": str(placement).removeprefix(PLACEMENT_PREFIX),
                    "message_type": message.get("type", "LtiResourceLinkRequest"),
                    "target_link_uri": message.get("target_link_uri") or config["target_link_uri"],
                    "custom_fields": message.get("custom_parameters") or {},
                    "text": message.get("label"),
                }
            )
    return placements


def _next_client_id(session: Session) -> str:
    count = session.scalar(select(func.count()).select_from(DeveloperKey)) or 0
    return str(FIRST_CLIENT_ID + count)


def add_deployment(session: Session, key: DeveloperKey) -> Deployment:
    """An account-level install; Canvas's deployment id is ``<install id>:<opaque context id>``."""
    count = session.scalar(select(func.count()).select_from(Deployment)) or 0
    deployment = Deployment(
        deployment_id=f"{count + 5}:{secrets.token_hex(20)}", developer_key_id=key.id
    )
    session.add(deployment)
    session.flush()
    return deployment


def configure_developer_key(
    app: Flask, config: dict[str, Any], client_id: str = str(FIRST_CLIENT_ID)
) -> None:
    """Apply the tool's developer-key JSON (its ``/lti/config.json``) to a demo key, as an admin
    pasting it.

    Seeded links that pointed at the key's old launch URL follow the new one.
    """
    with app.app_context(), demo_session(app) as session:
        key = session.scalars(select(DeveloperKey).where(DeveloperKey.client_id == client_id)).one()
        old_target = key.target_link_uri
        apply_tool_config(key, config)
        links = session.scalars(
            select(ResourceLink).where(
                ResourceLink.developer_key_id == key.id, ResourceLink.url == old_target
            )
        )
        for link in links:
            link.url = key.target_link_uri
