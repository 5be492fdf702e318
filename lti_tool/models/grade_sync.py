"""Durable records of what must reach Canvas: the outbox, and cached service tokens."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base, utcnow


class OutboxStatus(StrEnum):
    PENDING = "pending"
    SENT = "sent"
    SUPERSEDED = "superseded"
    """A newer score for the same (line item, user) was queued; only the newest is sent."""
    NEEDS_ATTENTION = "needs_attention"
    """Canvas refused it for a reason retrying cannot fix; an instructor must act."""


class OutboxKind(StrEnum):
    SUBMISSION = "submission"
    GRADE = "grade"


class OutboxItem(Base):
    """One score to post to Canvas, written in the same transaction as the change it reports."""

    __tablename__ = "sync_outbox"
    __table_args__ = (Index("ix_sync_outbox_due", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id", ondelete="CASCADE"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    subject_key: Mapped[str] = mapped_column(String(255), index=True)
    """What the score is about (e.g. `prompt:12`); pending items with the same key and person
    coalesce into the newest."""
    kind: Mapped[OutboxKind] = mapped_column(String(20))
    target: Mapped[dict[str, Any]] = mapped_column(JSON)
    """Where it goes: lineitem URL, or how to find or create the line item."""
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    """The score as built at enqueue time (timestamps fixed then, so retries keep their order)."""
    status: Mapped[OutboxStatus] = mapped_column(String(20), default=OutboxStatus.PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claimed_until: Mapped[datetime | None]
    claimed_by: Mapped[str | None] = mapped_column(String(64))
    uncertain: Mapped[bool] = mapped_column(default=False)
    """Canvas may have applied an earlier try (timeout, 5xx): check before resending a comment."""
    last_error: Mapped[str | None] = mapped_column(Text)
    """Canvas's own message when it refused; never a token or a name."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]


class AccessToken(Base):
    """A Canvas service token, shared by every instance until shortly before it expires."""

    __tablename__ = "access_token"
    __table_args__ = (UniqueConstraint("registration_id", "scope_key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    scope_key: Mapped[str] = mapped_column(String(64))
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime]
