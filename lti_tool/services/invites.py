"""Registration invites: the operator's consent, handed to a Canvas admin as a link.

A dynamic registration makes the tool trust a platform, so it is accepted only through a link the
operator made (`flask --app lti_tool registration invite`): single use, expiring, and stored as a
hash so a database dump holds no usable link. The Canvas admin still installs with one paste.
"""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lti_tool.db import utcnow
from lti_tool.models import AuditAction, Registration, RegistrationInvite
from lti_tool.services.audit import ADMIN, AuditLog

DEFAULT_LIFETIME = timedelta(days=2)
MAX_LIFETIME = timedelta(days=14)
TOKEN_BYTES = 32


class InviteRefused(Exception):
    """A link that does not (or no longer) let anyone register; `title`/`advice` are shown."""

    def __init__(self, title: str, advice: str, status: int = 403) -> None:
        super().__init__(title)
        self.title = title
        self.advice = advice
        self.status = status


ASK_OPERATOR = (
    "Ask the tool's operator for a new installation link (they make one with "
    "`flask --app lti_tool registration invite`) and paste that one into Canvas."
)
UNKNOWN = InviteRefused("This installation link is not valid", ASK_OPERATOR)
EXPIRED = InviteRefused("This installation link has expired", ASK_OPERATOR, 410)
USED = InviteRefused("This installation link was already used", ASK_OPERATOR, 410)


@dataclass(frozen=True)
class IssuedInvite:
    invite: RegistrationInvite
    token: str
    """Shown once, to the operator; only its hash is kept."""

    def url(self, base_url: str) -> str:
        return f"{base_url}/lti/register/{self.token}"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


class InviteService:
    def __init__(self, session: Session, clock: Callable[[], datetime] = utcnow) -> None:
        self.session = session
        self.clock = clock

    def issue(self, note: str = "", lifetime: timedelta = DEFAULT_LIFETIME) -> IssuedInvite:
        if not timedelta(minutes=1) <= lifetime <= MAX_LIFETIME:
            raise ValueError("An invite lives between a minute and 14 days")
        token = secrets.token_urlsafe(TOKEN_BYTES)
        now = self.clock()
        invite = RegistrationInvite(
            token_hash=token_hash(token),
            note=note.strip()[:255],
            created_at=now,
            expires_at=now + lifetime,
        )
        self.session.add(invite)
        self.session.flush()
        AuditLog(self.session).record(
            AuditAction.REGISTRATION_INVITED,
            ADMIN,
            subject_type="registration_invite",
            subject_id=invite.id,
            detail=f"valid until {invite.expires_at:%Y-%m-%d %H:%M} UTC",
        )
        return IssuedInvite(invite, token)

    def open(self, token: str) -> RegistrationInvite:
        """The invite a link carries, if it may still be used."""
        invite = self.session.scalar(
            select(RegistrationInvite).where(RegistrationInvite.token_hash == token_hash(token))
        )
        if invite is None:
            raise UNKNOWN
        if invite.used_at is not None:
            raise USED
        if invite.expires_at <= self.clock():
            raise EXPIRED
        return invite

    def redeem(self, invite: RegistrationInvite, registration: Registration) -> None:
        """Mark the invite used by this registration; of two registrations racing on one link,
        only one wins (a conditional update), the other is refused."""
        now = self.clock()
        result = self.session.execute(
            update(RegistrationInvite)
            .where(
                RegistrationInvite.id == invite.id,
                RegistrationInvite.used_at.is_(None),
                RegistrationInvite.expires_at > now,
            )
            .values(used_at=now, registration_id=registration.id)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0) != 1:
            raise USED
        self.session.refresh(invite)

    def list(self) -> list[RegistrationInvite]:
        return list(
            self.session.scalars(select(RegistrationInvite).order_by(RegistrationInvite.id))
        )

    def revoke(self, invite_id: int) -> bool:
        """Expire an unused invite now (a link sent to the wrong person)."""
        invite = self.session.get(RegistrationInvite, invite_id)
        if invite is None or invite.used_at is not None:
            return False
        invite.expires_at = min(invite.expires_at, self.clock())
        self.session.flush()
        return True
