"""A course's own copy of a reflection prompt, placed in Canvas by deep linking."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base, utcnow


class GradingType(StrEnum):
    POINTS = "points"
    RUBRIC = "rubric"
    COMPLETE = "complete"
    """Complete/incomplete: full points or none."""


class Prompt(Base):
    """Edits change only this course's copy; the program's bank stays as it is."""

    __tablename__ = "prompt"
    __table_args__ = (UniqueConstraint("course_id", "resource_link_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    bank_key: Mapped[str | None] = mapped_column(String(100))
    """The bank prompt it was copied from; None for a prompt the instructor wrote."""
    week: Mapped[int | None]
    theme: Mapped[str | None] = mapped_column(String(100))
    title: Mapped[str] = mapped_column(String(255))
    canvas_title: Mapped[str | None] = mapped_column(String(255))
    """The Canvas assignment's name (line item label or launch), which participants see there."""
    body: Mapped[str] = mapped_column(Text)
    guidance: Mapped[str] = mapped_column(Text, default="")
    outline: Mapped[list[str]] = mapped_column(JSON, default=list)
    """Section headings a structured reflection should cover (Leaders' change assessment)."""
    word_target: Mapped[int | None]
    word_limit: Mapped[int | None]
    points_possible: Mapped[float] = mapped_column(default=10.0)
    """The Canvas assignment's points (its line item's scoreMaximum): one scale."""
    points_followed_from: Mapped[float | None]
    """The tool's points before it followed a change made in Canvas (to say so)."""
    points_followed_at: Mapped[datetime | None]
    grading_type: Mapped[GradingType] = mapped_column(String(20), default=GradingType.POINTS)
    rubric: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """Criteria as `{"key", "label", "points"}` and an optional `"description"` of what earns
    the points; their points add up to `points_possible`."""
    resource_link_id: Mapped[str | None] = mapped_column(String(255))
    """Canvas's resource link, learned on the first launch of the placed link."""
    lineitem_url: Mapped[str | None] = mapped_column(String(1024))
    """The assignment's line item, learned from launches of the link."""
    due_at: Mapped[datetime | None]
    """The latest due date an instructor's launch reported (participants' own dates may differ)."""
    released_at: Mapped[datetime | None]
    """When Canvas first launched a (real, not Student View) learner into the link: Canvas does
    that only for a published assignment, so from then on every participant of the course may
    see the prompt. Before, only a participant launched into it does (services.prompts)."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    @property
    def display_title(self) -> str:
        """The title participants know from Canvas: the assignment's name once the tool has
        learned it, else the prompt's own."""
        return self.canvas_title or self.title

    @property
    def resource_id(self) -> str:
        """The line item's resourceId: stable, and names the prompt the line item is for."""
        return f"reflection-prompt-{self.id}"
