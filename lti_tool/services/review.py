"""Reviewing one reflection in one save: feedback for the thread, a grade and "reply requested"
are checked together and recorded together, each part optional.

Every part is checked before anything is written, so one mistake reports every problem at
once and the caller (which rolls back) can show the whole form again as typed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from lti_tool.models import Course, FeedbackMessage, Grade, Person, Reflection
from lti_tool.services.audit import Actor
from lti_tool.services.comment_bank import CommentBank
from lti_tool.services.feedback import FeedbackService, MessageInvalid
from lti_tool.services.forms import FormInvalid
from lti_tool.services.grading import (
    GradeInput,
    GradeInvalid,
    GradeStale,
    GradingService,
    score,
)


class ReviewInvalid(FormInvalid):
    """One or more parts of the review form cannot be saved; nothing was."""

    def __init__(self, errors: dict[str, str], *, stale: bool = False) -> None:
        super().__init__(errors)
        self.stale = stale
        """The participant submitted again after the page was opened."""


@dataclass(frozen=True)
class ReviewInput:
    """The review form as typed. Empty parts are left out; nothing here is ever dropped
    silently: a part that cannot be saved is an error for the whole save."""

    feedback: str = ""
    quote: str = ""
    version: int | None = None
    """The version the feedback is about (the page offers every submitted version)."""
    asks_reply: bool = False
    grade: GradeInput = field(default_factory=GradeInput)
    bank_theme: str = ""
    save_to_bank: bool = False
    """Also keep the feedback in the course's comment bank, under `bank_theme`."""

    @property
    def has_feedback(self) -> bool:
        return bool(self.feedback.strip() or self.quote.strip() or self.asks_reply)

    @property
    def has_grade(self) -> bool:
        typed = (self.grade.points, self.grade.complete, self.grade.comment)
        return any(value.strip() for value in typed) or any(
            value.strip() for value in self.grade.rubric.values()
        )

    @property
    def is_empty(self) -> bool:
        return not (self.has_feedback or self.has_grade or self.save_to_bank)


@dataclass(frozen=True)
class SavedReview:
    message: FeedbackMessage | None
    grade: Grade | None


def unchanged(grade: Grade | None, reflection: Reflection, data: GradeInput) -> bool:
    """The grade form shows the current grade as it is: saving it again would re-send the
    same score to Canvas, so the review leaves it alone."""
    if grade is None or grade.version_number != reflection.version_count:
        return False
    try:
        result = score(reflection.prompt, data)
    except GradeInvalid:
        return False
    same_comment = (grade.comment or "") == data.comment.strip()
    return (
        result.given == grade.score_given
        and result.rubric == (grade.rubric_scores or {})
        and result.complete == grade.complete
        and same_comment
        and not data.send_comment
        and not data.override_manual
    )


class ReviewService:
    def __init__(
        self,
        feedback: FeedbackService,
        grading: GradingService,
        bank: CommentBank,
    ) -> None:
        self.feedback = feedback
        self.grading = grading
        self.bank = bank

    def save(
        self,
        course: Course,
        reflection: Reflection,
        reviewer: Person,
        actor: Actor,
        data: ReviewInput,
        *,
        now: datetime,
    ) -> SavedReview:
        """Post the feedback, record the grade and keep the comment, or raise ReviewInvalid
        naming every field that stops it (the caller rolls back)."""
        errors: dict[str, str] = {}
        stale = False
        message = grade = None
        if data.asks_reply and not data.feedback.strip():
            errors["feedback"] = "Write what you would like the participant to reply to."
        elif data.has_feedback:
            try:
                message = self.feedback.comment(
                    reflection,
                    reviewer,
                    body=data.feedback,
                    version_number=data.version or reflection.version_count,
                    quote=data.quote,
                    asks_reply=data.asks_reply,
                    actor=actor,
                    now=now,
                )
            except MessageInvalid as invalid:
                errors.update(_renamed(invalid.errors, {"body": "feedback"}))
        if data.has_grade and not unchanged(
            self.grading.current(reflection), reflection, data.grade
        ):
            try:
                grade = self.grading.grade(
                    course=course,
                    prompt=reflection.prompt,
                    reflection=reflection,
                    grader=reviewer,
                    data=data.grade,
                    actor=actor,
                    now=now,
                )
            except GradeInvalid as invalid:
                stale = isinstance(invalid, GradeStale)
                errors.update(invalid.errors)
        if data.save_to_bank:
            try:
                self.bank.add(
                    course,
                    reviewer,
                    body=data.feedback,
                    theme=data.bank_theme,
                    prompt=reflection.prompt,
                    now=now,
                )
            except FormInvalid as invalid:
                errors.update(_renamed(invalid.errors, {"body": "feedback", "theme": "bank_theme"}))
        if errors:
            raise ReviewInvalid(errors, stale=stale)
        return SavedReview(message, grade)


def _renamed(errors: Mapping[str, str], names: Mapping[str, str]) -> dict[str, str]:
    """A service's field names as the review form calls them."""
    return {names.get(name, name): message for name, message in errors.items()}
