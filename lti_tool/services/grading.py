"""Grading a reflection: points, a rubric or complete/incomplete, recorded in the tool and
queued for Canvas in the same transaction."""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.lti.canvas.review import review_url
from lti_tool.models import AuditAction, Course, Grade, GradingType, Person, Prompt, Reflection
from lti_tool.services.audit import Actor, AuditLog
from lti_tool.services.forms import FormInvalid
from lti_tool.services.outbox import GradeSync, ScoreTarget

MAX_COMMENT = 5000


SUBJECT_PREFIX = "prompt:"


def subject_key(prompt: Prompt) -> str:
    return f"{SUBJECT_PREFIX}{prompt.id}"


def prompt_id_of(subject: str) -> int | None:
    """The prompt a subject key names, if it names one."""
    number = subject.removeprefix(SUBJECT_PREFIX)
    return int(number) if subject.startswith(SUBJECT_PREFIX) and number.isdigit() else None


def score_target(course: Course, prompt: Prompt) -> ScoreTarget:
    return ScoreTarget(
        lineitem_url=prompt.lineitem_url,
        lineitems_url=course.lineitems_url,
        resource_link_id=prompt.resource_link_id,
        resource_id=prompt.resource_id,
        label=prompt.title,
        score_maximum=prompt.points_possible,
    )


def queue_submission(
    grade_sync: GradeSync,
    course: Course,
    prompt: Prompt,
    reflection: Reflection,
    base_url: str,
    submitted_at: datetime,
) -> None:
    """Queue the reflection's submission for Canvas: a new attempt, linking to its review."""
    grade_sync.submission(
        course=course,
        person=reflection.person,
        subject_key=subject_key(prompt),
        target=score_target(course, prompt),
        submitted_at=submitted_at,
        review_url=review_url(base_url, reflection.id),
        new_attempt=True,
    )


def queue_grade(
    grade_sync: GradeSync,
    course: Course,
    prompt: Prompt,
    reflection: Reflection,
    base_url: str,
    *,
    score_given: float,
    comment: str | None,
    override_manual: bool,
) -> None:
    """Queue the reflection's grade for Canvas (it carries the submission time)."""
    grade_sync.grade(
        course=course,
        person=reflection.person,
        subject_key=subject_key(prompt),
        target=score_target(course, prompt),
        score_given=score_given,
        comment=comment,
        override_manual=override_manual,
        review_url=review_url(base_url, reflection.id),
        submitted_at=reflection.submitted_at,
    )


class GradeInvalid(FormInvalid):
    """A grade outside what the prompt's grading type allows."""


class GradeStale(GradeInvalid):
    """The participant submitted again after the grader opened the page: the grade would land
    on a version the grader has not read."""


@dataclass(frozen=True)
class GradeInput:
    """The grade form as typed (strings), checked against the prompt's grading type."""

    points: str = ""
    rubric: Mapping[str, str] = field(default_factory=dict)
    complete: str = ""
    comment: str = ""
    send_comment: bool = False
    override_manual: bool = False
    seen_version: int | None = None
    """The version the grading page showed, when the form says."""


@dataclass(frozen=True)
class Score:
    given: float
    rubric: dict[str, float]
    complete: bool | None


def score(prompt: Prompt, data: GradeInput) -> Score:
    if prompt.grading_type == GradingType.COMPLETE:
        if data.complete not in ("complete", "incomplete"):
            raise GradeInvalid({"complete": "Choose complete or incomplete."})
        done = data.complete == "complete"
        return Score(prompt.points_possible if done else 0.0, {}, done)
    if prompt.grading_type == GradingType.RUBRIC:
        return _rubric_score(prompt, data.rubric)
    given = parse_points(data.points, prompt.points_possible)
    if given is None:
        raise GradeInvalid({"points": f"Enter points from 0 to {prompt.points_possible:g}."})
    return Score(given, {}, None)


def _rubric_score(prompt: Prompt, raw: Mapping[str, str]) -> Score:
    errors: dict[str, str] = {}
    scores: dict[str, float] = {}
    for criterion in prompt.rubric:
        key, maximum = str(criterion["key"]), float(criterion["points"])
        value = parse_points(raw.get(key, ""), maximum)
        if value is None:
            errors[f"rubric-{key}"] = f"{criterion['label']}: enter 0 to {maximum:g}."
        else:
            scores[key] = value
    if errors:
        raise GradeInvalid(errors)
    return Score(min(sum(scores.values()), prompt.points_possible), scores, None)


def parse_points(raw: str, maximum: float) -> float | None:
    """Points as typed (a decimal comma allowed), from 0 to `maximum`; None for anything else."""
    try:
        value = float(raw.strip().replace(",", "."))
    except ValueError:
        return None
    if not math.isfinite(value) or not 0 <= value <= maximum:
        return None
    return value


def _rubric_total(grade: Grade) -> float:
    return float(sum((grade.rubric_scores or {}).values()))


class GradingService:
    def __init__(self, session: Session, grade_sync: GradeSync, base_url: str) -> None:
        self.session = session
        self.grade_sync = grade_sync
        self.base_url = base_url

    def current(self, reflection: Reflection) -> Grade | None:
        return self.session.scalar(select(Grade).where(Grade.reflection_id == reflection.id))

    def keep_canvas_grade(
        self, reflection: Reflection, given: float, grader: Person, now: datetime
    ) -> Grade:
        """Canvas's grade (in the prompt's points), chosen by an instructor over the tool's:
        it becomes the tool's grade for the latest version; nothing is sent, Canvas holds it."""
        prompt = reflection.prompt
        grade = self.current(reflection) or Grade(reflection_id=reflection.id, comment=None)
        grade.version_number = reflection.version_count
        grade.grading_type = prompt.grading_type
        grade.score_given = min(max(given, 0.0), prompt.points_possible)
        grade.score_maximum = prompt.points_possible
        if _rubric_total(grade) != grade.score_given:
            grade.rubric_scores = {}  # the criteria no longer add up to the kept grade
        grade.complete = (
            grade.score_given > 0 if prompt.grading_type == GradingType.COMPLETE else None
        )
        grade.graded_by_id = grader.id
        grade.graded_at = now
        self.session.add(grade)
        reflection.waiting_since = None
        self.session.flush()
        return grade

    def grade(
        self,
        *,
        course: Course,
        prompt: Prompt,
        reflection: Reflection,
        grader: Person,
        actor: Actor,
        data: GradeInput,
        now: datetime,
    ) -> Grade:
        """Record the grade for the latest version, queue it for Canvas, and audit it."""
        if reflection.version_count == 0:
            raise GradeInvalid({"grade": "There is no submitted version to grade yet."})
        if data.seen_version is not None and data.seen_version != reflection.version_count:
            raise GradeStale(
                {
                    "grade": f"The participant submitted version {reflection.version_count} "
                    "after you opened this page. Read it above, then save the grade again."
                }
            )
        if len(data.comment) > MAX_COMMENT:
            raise GradeInvalid({"comment": f"Keep the comment under {MAX_COMMENT} characters."})
        result = score(prompt, data)
        grade = self.current(reflection) or Grade(reflection_id=reflection.id)
        grade.version_number = reflection.version_count
        grade.grading_type = prompt.grading_type
        grade.score_given = result.given
        grade.score_maximum = prompt.points_possible
        grade.rubric_scores = result.rubric
        grade.complete = result.complete
        grade.comment = data.comment.strip() or None
        grade.graded_by_id = grader.id
        grade.graded_at = now
        self.session.add(grade)
        reflection.waiting_since = None
        self.session.flush()
        queue_grade(
            self.grade_sync,
            course,
            prompt,
            reflection,
            self.base_url,
            score_given=result.given,
            comment=grade.comment if data.send_comment else None,
            override_manual=data.override_manual,
        )
        AuditLog(self.session).reflection(
            AuditAction.GRADE_SAVED, actor, reflection, f"version {grade.version_number}"
        )
        return grade
