"""What a validated launch changes in the tool: the course, the person and their enrollment."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from lti_tool.db import get_or_create, utcnow
from lti_tool.lti.claims import LaunchContext
from lti_tool.models import Course, CourseRole, Enrollment, Person, Registration


@dataclass(frozen=True)
class LaunchRecord:
    course: Course
    person: Person
    enrollment: Enrollment


class LaunchService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(self, context: LaunchContext, registration: Registration) -> LaunchRecord:
        """`registration` is the one the launch was validated against."""
        course = self._course(registration.id, context)
        person = self._person(registration.id, context)
        enrollment = self._enrollment(course, person, context)
        return LaunchRecord(course, person, enrollment)

    def _course(self, registration_id: int, context: LaunchContext) -> Course:
        course = get_or_create(
            self.session,
            Course,
            {"registration_id": registration_id, "context_id": context.context_id},
        )
        course.title = context.context_title or course.title
        course.label = context.context_label or course.label
        course.memberships_url = context.memberships_url or course.memberships_url
        course.lineitems_url = context.lineitems_url or course.lineitems_url
        return course

    def _person(self, registration_id: int, context: LaunchContext) -> Person:
        person = get_or_create(
            self.session, Person, {"registration_id": registration_id, "sub": context.sub}
        )
        person.name = context.name or person.name
        person.email = context.email or person.email
        return person

    def _enrollment(self, course: Course, person: Person, context: LaunchContext) -> Enrollment:
        enrollment = get_or_create(
            self.session,
            Enrollment,
            {"course_id": course.id, "person_id": person.id},
            role=CourseRole(context.role),
        )
        enrollment.role = CourseRole(context.role)
        enrollment.is_test_user = context.is_test_user
        enrollment.active = True
        enrollment.last_launch_at = utcnow()
        return enrollment
