"""The course roster from Canvas's Names and Role Provisioning Service.

Instructors see every participant (also those who never opened the tool), so the roster is
refreshed on instructor launches, at most every `ROSTER_MAX_AGE`. Names and e-mails are stored
only when Canvas's privacy level sends them, and an absent value never erases a known one.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from lti_tool.db import get_or_create, write_after_call
from lti_tool.lti.advantage.client import ServiceClient
from lti_tool.lti.advantage.http import ServiceError
from lti_tool.lti.advantage.nrps import Member
from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.lti.claims import TEST_USER, course_role
from lti_tool.models import Course, CourseRole, Enrollment, Person, Registration

LOG = logging.getLogger(__name__)
ROSTER_MAX_AGE = timedelta(minutes=5)


@dataclass(frozen=True)
class RosterSummary:
    members: int
    deactivated: int


def refresh_if_stale(
    session: Session, client: ServiceClient, course: Course, now: datetime
) -> RosterSummary | None:
    """Sync the roster when it is older than `ROSTER_MAX_AGE`; never fails a launch (a Canvas
    error is logged and the next instructor launch tries again). The caller commits."""
    fresh = course.roster_synced_at and now - course.roster_synced_at < ROSTER_MAX_AGE
    if fresh or not course.memberships_url:
        return None
    try:
        return sync_roster(session, client, course, now)
    except ServiceError as error:
        LOG.warning("roster sync for course %s failed: status %s", course.id, error.status)
        return None
    except OperationalError:
        session.rollback()
        LOG.warning("roster of course %s not stored: the database was busy", course.id)
        return None


def sync_roster(
    session: Session, client: ServiceClient, course: Course, now: datetime
) -> RosterSummary:
    """Store every member and role; members Canvas no longer lists become inactive, which ends
    their sessions (see services.membership). Canvas's Student View user is not in the roster
    and stays as its last launch left it."""
    if not course.memberships_url:
        raise ServiceError("Canvas gave the tool no roster service for this course")
    registration = session.get_one(Registration, course.registration_id)
    members = client.members(Credentials.of(registration), course.memberships_url)
    write_after_call(session, course, roster_synced_at=now)
    seen = [_store_member(session, course, member).id for member in members]
    result = session.execute(
        update(Enrollment)
        .where(Enrollment.course_id == course.id, Enrollment.id.not_in(seen or [-1]))
        .where(Enrollment.active.is_(True), Enrollment.is_test_user.is_(False))
        .values(active=False)
        .execution_options(synchronize_session="fetch")
    )
    deactivated = int(getattr(result, "rowcount", 0) or 0)
    LOG.info("roster of course %s: %s members, %s deactivated", course.id, len(seen), deactivated)
    return RosterSummary(len(seen), deactivated)


def _store_member(session: Session, course: Course, member: Member) -> Enrollment:
    person = get_or_create(
        session, Person, {"registration_id": course.registration_id, "sub": member.user_id}
    )
    person.name = member.name or person.name
    person.email = member.email or person.email
    roles = list(member.roles)
    enrollment = get_or_create(
        session,
        Enrollment,
        {"course_id": course.id, "person_id": person.id},
        role=CourseRole(course_role(roles)),
    )
    enrollment.role = CourseRole(course_role(roles))
    enrollment.is_test_user = TEST_USER in roles
    enrollment.active = member.active
    return enrollment
