"""pylti1p3's tool configuration, read from our registrations and key store."""

from __future__ import annotations

from typing import Any

from pylti1p3.deployment import Deployment as LibDeployment
from pylti1p3.registration import Registration as LibRegistration
from pylti1p3.tool_config import ToolConfAbstract

from lti_tool.lti.keys import KeyStore
from lti_tool.models import Registration
from lti_tool.services.registrations import RegistrationService


class DbToolConf(ToolConfAbstract[Any]):
    """Many client ids per issuer (Canvas cloud shares one); deployments recorded on launch."""

    def __init__(self, registrations: RegistrationService, keys: KeyStore) -> None:
        self.registrations = registrations
        self.keys = keys
        self.issuers_relation_types = {}
        self._found: dict[tuple[str, str | None], Registration | None] = {}
        """Registrations already looked up in this request (a launch asks three times)."""

    def check_iss_has_one_client(self, iss: str) -> bool:
        return False

    def check_iss_has_many_clients(self, iss: str) -> bool:
        return True

    def find_registration_by_issuer(self, iss: str, *args: Any, **kwargs: Any) -> LibRegistration:
        raise NotImplementedError("registrations are always looked up by issuer and client_id")

    def find_deployment(self, iss: str, deployment_id: str) -> LibDeployment | None:
        raise NotImplementedError("deployments are always looked up by issuer and client_id")

    def find_model(self, iss: str, client_id: str | None) -> Registration | None:
        key = (iss, client_id)
        if key not in self._found:
            self._found[key] = (
                self.registrations.find(iss, client_id)
                if client_id
                else self.registrations.find_only_for_issuer(iss)
            )
        return self._found[key]

    def find_registration_by_params(
        self, iss: str, client_id: str | None, *args: Any, **kwargs: Any
    ) -> LibRegistration:
        """The registration, or None (which pylti1p3 reports as "not registered")."""
        model = self.find_model(iss, client_id)
        return self.to_library(model) if model else None  # type: ignore[return-value]

    def find_deployment_by_params(
        self, iss: str, deployment_id: str, client_id: str, *args: Any, **kwargs: Any
    ) -> LibDeployment | None:
        """Called by the launch only after the id_token's signature was verified."""
        model = self.find_model(iss, client_id)
        if model is None or not deployment_id:
            return None
        self.registrations.record_deployment(model, deployment_id)
        return LibDeployment().set_deployment_id(deployment_id)

    def to_library(self, model: Registration) -> LibRegistration:
        key = self.keys.signing_key()
        return (
            LibRegistration()
            .set_issuer(model.issuer)
            .set_client_id(model.client_id)
            .set_auth_login_url(model.auth_login_url)
            .set_auth_token_url(model.auth_token_url)
            .set_key_set_url(model.key_set_url)
            .set_tool_private_key(key.private_pem)
            .set_tool_public_key(key.public_pem)
        )
