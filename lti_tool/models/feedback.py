"""The private thread between a reflection's author and the course's instructors."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.db import Base, utcnow
from lti_tool.models.person import CourseRole, Person


class FeedbackMessage(Base):
    __tablename__ = "feedback_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(
        ForeignKey("reflection.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    author_role: Mapped[CourseRole] = mapped_column(String(20))
    version_number: Mapped[int | None]
    """The version an instructor commented on; None for a participant's reply."""
    quote: Mapped[str | None] = mapped_column(Text)
    """A passage of that version the comment is about."""
    body: Mapped[str] = mapped_column(Text)
    asks_reply: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    author: Mapped[Person] = relationship()


class ReadMarker(Base):
    """The newest message of a thread a person has seen; everything after it is unread to them."""

    __tablename__ = "feedback_read"
    __table_args__ = (UniqueConstraint("reflection_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    reflection_id: Mapped[int] = mapped_column(ForeignKey("reflection.id", ondelete="CASCADE"))
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    last_read_id: Mapped[int] = mapped_column(default=0)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
