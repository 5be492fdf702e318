"""The instructor's view of a course: every participant's status per prompt and the queue of
reflections waiting for feedback. Each view is a fixed number of queries, whatever the roster."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import Select, and_, func, select
from sqlalchemy.orm import Session

from lti_tool.models import (
    Course,
    CourseRole,
    Enrollment,
    Grade,
    Person,
    Prompt,
    Reflection,
)
from lti_tool.services.feedback import FeedbackService
from lti_tool.services.prompts import visible_to


class Status(StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    AWAITING_FEEDBACK = "awaiting_feedback"
    AWAITING_REPLY = "awaiting_reply"
    GRADED = "graded"
    GRADED_IN_CANVAS = "graded_in_canvas"
    """Graded in SpeedGrader or Canvas's gradebook, not in the tool (see grade_status)."""

    @property
    def label(self) -> str:
        return _LABELS[self]

    @property
    def participant_label(self) -> str:
        """The same state in the participant's own words: what it means for them."""
        return _PARTICIPANT_LABELS[self]


_LABELS = {
    Status.NOT_STARTED: "Not started",
    Status.DRAFT: "Draft",
    Status.SUBMITTED: "Submitted",
    Status.AWAITING_FEEDBACK: "Awaiting feedback",
    Status.AWAITING_REPLY: "Awaiting participant reply",
    Status.GRADED: "Graded",
    Status.GRADED_IN_CANVAS: "Graded in Canvas",
}

_PARTICIPANT_LABELS = {
    Status.NOT_STARTED: "Not started",
    Status.DRAFT: "Draft, not submitted",
    Status.SUBMITTED: "Submitted",
    Status.AWAITING_FEEDBACK: "Submitted, feedback to come",
    Status.AWAITING_REPLY: "Your reply is requested",
    Status.GRADED: "Graded",
}


def status_of(
    reflection: Reflection | None, graded_version: int | None, *, graded_in_canvas: bool = False
) -> Status:
    """Who owes the next step.

    Awaiting feedback: the participant acted (submitted, replied) after the last instructor
    answer. Awaiting reply: an instructor asked for a reply. Graded: the latest version has a
    grade. Graded in Canvas: Canvas holds a grade the tool did not give (a grade appearing there
    also ends "Awaiting feedback"). Submitted: handed in and answered, but not graded yet.
    """
    if reflection is None or reflection.version_count == 0:
        has_text = reflection is not None and reflection.draft_text.strip()
        return Status.DRAFT if has_text else Status.NOT_STARTED
    if reflection.waiting_since is not None:
        return Status.AWAITING_FEEDBACK
    if reflection.reply_requested:
        return Status.AWAITING_REPLY
    if graded_version == reflection.version_count:
        return Status.GRADED
    return Status.GRADED_IN_CANVAS if graded_in_canvas else Status.SUBMITTED


@dataclass(frozen=True)
class Summary:
    participants: int
    counts: dict[int, Counter[Status]]

    def for_prompt(self, prompt_id: int) -> Counter[Status]:
        counter = Counter(self.counts.get(prompt_id, Counter()))
        counter[Status.NOT_STARTED] += self.participants - sum(counter.values())
        return counter


@dataclass(frozen=True)
class QueueItem:
    reflection: Reflection
    prompt: Prompt
    person: Person
    waiting_since: datetime
    unread: int


@dataclass(frozen=True)
class OwnItem:
    """A prompt of the course as one participant sees it."""

    prompt: Prompt
    reflection: Reflection | None
    grade: Grade | None
    status: Status
    unread: int


def participants_query(course: Course) -> Select[Any]:
    """Active participants of the course, Canvas's Student View user left out of reports."""
    return (
        select(Person)
        .join(Enrollment, Enrollment.person_id == Person.id)
        .where(
            Enrollment.course_id == course.id,
            Enrollment.role == CourseRole.PARTICIPANT,
            Enrollment.active.is_(True),
            Enrollment.is_test_user.is_(False),
        )
    )


class WorkspaceService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.feedback = FeedbackService(session)

    def summary(self, course: Course) -> Summary:
        """Per prompt, how many participants are in each status (two queries)."""
        people = participants_query(course).with_only_columns(Person.id)
        total = self.session.scalar(select(func.count()).select_from(people.subquery())) or 0
        rows = self.session.execute(
            select(Reflection, Grade.version_number)
            .outerjoin(Grade, Grade.reflection_id == Reflection.id)
            .where(Reflection.course_id == course.id, Reflection.person_id.in_(people))
        ).all()
        counts: dict[int, Counter[Status]] = {}
        for reflection, graded in rows:
            counts.setdefault(reflection.prompt_id, Counter())[status_of(reflection, graded)] += 1
        return Summary(int(total), counts)

    def queue(self, course: Course, viewer: Person, limit: int | None = None) -> list[QueueItem]:
        """Reflections waiting for an instructor, the longest-waiting first."""
        query = (
            participants_query(course)
            .add_columns(Reflection, Prompt)
            .join(Reflection, Reflection.person_id == Person.id)
            .join(Prompt, Prompt.id == Reflection.prompt_id)
            .where(Reflection.course_id == course.id, Reflection.waiting_since.is_not(None))
            .order_by(Reflection.waiting_since, Reflection.id)
            .limit(limit)
        )
        rows = self.session.execute(query).all()
        unread = self.feedback.unread_counts(viewer, course, [r.id for _, r, _ in rows])
        return [
            QueueItem(
                reflection, prompt, person, reflection.waiting_since, unread.get(reflection.id, 0)
            )
            for person, reflection, prompt in rows
            if reflection.waiting_since is not None
        ]

    def own_items(self, course: Course, person: Person) -> list[OwnItem]:
        """Every prompt of the course this participant may see, with their reflection, grade and
        unread feedback (two queries)."""
        rows = self.session.execute(
            select(Prompt, Reflection, Grade)
            .outerjoin(
                Reflection,
                and_(Reflection.prompt_id == Prompt.id, Reflection.person_id == person.id),
            )
            .outerjoin(Grade, Grade.reflection_id == Reflection.id)
            .where(Prompt.course_id == course.id, visible_to(person))
            .order_by(Prompt.week.is_(None), Prompt.week, Prompt.id)
        ).all()
        unread = self.feedback.unread_counts(person, course)
        return [
            OwnItem(
                prompt,
                reflection,
                grade,
                status_of(reflection, grade.version_number if grade else None),
                unread.get(reflection.id, 0) if reflection else 0,
            )
            for prompt, reflection, grade in rows
        ]
