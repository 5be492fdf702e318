"""Where a registration's pages are: the origins its signed launches named as the page the
tool is opened from, which may frame the tool (see services.framing)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base, utcnow


class FramingOrigin(Base):
    __tablename__ = "framing_origin"
    __table_args__ = (
        UniqueConstraint("registration_id", "origin"),
        Index("ix_framing_origin_newest", "registration_id", "last_vouched_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registration.id", ondelete="CASCADE"))
    origin: Mapped[str] = mapped_column(String(255))
    """`scheme://host[:port]`, checked and lower-cased: it goes into a response header."""
    last_vouched_at: Mapped[datetime] = mapped_column(default=utcnow)
