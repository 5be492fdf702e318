"""Deleting a participant's data in a course on their request.

Everything the tool holds about their work in that course goes: reflections with every version,
the feedback threads on them, grades, read markers, what waits to be sent to Canvas and the
stored claims of their launches into the course (which end their open sessions there). Their
person row (name, e-mail) goes too unless another course still enrolls them. The audit log keeps
an event with counts only. Canvas's own copy (gradebook, submissions) is Canvas's to delete.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

from sqlalchemy import ColumnElement, Delete, Select, and_, delete, func, or_, select
from sqlalchemy.orm import Session

from lti_tool.lti.storage import forget_launches
from lti_tool.models import (
    AuditAction,
    CanvasResult,
    Course,
    CourseRole,
    Enrollment,
    FeedbackMessage,
    Grade,
    Person,
    ReadMarker,
    Reflection,
    ReflectionVersion,
    Registration,
)
from lti_tool.models.grade_sync import OutboxItem
from lti_tool.services.audit import ADMIN, AuditLog


class ErasureRefused(ValueError):
    """The request cannot be carried out as asked; the message says why (no personal data)."""


@dataclass(frozen=True)
class Erasure:
    reflections: int
    versions: int
    messages: int
    grades: int
    read_markers: int
    outbox_items: int

    def summary(self) -> str:
        parts = (f"{getattr(self, f.name)} {f.name.replace('_', ' ')}" for f in fields(self))
        return ", ".join(parts)


@dataclass(frozen=True)
class ErasureResult:
    counts: Erasure
    person_removed: bool


class ErasureService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def participant(self, course: Course, sub: str) -> Person:
        """The course's participant with this Canvas user id (the LTI `sub`)."""
        row = self.session.execute(
            select(Person, Enrollment.role)
            .join(Enrollment, Enrollment.person_id == Person.id)
            .where(
                Enrollment.course_id == course.id,
                Person.registration_id == course.registration_id,
                Person.sub == sub,
            )
        ).first()
        if row is None:
            raise ErasureRefused(f"Course {course.id} has no participant with that user id.")
        if row[1] != CourseRole.PARTICIPANT:
            raise ErasureRefused(
                "That person is not a participant of the course; an instructor's feedback is "
                "part of the participants' records and is not deleted this way."
            )
        person: Person = row[0]
        return person

    def preview(self, course: Course, person: Person) -> Erasure:
        """What `delete` would remove, counted without removing it."""
        return Erasure(
            *(
                int(self.session.scalar(select(func.count()).select_from(q.subquery())) or 0)
                for q in (
                    select(Reflection.id).where(self._reflections(course, person)),
                    select(ReflectionVersion.id).where(self._of_reflections(course, person)),
                    select(FeedbackMessage.id).where(self._messages(course, person)),
                    select(Grade.id).where(self._grades(course, person)),
                    select(ReadMarker.id).where(self._markers(course, person)),
                    select(OutboxItem.id).where(self._outbox(course, person)),
                )
            )
        )

    def delete(self, course: Course, person: Person) -> ErasureResult:
        """Remove the participant's records in the course, dependants first."""
        counts = Erasure(
            read_markers=self._run(delete(ReadMarker).where(self._markers(course, person))),
            messages=self._run(delete(FeedbackMessage).where(self._messages(course, person))),
            grades=self._run(delete(Grade).where(self._grades(course, person))),
            versions=self._run(
                delete(ReflectionVersion).where(self._of_reflections(course, person))
            ),
            outbox_items=self._run(delete(OutboxItem).where(self._outbox(course, person))),
            reflections=self._run(delete(Reflection).where(self._reflections(course, person))),
        )
        self._run(  # the copy of their grades in Canvas, as last read back
            delete(CanvasResult).where(
                CanvasResult.course_id == course.id, CanvasResult.person_id == person.id
            )
        )
        self._run(
            delete(Enrollment).where(
                Enrollment.course_id == course.id, Enrollment.person_id == person.id
            )
        )
        remaining = self.session.scalar(
            select(func.count(Enrollment.id)).where(Enrollment.person_id == person.id)
        )
        if not remaining:
            self._run(delete(Person).where(Person.id == person.id))
        registration = self.session.get_one(Registration, course.registration_id)
        forget_launches(self.session, registration.issuer, person.sub, course.context_id)
        AuditLog(self.session).record(
            AuditAction.PARTICIPANT_DELETED,
            ADMIN,
            course_id=course.id,
            subject_type="person",
            subject_id=person.id,
            detail=counts.summary()[:255],
        )
        return ErasureResult(counts, person_removed=not remaining)

    def _run(self, statement: Delete) -> int:
        result = self.session.execute(statement.execution_options(synchronize_session=False))
        return int(result.rowcount)  # type: ignore[attr-defined]

    @staticmethod
    def _reflections(course: Course, person: Person) -> ColumnElement[bool]:
        return and_(Reflection.course_id == course.id, Reflection.person_id == person.id)

    def _their_reflection_ids(self, course: Course, person: Person) -> Select[int]:
        return select(Reflection.id).where(self._reflections(course, person))

    def _of_reflections(self, course: Course, person: Person) -> ColumnElement[bool]:
        return ReflectionVersion.reflection_id.in_(self._their_reflection_ids(course, person))

    def _messages(self, course: Course, person: Person) -> ColumnElement[bool]:
        return FeedbackMessage.reflection_id.in_(self._their_reflection_ids(course, person))

    def _grades(self, course: Course, person: Person) -> ColumnElement[bool]:
        return Grade.reflection_id.in_(self._their_reflection_ids(course, person))

    def _markers(self, course: Course, person: Person) -> ColumnElement[bool]:
        """Markers on their reflections (anyone's), and their own markers in the course."""
        course_reflections = select(Reflection.id).where(Reflection.course_id == course.id)
        return or_(
            ReadMarker.reflection_id.in_(self._their_reflection_ids(course, person)),
            and_(
                ReadMarker.person_id == person.id,
                ReadMarker.reflection_id.in_(course_reflections),
            ),
        )

    @staticmethod
    def _outbox(course: Course, person: Person) -> ColumnElement[bool]:
        return and_(OutboxItem.course_id == course.id, OutboxItem.person_id == person.id)
