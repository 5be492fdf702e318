"""A course's records per participant and prompt: what was submitted, answered, graded and
delivered to Canvas. Feeds the completion report (certificates) and the course export, in a
fixed number of queries whatever the roster.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_tool.models import (
    AuditAction,
    Course,
    CourseRole,
    Enrollment,
    FeedbackMessage,
    Grade,
    Person,
    Prompt,
    Reflection,
)
from lti_tool.models.grade_sync import OutboxKind
from lti_tool.services.audit import Actor, AuditLog
from lti_tool.services.grade_status import latest_items
from lti_tool.services.grading import subject_key
from lti_tool.services.prompts import PromptService
from lti_tool.services.workspace import Status, status_of

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


@dataclass(frozen=True)
class PromptRecord:
    prompt: Prompt
    reflection: Reflection | None
    grade: Grade | None
    feedback_received: int
    """Instructors' messages on the reflection."""
    sync_state: str | None
    """Where the latest grade stands with Canvas: sent, pending, needs_attention; None if the
    reflection was never graded."""

    @property
    def status(self) -> Status:
        return status_of(self.reflection, self.grade.version_number if self.grade else None)

    @property
    def submitted(self) -> bool:
        return self.reflection is not None and self.reflection.version_count > 0


@dataclass(frozen=True)
class ParticipantRecord:
    person: Person
    enrollment: Enrollment
    prompts: list[PromptRecord]

    @property
    def submitted(self) -> int:
        return sum(1 for r in self.prompts if r.submitted)

    def submitted_in(self, week: int | None) -> int:
        return sum(1 for r in self.prompts if r.submitted and r.prompt.week == week)

    @property
    def feedback_messages(self) -> int:
        return sum(r.feedback_received for r in self.prompts)

    @property
    def with_feedback(self) -> int:
        return sum(1 for r in self.prompts if r.feedback_received)

    @property
    def synced(self) -> int:
        return sum(1 for r in self.prompts if r.sync_state == "sent")


@dataclass(frozen=True)
class CourseRecords:
    course: Course
    prompts: list[Prompt]
    participants: list[ParticipantRecord]

    @property
    def weeks(self) -> list[int | None]:
        """The course's weeks in order; None (last) collects prompts without a week."""
        numbered = sorted({p.week for p in self.prompts if p.week is not None})
        unnumbered = [None] if any(p.week is None for p in self.prompts) else []
        return [*numbered, *unnumbered]


class RecordsService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def completion_report(self, course: Course, *, actor: Actor) -> str:
        """The cohort's completion report as CSV (for certificates); handing it out is
        audited."""
        report = completion_csv(self.course_records(course))
        AuditLog(self.session).course(AuditAction.REPORT_DOWNLOADED, actor, course.id)
        return report

    def course_records(self, course: Course, *, everyone: bool = False) -> CourseRecords:
        """Every participant's record of every prompt. By default only active participants
        (the cohort); `everyone` adds those who left and Canvas's Student View user."""
        prompts = PromptService(self.session).for_course(course)
        people = self._participants(course, everyone)
        reflections = self._reflections(course)
        feedback = self._feedback_counts(course)
        synced = self._grade_sync_states(course)
        records = []
        for person, enrollment in people:
            rows = []
            for prompt in prompts:
                reflection, grade = reflections.get((prompt.id, person.id), (None, None))
                rows.append(
                    PromptRecord(
                        prompt,
                        reflection,
                        grade,
                        feedback.get(reflection.id, 0) if reflection else 0,
                        synced.get((subject_key(prompt), person.id)) if grade else None,
                    )
                )
            records.append(ParticipantRecord(person, enrollment, rows))
        return CourseRecords(course, prompts, records)

    def _participants(self, course: Course, everyone: bool) -> list[tuple[Person, Enrollment]]:
        query = (
            select(Person, Enrollment)
            .join(Enrollment, Enrollment.person_id == Person.id)
            .where(Enrollment.course_id == course.id, Enrollment.role == CourseRole.PARTICIPANT)
            .order_by(Person.name, Person.id)
        )
        if not everyone:
            query = query.where(Enrollment.active.is_(True), Enrollment.is_test_user.is_(False))
        return [(person, enrollment) for person, enrollment in self.session.execute(query)]

    def _reflections(
        self, course: Course
    ) -> dict[tuple[int, int], tuple[Reflection, Grade | None]]:
        rows = self.session.execute(
            select(Reflection, Grade)
            .outerjoin(Grade, Grade.reflection_id == Reflection.id)
            .where(Reflection.course_id == course.id)
        ).all()
        return {(r.prompt_id, r.person_id): (r, grade) for r, grade in rows}

    def _feedback_counts(self, course: Course) -> dict[int, int]:
        rows = self.session.execute(
            select(FeedbackMessage.reflection_id, func.count(FeedbackMessage.id))
            .join(Reflection, Reflection.id == FeedbackMessage.reflection_id)
            .where(
                Reflection.course_id == course.id,
                FeedbackMessage.author_role == CourseRole.INSTRUCTOR,
            )
            .group_by(FeedbackMessage.reflection_id)
        ).all()
        return {reflection_id: int(count) for reflection_id, count in rows}

    def _grade_sync_states(self, course: Course) -> dict[tuple[str, int], str]:
        return {
            (item.subject_key, item.person_id): str(item.status)
            for item in latest_items(self.session, course.id)
            if item.kind == OutboxKind.GRADE
        }


def completion_csv(records: CourseRecords) -> str:
    """One row per participant: reflections submitted per week, feedback received, grades
    synced to Canvas; what a course lead needs to issue certificates."""
    weeks = records.weeks
    prompts_per_week = Counter(p.week for p in records.prompts)
    header = ["Participant", "Canvas user id"]
    header += [_week_heading(w, prompts_per_week[w]) for w in weeks]
    header += [
        "Reflections submitted",
        "Prompts",
        "Reflections with feedback",
        "Feedback messages received",
        "Grades synced to Canvas",
        "All submitted",
    ]
    rows = [
        [
            p.person.display_name,
            p.person.sub,
            *(p.submitted_in(w) for w in weeks),
            p.submitted,
            len(records.prompts),
            p.with_feedback,
            p.feedback_messages,
            p.synced,
            "yes" if records.prompts and p.submitted == len(records.prompts) else "no",
        ]
        for p in records.participants
    ]
    return _csv(header, rows)


def _week_heading(week: int | None, prompts: int) -> str:
    name = f"Week {week}" if week is not None else "Other prompts"
    return f"{name} submitted (of {prompts})"


def grades_csv(records: CourseRecords) -> str:
    """One row per participant and prompt: status, versions, grade and its Canvas sync."""
    header = [
        "Participant",
        "Canvas user id",
        "Active",
        "Prompt id",
        "Week",
        "Prompt",
        "Status",
        "Versions",
        "Last submitted (UTC)",
        "Late",
        "Score",
        "Points possible",
        "Graded version",
        "Feedback messages received",
        "Grade synced to Canvas",
    ]
    rows = [
        _grade_row(participant, record)
        for participant in records.participants
        for record in participant.prompts
    ]
    return _csv(header, rows)


def _grade_row(participant: ParticipantRecord, record: PromptRecord) -> list[object]:
    reflection, grade, prompt = record.reflection, record.grade, record.prompt
    submitted_at = reflection.submitted_at if reflection else None
    return [
        participant.person.display_name,
        participant.person.sub,
        "yes" if participant.enrollment.active else "no",
        prompt.id,
        prompt.week or "",
        prompt.title,
        record.status.label,
        reflection.version_count if reflection else 0,
        submitted_at.strftime("%Y-%m-%d %H:%M") if submitted_at else "",
        "yes" if reflection and reflection.is_late else "",
        _score(grade),
        f"{prompt.points_possible:g}",
        grade.version_number if grade else "",
        record.feedback_received,
        record.sync_state or "",
    ]


def _score(grade: Grade | None) -> str:
    if grade is None:
        return ""
    if grade.complete is not None:
        return "complete" if grade.complete else "incomplete"
    return f"{grade.score_given:g}"


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> str:
    """CSV with a byte-order mark (so spreadsheets read accented names right) and text cells
    that would start a formula neutralised (names and titles are typed by people)."""
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows([_cell(value) for value in row] for row in rows)
    return "\ufeff" + out.getvalue()


def _cell(value: object) -> object:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value
