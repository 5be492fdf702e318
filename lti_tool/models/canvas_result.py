"""What Canvas's gradebook holds, as the tool last read it back through AGS results."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base


class CanvasResult(Base):
    """One person's result for one subject (e.g. `prompt:12`) in Canvas, and the grade an
    instructor chose to keep from Canvas when it differed from the tool's."""

    __tablename__ = "canvas_result"
    __table_args__ = (UniqueConstraint("course_id", "person_id", "subject_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    subject_key: Mapped[str] = mapped_column(String(255))
    lineitem_url: Mapped[str] = mapped_column(Text)
    score: Mapped[float | None]
    """Canvas's `resultScore`; None when Canvas holds no grade (none yet, or deleted there)."""
    maximum: Mapped[float | None]
    read_at: Mapped[datetime]
    kept_score: Mapped[float | None]
    """Canvas's grade an instructor chose over the tool's (in Canvas's `maximum`)."""
    kept_maximum: Mapped[float | None]
    kept_at: Mapped[datetime | None]
