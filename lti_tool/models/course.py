"""A Canvas course (LTI context) that has launched the tool."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base, utcnow


class Course(Base):
    __tablename__ = "course"
    __table_args__ = (UniqueConstraint("registration_id", "context_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int | None] = mapped_column(
        ForeignKey("registration.id", ondelete="CASCADE")
    )
    """None only for a sample course, which no platform can launch."""
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str] = mapped_column(String(255), default="")
    label: Mapped[str] = mapped_column(String(255), default="")
    program_key: Mapped[str | None] = mapped_column(String(50))
    """Which course program (officers, leaders) this course runs; chosen by an instructor."""
    sample_program: Mapped[str | None] = mapped_column(String(50), unique=True)
    """For the fictional sample course of a program (walk-throughs), that program's key."""
    memberships_url: Mapped[str | None] = mapped_column(String(1024))
    lineitems_url: Mapped[str | None] = mapped_column(String(1024))
    roster_synced_at: Mapped[datetime | None]
    placements_synced_at: Mapped[datetime | None]
    """When the tool last read the course's line items to learn every placed prompt."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
