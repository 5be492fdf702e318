"""LTI Dynamic Registration: fetch the platform's configuration, register, store the result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy.orm import Session

from lti_tool.http import CONFIGURATION, GuardedHttp, OutboundError, url_origin
from lti_tool.lti.canvas.developer_key import dynamic_registration_request, registered_deployment_id
from lti_tool.models import Registration, RegistrationInvite
from lti_tool.services.audit import PLATFORM
from lti_tool.services.invites import InviteService
from lti_tool.services.registrations import RegistrationError, RegistrationService


@dataclass(frozen=True)
class DynamicRegistrationResult:
    registration: Registration
    deployment_id: str | None


class DynamicRegistration:
    """Fetch the platform's openid configuration, register, and store the registration, all on
    the strength of an operator's invite (used up by the registration it makes)."""

    def __init__(self, session: Session, http: GuardedHttp, base_url: str) -> None:
        self.registrations = RegistrationService(session, destinations=http.policy)
        self.invites = InviteService(session)
        self.http = http
        self.base_url = base_url

    def register(
        self, openid_configuration_url: str, registration_token: str, invite: RegistrationInvite
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
            # Canvas cloud serves its configuration, AGS and NRPS from the institution's domain.
            service_url=url_origin(openid_configuration_url),
        )
        self.invites.redeem(invite, registration)
        return DynamicRegistrationResult(registration, deployment_id)

    def _json(
        self, method: str, url: str, *, headers: dict[str, str], json: Any = None
    ) -> dict[str, Any]:
        self.registrations.check_url("platform URL", url)
        try:
            response = self.http.request(
                method,
                url,
                limit=CONFIGURATION,
                headers=headers,
                json=json,
                redirects=3 if method == "GET" else 0,
            )
        except OutboundError as error:
            raise RegistrationError(
                f"The platform could not be reached: {error.message}"
            ) from error
        if not response.ok:
            raise RegistrationError(
                f"The platform refused the registration (HTTP {response.status_code})"
            )
        try:
            body = response.json()
        except ValueError as error:
            raise RegistrationError("The platform did not answer JSON") from error
        if not isinstance(body, dict):
            raise RegistrationError("The platform did not answer a JSON object")
        return body
