"""Walk-through links: an operator invites a named visitor to tour one program's sample course.

The link's secret is shown once and only its hash is stored, so the database alone cannot open
a tour. A link opens nothing but its program's sample course, and stops working when it expires
or is revoked. Creating, revoking and every visit are in the audit log (by id, never the name).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import AuditAction, Course, Walkthrough
from lti_tool.sample.cohort import DEFAULT_SEED, plan_cohort
from lti_tool.sample.store import SampleCourseStore
from lti_tool.services.audit import ADMIN, Actor, AuditLog
from lti_tool.services.programs import get_program

VISITOR = Actor("visitor")
MAX_DAYS = 90
VISITOR_LIMIT = 255


class WalkthroughInvalid(ValueError):
    """The operator's request cannot make a link; the message says what to change."""


class WalkthroughClosed(Exception):
    """The link is unknown, expired or revoked; `reason` is one of those words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class CreatedLink:
    walkthrough: Walkthrough
    secret: str
    """Part of the link; shown to the operator once, never stored."""


def token_hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


class WalkthroughService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.audit = AuditLog(session)

    def create(self, program_key: str, visitor: str, days: int, now: datetime) -> CreatedLink:
        visitor = " ".join(visitor.split())
        if get_program(program_key) is None:
            raise WalkthroughInvalid(f"Unknown program {program_key!r}: use officers or leaders.")
        if not visitor or len(visitor) > VISITOR_LIMIT:
            raise WalkthroughInvalid(f"Name the visitor in 1 to {VISITOR_LIMIT} characters.")
        if not 1 <= days <= MAX_DAYS:
            raise WalkthroughInvalid(f"A link lasts 1 to {MAX_DAYS} days.")
        course = self.sample_course(program_key, now.date())
        secret = secrets.token_urlsafe(24)
        walkthrough = Walkthrough(
            token_hash=token_hash(secret),
            program_key=program_key,
            visitor=visitor,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
        self.session.add(walkthrough)
        self.session.flush()
        self._record(AuditAction.WALKTHROUGH_CREATED, ADMIN, walkthrough, course, f"{days} days")
        return CreatedLink(walkthrough, secret)

    def sample_course(self, program_key: str, today: date) -> Course:
        """The program's sample course, loaded from the default seed if there is none yet."""
        store = SampleCourseStore(self.session)
        return store.find(program_key) or store.load(plan_cohort(program_key, DEFAULT_SEED, today))

    def list(self) -> list[Walkthrough]:
        return list(self.session.scalars(select(Walkthrough).order_by(Walkthrough.id)))

    def revoke(self, walkthrough_id: int, now: datetime) -> Walkthrough:
        walkthrough = self.session.get(Walkthrough, walkthrough_id)
        if walkthrough is None:
            raise WalkthroughInvalid(f"There is no walk-through link {walkthrough_id}.")
        if walkthrough.revoked_at is None:
            walkthrough.revoked_at = now
            course = SampleCourseStore(self.session).find(walkthrough.program_key)
            self._record(AuditAction.WALKTHROUGH_REVOKED, ADMIN, walkthrough, course)
        return walkthrough

    def find_open(self, walkthrough_id: int, now: datetime) -> Walkthrough:
        """A link by id (from a signed tour session), still open, else WalkthroughClosed."""
        walkthrough = self.session.get(Walkthrough, walkthrough_id)
        return self._check_open(walkthrough, now)

    def visit(self, secret: str, now: datetime) -> Walkthrough:
        """Open a link: check it, count the visit and log it."""
        walkthrough = self.session.scalar(
            select(Walkthrough).where(Walkthrough.token_hash == token_hash(secret))
        )
        walkthrough = self._check_open(walkthrough, now)
        walkthrough.visits += 1
        walkthrough.last_visit_at = now
        course = self.sample_course(walkthrough.program_key, now.date())
        self._record(AuditAction.WALKTHROUGH_VISITED, VISITOR, walkthrough, course)
        return walkthrough

    @staticmethod
    def _check_open(walkthrough: Walkthrough | None, now: datetime) -> Walkthrough:
        if walkthrough is None:
            raise WalkthroughClosed("unknown")
        if walkthrough.revoked_at is not None:
            raise WalkthroughClosed("revoked")
        if now >= walkthrough.expires_at:
            raise WalkthroughClosed("expired")
        return walkthrough

    def _record(
        self,
        action: AuditAction,
        actor: Actor,
        walkthrough: Walkthrough,
        course: Course | None,
        detail: str = "",
    ) -> None:
        self.audit.record(
            action,
            actor,
            course_id=course.id if course else None,
            subject_type="walkthrough",
            subject_id=walkthrough.id,
            detail=detail,
        )
