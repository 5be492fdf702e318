"""Writing and reading the audit log.

The services record their own events, given the actor (`Actor`: a course role and person id,
`ADMIN` for a command, `PLATFORM` for dynamic registration), in the same transaction as what they
did: a rolled-back change leaves no event, a committed one always has its event, and a new caller
(a worker, a command) cannot forget it. Views and commands only pass the actor.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lti_tool.db import utcnow
from lti_tool.models import AuditAction, AuditEvent, Person, Prompt, Reflection

PAGE_SIZE = 50


@dataclass(frozen=True)
class Actor:
    """Who acted: a person in a course role, or an administrator's command, or the platform."""

    role: str
    person_id: int | None = None


ADMIN = Actor("admin")
PLATFORM = Actor("platform")


@dataclass(frozen=True)
class EventView:
    """An event as the instructor's page shows it, with names joined in at read time."""

    event: AuditEvent
    actor_name: str | None
    subject: str

    @property
    def action_label(self) -> str:
        return AuditAction(self.event.action).label


@dataclass(frozen=True)
class EventPage:
    events: list[EventView]
    number: int
    has_next: bool


class AuditLog:
    def __init__(self, session: Session) -> None:
        self.session = session

    def record(
        self,
        action: AuditAction,
        actor: Actor,
        *,
        subject_type: str,
        subject_id: int | None,
        course_id: int | None = None,
        detail: str = "",
    ) -> AuditEvent:
        event = AuditEvent(
            action=action,
            actor_role=actor.role,
            actor_id=actor.person_id,
            course_id=course_id,
            subject_type=subject_type,
            subject_id=subject_id,
            detail=detail,
            created_at=utcnow(),
        )
        self.session.add(event)
        return event

    def reflection(
        self, action: AuditAction, actor: Actor, reflection: Reflection, detail: str = ""
    ) -> AuditEvent:
        """Someone read or changed a reflection's records (text, feedback, grade)."""
        return self.record(
            action,
            actor,
            course_id=reflection.course_id,
            subject_type="reflection",
            subject_id=reflection.id,
            detail=detail,
        )

    def prompt(self, action: AuditAction, actor: Actor, prompt: Prompt) -> AuditEvent:
        """A course's copy of a prompt changed or shown to participants."""
        return self.record(
            action, actor, course_id=prompt.course_id, subject_type="prompt", subject_id=prompt.id
        )

    def course(
        self, action: AuditAction, actor: Actor, course_id: int, detail: str = ""
    ) -> AuditEvent:
        """Something done to a course's records as a whole (an export, a report)."""
        return self.record(
            action,
            actor,
            course_id=course_id,
            subject_type="course",
            subject_id=course_id,
            detail=detail,
        )

    def registration(
        self, action: AuditAction, actor: Actor, registration_id: int, issuer: str, client_id: str
    ) -> AuditEvent:
        """A platform registration added or removed: outside any course, for administrators."""
        return self.record(
            action,
            actor,
            subject_type="registration",
            subject_id=registration_id,
            detail=f"{issuer} client {client_id}"[:255],
        )

    def course_page(self, course_id: int, number: int, size: int = PAGE_SIZE) -> EventPage:
        """One page of a course's events, newest first (two queries whatever the page holds)."""
        number = max(number, 1)
        rows = self.session.execute(
            select(AuditEvent, Person)
            .outerjoin(Person, Person.id == AuditEvent.actor_id)
            .where(AuditEvent.course_id == course_id)
            .order_by(AuditEvent.id.desc())
            .offset((number - 1) * size)
            .limit(size + 1)
        ).all()
        shown = rows[:size]
        subjects = self._reflection_subjects(
            [e.subject_id for e, _ in shown if e.subject_type == "reflection" and e.subject_id]
        )
        views = [
            EventView(event, person.display_name if person else None, _subject(event, subjects))
            for event, person in shown
        ]
        return EventPage(views, number, has_next=len(rows) > size)

    def _reflection_subjects(self, ids: list[int]) -> dict[int, str]:
        if not ids:
            return {}
        rows = self.session.execute(
            select(Reflection.id, Person, Prompt.title)
            .join(Person, Person.id == Reflection.person_id)
            .join(Prompt, Prompt.id == Reflection.prompt_id)
            .where(Reflection.id.in_(set(ids)))
        ).all()
        return {rid: f"{person.display_name}: {title}" for rid, person, title in rows}

    def events(self, course_id: int | None = None, limit: int = PAGE_SIZE) -> list[AuditEvent]:
        """The newest events, of one course or of all (for the administrator's command)."""
        query = select(AuditEvent).order_by(AuditEvent.id.desc()).limit(limit)
        if course_id is not None:
            query = query.where(AuditEvent.course_id == course_id)
        return list(self.session.scalars(query))

    def purge_before(self, cutoff: datetime) -> int:
        """Delete events older than the retention period."""
        result = self.session.execute(delete(AuditEvent).where(AuditEvent.created_at < cutoff))
        return int(result.rowcount)  # type: ignore[attr-defined]


def _subject(event: AuditEvent, reflections: dict[int, str]) -> str:
    if event.subject_type == "reflection" and event.subject_id in reflections:
        return reflections[event.subject_id]
    if event.subject_type == "reflection":
        return f"Reflection #{event.subject_id} (since deleted)"
    if event.subject_type == "person":
        return f"Participant #{event.subject_id}"
    if event.subject_type == "course":
        return "This course"
    return f"{event.subject_type} #{event.subject_id}"
