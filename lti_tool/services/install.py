"""LTI Dynamic Registration: fetch the platform's configuration, register, store the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import requests
from sqlalchemy.orm import Session

from lti_tool.lti.canvas.developer_key import dynamic_registration_request, registered_deployment_id
from lti_tool.models import Registration
from lti_tool.services.audit import PLATFORM
from lti_tool.services.registrations import RegistrationError, RegistrationService


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
        deployment_id = registered_deployment_id(answer)
        registration = self.registrations.add(
            actor=PLATFORM,
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
