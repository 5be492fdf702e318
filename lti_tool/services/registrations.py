"""Platform registrations: what an admin adds by CLI or dynamic registration. Adding and
removing one is recorded in the audit log, with who did it."""

from __future__ import annotations

from collections.abc import Iterable
from urllib.parse import urlsplit

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, selectinload

from lti_tool.db import get_or_create
from lti_tool.models import AuditAction, Deployment, Registration
from lti_tool.services.audit import Actor, AuditLog

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class RegistrationError(ValueError):
    """A registration the tool refuses; the message is safe to show an admin."""


class RegistrationService:
    def __init__(self, session: Session, *, allow_local_urls: bool = True) -> None:
        self.session = session
        self.allow_local_urls = allow_local_urls
        """Outside production a platform on http://127.0.0.1 or localhost may be registered."""

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
    ) -> Registration:
        for label, url in (
            ("auth login URL", auth_login_url),
            ("auth token URL", auth_token_url),
            ("key set URL", key_set_url),
        ):
            self.check_url(label, url)
        if not issuer.strip() or not client_id.strip():
            raise RegistrationError("issuer and client_id are required")
        if self.find(issuer, client_id) is not None:
            raise RegistrationError(f"{issuer} / {client_id} is already registered")
        registration = Registration(
            issuer=issuer.strip(),
            client_id=client_id.strip(),
            auth_login_url=auth_login_url,
            auth_token_url=auth_token_url,
            key_set_url=key_set_url,
        )
        registration.deployments = [
            Deployment(deployment_id=d) for d in dict.fromkeys(deployment_ids)
        ]
        self.session.add(registration)
        try:
            self.session.flush()
        except IntegrityError as error:
            raise RegistrationError(f"{issuer} / {client_id} is already registered") from error
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
        parts = urlsplit(url)
        if parts.scheme == "https" and parts.netloc:
            return
        if parts.scheme == "http" and parts.hostname in LOCAL_HOSTS and self.allow_local_urls:
            return
        allowed = "an https:// URL" + (
            " (or http://127.0.0.1 / localhost outside production)" if self.allow_local_urls else ""
        )
        raise RegistrationError(f"The {label} must be {allowed}: {url!r}")
