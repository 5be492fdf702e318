"""Request counts per source address and time window, shared by every instance of the tool."""

from __future__ import annotations

from sqlalchemy import BigInteger, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base


class RateLimitWindow(Base):
    __tablename__ = "rate_limit_window"
    __table_args__ = (Index("ix_rate_limit_window_window", "window"),)

    bucket: Mapped[str] = mapped_column(String(20), primary_key=True)
    """What is limited: login, launch, register."""
    source: Mapped[str] = mapped_column(String(64), primary_key=True)
    """An IPv4 address, or an IPv6 /64 (one subscriber's whole block)."""
    window: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    """Seconds since the epoch divided by the window's length."""
    hits: Mapped[int] = mapped_column(default=0)
