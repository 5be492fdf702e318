"""How Canvas learns about the tool: the developer-key JSON an admin pastes, and the tool's
half of LTI Dynamic Registration with Canvas's extensions."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from lti_tool.lti.canvas.custom import CUSTOM_FIELDS
from lti_tool.lti.canvas.scopes import SCOPES

PRIVACY_LEVEL = "public"
"""The developer key's privacy level: instructors need names to read and answer reflections."""
TITLE = "Reflections"
DESCRIPTION = (
    "Reflection prompts, private instructor feedback threads and grade sync for the Officers and "
    "Leaders human-rights training courses."
)
DEEP_LINKING = "LtiDeepLinkingRequest"
RESOURCE_LINK = "LtiResourceLinkRequest"


def _placements(base_url: str) -> list[dict[str, Any]]:
    launch = base_url + "/lti/launch"
    return [
        {
            "placement": "link_selection",
            "message_type": DEEP_LINKING,
            "target_link_uri": launch,
            "text": "Reflection prompt",
        },
        {
            "placement": "assignment_selection",
            "message_type": DEEP_LINKING,
            "target_link_uri": launch,
            "text": "Reflection prompt",
        },
        {
            "placement": "course_navigation",
            "message_type": RESOURCE_LINK,
            "target_link_uri": launch,
            "text": "Reflections",
            "visibility": "admins",
            "default": "enabled",
        },
    ]


def canvas_developer_key(base_url: str) -> dict[str, Any]:
    """The JSON an admin pastes (or points Canvas at) when creating an LTI developer key."""
    return {
        "title": TITLE,
        "description": DESCRIPTION,
        "oidc_initiation_url": base_url + "/lti/login",
        "target_link_uri": base_url + "/lti/launch",
        "public_jwk_url": base_url + "/lti/jwks",
        "scopes": list(SCOPES),
        "custom_fields": dict(CUSTOM_FIELDS),
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "domain": urlsplit(base_url).netloc,
                "privacy_level": PRIVACY_LEVEL,
                "settings": {
                    "text": TITLE,
                    "placements": _placements(base_url),
                },
            }
        ],
    }


def dynamic_registration_request(base_url: str) -> dict[str, Any]:
    """The tool's half of LTI Dynamic Registration, with Canvas's extensions."""
    launch = base_url + "/lti/launch"
    messages = [
        {
            "type": DEEP_LINKING,
            "target_link_uri": launch,
            "label": "Reflection prompt",
            "placements": [
                "https://canvas.instructure.com/lti/link_selection",
                "https://canvas.instructure.com/lti/assignment_selection",
            ],
        },
        {
            "type": RESOURCE_LINK,
            "target_link_uri": launch,
            "label": "Reflections",
            "placements": ["https://canvas.instructure.com/lti/course_navigation"],
            "https://canvas.instructure.com/lti/course_navigation/default_enabled": True,
            "https://canvas.instructure.com/lti/visibility": "admins",
        },
    ]
    return {
        "application_type": "web",
        "grant_types": ["implicit", "client_credentials"],
        "response_types": ["id_token"],
        "initiate_login_uri": base_url + "/lti/login",
        "redirect_uris": [launch],
        "client_name": TITLE,
        "jwks_uri": base_url + "/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        "https://purl.imsglobal.org/spec/lti-tool-configuration": {
            "domain": urlsplit(base_url).netloc,
            "target_link_uri": launch,
            "description": DESCRIPTION,
            "custom_parameters": dict(CUSTOM_FIELDS),
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": messages,
            "https://canvas.instructure.com/lti/privacy_level": PRIVACY_LEVEL,
        },
    }


def registered_deployment_id(answer: dict[str, Any]) -> str | None:
    """Newer Canvas returns the deployment id at the top level; the spec puts it in the config."""
    config = answer.get("https://purl.imsglobal.org/spec/lti-tool-configuration") or {}
    value = answer.get("deployment_id") or config.get("deployment_id")
    return str(value) if value else None
