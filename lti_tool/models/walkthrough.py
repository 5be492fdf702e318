"""A walk-through link: an operator's invitation for one named visitor to tour one program's
sample course, read-only, until it expires or is revoked."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base, utcnow


class Walkthrough(Base):
    __tablename__ = "walkthrough"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    """SHA-256 of the link's secret; the secret itself is shown once and never stored."""
    program_key: Mapped[str] = mapped_column(String(50))
    visitor: Mapped[str] = mapped_column(String(255))
    """Who the link is for, as the operator wrote it; shown to operators, never logged."""
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    visits: Mapped[int] = mapped_column(default=0)
    last_visit_at: Mapped[datetime | None]

    def is_open(self, now: datetime) -> bool:
        return self.revoked_at is None and now < self.expires_at
