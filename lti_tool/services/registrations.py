"""Platform registrations: what an admin adds by CLI or dynamic registration. Adding and
removing one is recorded in the audit log, with who did it."""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from lti_tool.db import get_or_create
from lti_tool.http.destinations import DestinationPolicy, DestinationRefused, url_origin
from lti_tool.lti.canvas.environments import dishonest_cloud_endpoint
from lti_tool.models import AuditAction, Deployment, Registration
from lti_tool.services.audit import Actor, AuditLog

DEVELOPMENT = DestinationPolicy(production=False)


class RegistrationError(ValueError):
    """A registration the tool refuses; the message is safe to show an admin."""


class RegistrationConflict(RegistrationError):
    """The (issuer, client id) is already registered: an operator must look, never a success."""


class RegistrationService:
    def __init__(self, session: Session, *, destinations: DestinationPolicy = DEVELOPMENT) -> None:
        self.session = session
        self.destinations = destinations
        """The rules the outbound client applies: https only in production, loopback outside."""

    def add(
        self,
        *,
        actor: Actor,
        issuer: str,
        client_id: str,
        auth_login_url: str,
        auth_token_url: str,
        key_set_url: str,
        deployment_ids: Iterable[str] = (),
        service_url: str | None = None,
    ) -> Registration:
        """`service_url`: where the platform serves AGS and NRPS, when that is not on one of the
        hosts above (Canvas cloud: the institution's own domain)."""
        urls = {
            "auth login URL": auth_login_url,
            "auth token URL": auth_token_url,
            "key set URL": key_set_url,
        }
        if service_url:
            urls["service URL"] = service_url
        for label, url in urls.items():
            self.check_url(label, url)
        if not issuer.strip() or not client_id.strip():
            raise RegistrationError("issuer and client_id are required")
        dishonest = dishonest_cloud_endpoint(
            issuer,
            auth_login_url,
            auth_token_url,
            key_set_url,
            allow_loopback=not self.destinations.production,
        )
        if dishonest:
            raise RegistrationError(dishonest)
        if self.find(issuer, client_id) is not None:
            raise _conflict(issuer, client_id)
        registration = Registration(
            issuer=issuer.strip(),
            client_id=client_id.strip(),
            auth_login_url=auth_login_url,
            auth_token_url=auth_token_url,
            key_set_url=key_set_url,
            service_origin=url_origin(service_url) if service_url else None,
        )
        registration.deployments = [
            Deployment(deployment_id=d) for d in dict.fromkeys(deployment_ids)
        ]
        self.session.add(registration)
        try:
            self.session.flush()
        except IntegrityError as error:
            raise _conflict(issuer, client_id) from error
        AuditLog(self.session).registration(
            AuditAction.REGISTRATION_ADDED,
            actor,
            registration.id,
            registration.issuer,
            registration.client_id,
        )
        return registration

    def find(self, issuer: str, client_id: str) -> Registration | None:
        return self.session.scalar(
            select(Registration).where(
                Registration.issuer == issuer, Registration.client_id == client_id
            )
        )

    def find_only_for_issuer(self, issuer: str) -> Registration | None:
        """The registration of an issuer that has exactly one (a login may omit client_id)."""
        found = list(
            self.session.scalars(select(Registration).where(Registration.issuer == issuer).limit(2))
        )
        return found[0] if len(found) == 1 else None

    def list(self) -> list[Registration]:
        return list(
            self.session.scalars(
                select(Registration)
                .options(selectinload(Registration.deployments))
                .order_by(Registration.issuer, Registration.client_id)
            )
        )

    def remove(self, issuer: str, client_id: str, *, actor: Actor) -> bool:
        registration = self.find(issuer, client_id)
        if registration is None:
            return False
        AuditLog(self.session).registration(
            AuditAction.REGISTRATION_REMOVED, actor, registration.id, issuer, client_id
        )
        self.session.delete(registration)
        self.session.flush()
        return True

    def record_deployment(self, registration: Registration, deployment_id: str) -> Deployment:
        """Find a deployment, recording it the first time a validly signed launch names it.

        Canvas creates a deployment id for every install of a developer key, so requiring an admin
        to list them in advance would break each new course-level install.
        """
        keys = {"registration_id": registration.id, "deployment_id": deployment_id}
        return get_or_create(self.session, Deployment, keys)

    def check_url(self, label: str, url: str) -> None:
        try:
            self.destinations.check_url(url)
        except DestinationRefused as error:
            raise RegistrationError(f"The {label} is refused: {error}") from error


def _conflict(issuer: str, client_id: str) -> RegistrationConflict:
    return RegistrationConflict(
        f"{issuer} / {client_id} is already registered with the tool. Nothing was changed: the "
        "tool's operator must check the existing registration (`registration list`) and remove "
        "it (`registration remove`) if it is not yours, then you can install again."
    )
