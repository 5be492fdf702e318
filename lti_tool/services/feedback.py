"""Feedback threads: instructors comment on a version, participants reply, read markers count
what each person has not seen yet."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session, joinedload

from lti_tool.db import get_or_create
from lti_tool.models import (
    AuditAction,
    Course,
    CourseRole,
    FeedbackMessage,
    Grade,
    Person,
    Prompt,
    ReadMarker,
    Reflection,
    ReflectionVersion,
)
from lti_tool.services.audit import Actor, AuditLog
from lti_tool.services.forms import FormInvalid

MAX_MESSAGE = 10_000
MAX_QUOTE = 2_000


class MessageInvalid(FormInvalid):
    """A feedback message or reply that cannot be posted."""


@dataclass(frozen=True)
class InboxItem:
    message: FeedbackMessage
    prompt: Prompt
    unread: bool


@dataclass(frozen=True)
class GradeComment:
    grade: Grade
    prompt: Prompt
    grader: Person


class FeedbackService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def comment(
        self,
        reflection: Reflection,
        author: Person,
        *,
        body: str,
        version_number: int,
        quote: str = "",
        asks_reply: bool = False,
        actor: Actor,
        now: datetime,
    ) -> FeedbackMessage:
        """An instructor's comment on one version; a quote must be a passage of that version."""
        body, quote = body.strip(), quote.strip()
        errors = _body_errors(body)
        version = self.session.scalar(
            select(ReflectionVersion).where(
                ReflectionVersion.reflection_id == reflection.id,
                ReflectionVersion.number == version_number,
            )
        )
        if version is None:
            errors["version"] = "Choose a submitted version to comment on."
        elif quote and (len(quote) > MAX_QUOTE or not _passage_of(quote, version.text)):
            errors["quote"] = (
                f"The quote must be a passage of version {version_number}, copied exactly."
            )
        if errors:
            raise MessageInvalid(errors)
        reflection.waiting_since = None
        reflection.reply_requested = asks_reply
        message = self._post(
            reflection,
            author,
            CourseRole.INSTRUCTOR,
            body=body,
            quote=quote or None,
            version_number=version_number,
            asks_reply=asks_reply,
            now=now,
        )
        AuditLog(self.session).reflection(
            AuditAction.FEEDBACK_POSTED,
            actor,
            reflection,
            f"message {message.id} on version {message.version_number}",
        )
        return message

    def reply(
        self, reflection: Reflection, author: Person, *, body: str, actor: Actor, now: datetime
    ) -> FeedbackMessage:
        """The participant's answer; it puts the reflection back in the instructors' queue."""
        body = body.strip()
        errors = _body_errors(body)
        if reflection.version_count == 0:
            errors["body"] = "Submit your reflection first; then you can reply to feedback."
        if errors:
            raise MessageInvalid(errors)
        reflection.waiting_since = reflection.waiting_since or now
        reflection.reply_requested = False
        message = self._post(reflection, author, CourseRole.PARTICIPANT, body=body, now=now)
        AuditLog(self.session).reflection(
            AuditAction.FEEDBACK_REPLIED, actor, reflection, f"message {message.id}"
        )
        return message

    def _post(
        self,
        reflection: Reflection,
        author: Person,
        role: CourseRole,
        *,
        body: str,
        now: datetime,
        quote: str | None = None,
        version_number: int | None = None,
        asks_reply: bool = False,
    ) -> FeedbackMessage:
        message = FeedbackMessage(
            reflection_id=reflection.id,
            author_id=author.id,
            author_role=role,
            body=body,
            quote=quote,
            version_number=version_number,
            asks_reply=asks_reply,
            created_at=now,
        )
        self.session.add(message)
        self.session.flush()
        self.mark_read(reflection, author, up_to=message.id)
        return message

    def thread(self, reflection: Reflection) -> list[FeedbackMessage]:
        return list(
            self.session.scalars(
                select(FeedbackMessage)
                .where(FeedbackMessage.reflection_id == reflection.id)
                .options(joinedload(FeedbackMessage.author))
                .order_by(FeedbackMessage.id)
            )
        )

    def mark_read(
        self, reflection: Reflection, person: Person, *, up_to: int | None = None
    ) -> None:
        """Move the person's marker forward to `up_to` (default: the thread's newest message)."""
        if up_to is None:
            up_to = self.session.scalar(
                select(func.max(FeedbackMessage.id)).where(
                    FeedbackMessage.reflection_id == reflection.id
                )
            )
        if not up_to:
            return
        marker = self._marker(reflection.id, person.id)
        marker.last_read_id = max(marker.last_read_id or 0, up_to)

    def _marker(self, reflection_id: int, person_id: int) -> ReadMarker:
        keys = {"reflection_id": reflection_id, "person_id": person_id}
        return get_or_create(self.session, ReadMarker, keys, last_read_id=0)

    def unread_counts(
        self, person: Person, course: Course, reflection_ids: Iterable[int] | None = None
    ) -> dict[int, int]:
        """Unread messages per reflection for this person, by others, in one query."""
        query = (
            select(FeedbackMessage.reflection_id, func.count(FeedbackMessage.id))
            .join(Reflection, Reflection.id == FeedbackMessage.reflection_id)
            .outerjoin(
                ReadMarker,
                and_(
                    ReadMarker.reflection_id == FeedbackMessage.reflection_id,
                    ReadMarker.person_id == person.id,
                ),
            )
            .where(
                Reflection.course_id == course.id,
                FeedbackMessage.author_id != person.id,
                or_(ReadMarker.id.is_(None), FeedbackMessage.id > ReadMarker.last_read_id),
            )
            .group_by(FeedbackMessage.reflection_id)
        )
        if reflection_ids is not None:
            query = query.where(FeedbackMessage.reflection_id.in_(list(reflection_ids)))
        return {reflection_id: int(count) for reflection_id, count in self.session.execute(query)}

    def inbox(self, person: Person, course: Course) -> list[InboxItem]:
        """Every instructor message on this participant's reflections in the course, newest
        first, with whether they have read it."""
        rows = self.session.execute(
            select(FeedbackMessage, Prompt, ReadMarker.last_read_id)
            .join(Reflection, Reflection.id == FeedbackMessage.reflection_id)
            .join(Prompt, Prompt.id == Reflection.prompt_id)
            .outerjoin(
                ReadMarker,
                and_(ReadMarker.reflection_id == Reflection.id, ReadMarker.person_id == person.id),
            )
            .where(
                Reflection.course_id == course.id,
                Reflection.person_id == person.id,
                FeedbackMessage.author_role == CourseRole.INSTRUCTOR,
            )
            .options(joinedload(FeedbackMessage.author))
            .order_by(FeedbackMessage.id.desc())
        ).all()
        return [
            InboxItem(message, prompt, message.id > (last_read or 0))
            for message, prompt, last_read in rows
        ]

    def grade_comments(self, person: Person, course: Course) -> list[GradeComment]:
        """The comments instructors wrote with this participant's grades in the course, newest
        first: feedback too, so it sits beside the threads."""
        rows = self.session.execute(
            select(Grade, Prompt, Person)
            .join(Reflection, Reflection.id == Grade.reflection_id)
            .join(Prompt, Prompt.id == Reflection.prompt_id)
            .join(Person, Person.id == Grade.graded_by_id)
            .where(
                Reflection.course_id == course.id,
                Reflection.person_id == person.id,
                Grade.comment.is_not(None),
            )
            .order_by(Grade.graded_at.desc())
        ).all()
        return [GradeComment(grade, prompt, grader) for grade, prompt, grader in rows]


def _passage_of(quote: str, text: str) -> bool:
    """The quote's words appear in the text in this order; line breaks and spacing may differ,
    as they do when words are selected on the page rather than copied from the source."""
    return " ".join(quote.split()) in " ".join(text.split())


def _body_errors(body: str) -> dict[str, str]:
    if not body:
        return {"body": "Write a message first."}
    if len(body) > MAX_MESSAGE:
        return {"body": f"Keep the message under {MAX_MESSAGE} characters."}
    return {}
