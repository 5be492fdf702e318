"""People as Canvas identifies them (the LTI `sub`), and their role in each course."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from lti_tool.db import Base, utcnow
from lti_tool.models.course import Course


class CourseRole(StrEnum):
    INSTRUCTOR = "instructor"
    PARTICIPANT = "participant"
    OTHER = "other"


class Person(Base):
    __tablename__ = "person"
    __table_args__ = (UniqueConstraint("registration_id", "sub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE")
    )
    """None only for a fictional person of a sample course."""
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(255))
    """Only what Canvas's privacy level gives; never logged."""
    email: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def display_name(self) -> str:
        return self.name or f"Participant {self.sub[:8]}"


class Enrollment(Base):
    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("course_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    role: Mapped[CourseRole] = mapped_column(String(20))
    is_test_user: Mapped[bool] = mapped_column(default=False)
    """Canvas's Student View user: a participant, kept out of reports."""
    active: Mapped[bool] = mapped_column(default=True)
    last_launch_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    course: Mapped[Course] = relationship()
    person: Mapped[Person] = relationship()
