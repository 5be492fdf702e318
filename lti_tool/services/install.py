"""How Canvas learns about the tool: the developer-key JSON and LTI Dynamic Registration."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import requests
from sqlalchemy.orm import Session

from lti_tool.lti import canvas
from lti_tool.models import Registration
from lti_tool.services.registrations import RegistrationError, RegistrationService

TITLE = "Reflections"
DESCRIPTION = (
    "Reflection prompts, private instructor feedback threads and grade sync for the Officers and "
    "Leaders human-rights training courses."
)
SCOPES = (
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
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
        "custom_fields": dict(canvas.CUSTOM_FIELDS),
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "domain": urlsplit(base_url).netloc,
                "privacy_level": canvas.PRIVACY_LEVEL,
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
            "custom_parameters": dict(canvas.CUSTOM_FIELDS),
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email"],
            "messages": messages,
            "https://canvas.instructure.com/lti/privacy_level": canvas.PRIVACY_LEVEL,
        },
    }


@dataclass(frozen=True)
class DynamicRegistrationResult:
    registration: Registration
    deployment_id: str | None


class DynamicRegistration:
    """Fetch the platform's openid configuration, register, and store the registration."""

    def __init__(
        self, session: Session, http: requests.Session, base_url: str, *, allow_local_urls: bool
    ) -> None:
        self.registrations = RegistrationService(session, allow_local_urls=allow_local_urls)
        self.http = http
        self.base_url = base_url

    def register(
        self, openid_configuration_url: str, registration_token: str
    ) -> DynamicRegistrationResult:
        headers = {"Authorization": f"Bearer {registration_token}"} if registration_token else {}
        config = self._json("GET", openid_configuration_url, headers=headers)
        issuer = str(config.get("issuer") or "")
        if not issuer:
            raise RegistrationError("The platform's configuration names no issuer")
        endpoint = str(config.get("registration_endpoint") or "")
        answer = self._json(
            "POST", endpoint, headers=headers, json=dynamic_registration_request(self.base_url)
        )
        client_id = str(answer.get("client_id") or "")
        deployment_id = _deployment_from(answer)
        registration = self.registrations.add(
            issuer=issuer,
            client_id=client_id,
            auth_login_url=str(config.get("authorization_endpoint") or ""),
            auth_token_url=str(config.get("token_endpoint") or ""),
            key_set_url=str(config.get("jwks_uri") or ""),
            deployment_ids=[deployment_id] if deployment_id else [],
        )
        return DynamicRegistrationResult(registration, deployment_id)

    def _json(self, method: str, url: str, **kwargs: Any) -> dict[str, Any]:
        self.registrations.check_url("platform URL", url)
        try:
            response = self.http.request(method, url, timeout=15, **kwargs)
            response.raise_for_status()
            body = response.json()
        except requests.HTTPError as error:
            raise RegistrationError(
                f"The platform refused the registration (HTTP {error.response.status_code})"
            ) from error
        except (requests.RequestException, ValueError) as error:
            raise RegistrationError(
                "The platform could not be reached or did not answer JSON"
            ) from error
        if not isinstance(body, dict):
            raise RegistrationError("The platform did not answer a JSON object")
        return body


def _deployment_from(answer: dict[str, Any]) -> str | None:
    """Newer Canvas returns the deployment id at the top level; the spec puts it in the config."""
    config = answer.get("https://purl.imsglobal.org/spec/lti-tool-configuration") or {}
    value = answer.get("deployment_id") or config.get("deployment_id")
    return str(value) if value else None
