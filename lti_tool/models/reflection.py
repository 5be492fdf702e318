"""A participant's reflection on one prompt: the live draft and every submitted version."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.db import Base, utcnow
from lti_tool.models.person import Person
from lti_tool.models.prompt import Prompt


class Reflection(Base):
    """One per (prompt, participant). The activity columns are kept up to date by the services so
    the workspace can show every participant's status from a single query."""

    __tablename__ = "reflection"
    __table_args__ = (UniqueConstraint("prompt_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    prompt_id: Mapped[int] = mapped_column(ForeignKey("prompt.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    draft_text: Mapped[str] = mapped_column(Text, default="")
    """Stored exactly as written; only ever rendered through the sanitiser."""
    revision: Mapped[int] = mapped_column(default=0)
    """Raised by every save; a save naming an older revision is refused (optimistic locking)."""
    draft_saved_at: Mapped[datetime | None]
    due_at: Mapped[datetime | None]
    """The participant's own due date, from `$Canvas.assignment.dueAt.iso8601` at launch."""
    version_count: Mapped[int] = mapped_column(default=0)
    submitted_at: Mapped[datetime | None]
    """When the latest version was submitted."""
    is_late: Mapped[bool] = mapped_column(default=False)
    waiting_since: Mapped[datetime | None] = mapped_column(index=True)
    """Oldest participant action (submit, reply) no instructor has answered yet."""
    reply_requested: Mapped[bool] = mapped_column(default=False)
    """An instructor asked the participant to reply and they have not yet."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    prompt: Mapped[Prompt] = relationship()
    person: Mapped[Person] = relationship()


class ReflectionVersion(Base):
    """An immutable submitted text; resubmitting adds the next number."""

    __tablename__ = "reflection_version"
    __table_args__ = (UniqueConstraint("reflection_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(
        ForeignKey("reflection.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    word_count: Mapped[int]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    is_late: Mapped[bool] = mapped_column(default=False)
