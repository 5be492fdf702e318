"""Short-lived LTI protocol state shared by all instances: nonces, login state, launch data."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, String
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base


class LtiStorageEntry(Base):
    __tablename__ = "lti_storage"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    value: Mapped[Any] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(index=True)
