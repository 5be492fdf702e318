"""The tool's own record of a reflection's grade; grade sync carries it to Canvas."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base, utcnow
from lti_tool.models.prompt import GradingType


class Grade(Base):
    """The current grade of a reflection (one row, replaced on regrade)."""

    __tablename__ = "grade"

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(
        ForeignKey("reflection.id", ondelete="CASCADE"), unique=True
    )
    version_number: Mapped[int]
    """The version this grade is for; a later resubmission leaves it standing but stale."""
    grading_type: Mapped[GradingType] = mapped_column(String(20))
    score_given: Mapped[float]
    score_maximum: Mapped[float]
    rubric_scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    complete: Mapped[bool | None]
    comment: Mapped[str | None] = mapped_column(Text)
    """Sent to Canvas as a submission comment only when the instructor asked to."""
    graded_by_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    graded_at: Mapped[datetime] = mapped_column(default=utcnow)
