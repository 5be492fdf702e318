"""Whether a signed-in session still stands: Canvas's roster decides, not the token.

A session token proves which launch it came from. Every request also checks that the person is
still an active member of the course with the role that launch gave them, so removing someone in
Canvas (and the roster refresh that follows), or changing their role, ends their access at once.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, select
from sqlalchemy.orm import Session

from lti_tool.lti.claims import LaunchContext
from lti_tool.models import Course, Enrollment, Person, Registration


@dataclass(frozen=True)
class Membership:
    """The course, person and enrollment behind a session."""

    course: Course
    person: Person
    enrollment: Enrollment


class MembershipEnded(Exception):
    """The session's person is no longer in the course (`removed`) or not with the role the
    session was issued for (`role_changed`)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


REMOVED = "removed"
ROLE_CHANGED = "role_changed"


def current_membership(session: Session, context: LaunchContext) -> Membership:
    """The launch's membership as the roster has it now (one query), or MembershipEnded."""
    row = session.execute(
        select(Course, Person, Enrollment)
        .join(Registration, Registration.id == Course.registration_id)
        .join(Person, Person.registration_id == Registration.id)
        .join(
            Enrollment, and_(Enrollment.course_id == Course.id, Enrollment.person_id == Person.id)
        )
        .where(
            Registration.issuer == context.issuer,
            Registration.client_id == context.client_id,
            Course.context_id == context.context_id,
            Person.sub == context.sub,
        )
    ).first()
    if row is None or not row.Enrollment.active:
        raise MembershipEnded(REMOVED)
    if row.Enrollment.role != context.role:
        raise MembershipEnded(ROLE_CHANGED)
    return Membership(*row)
