"""The one way every page, export and report writes a moment: `7 Dec 2026, 23:59 EST`."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo


def format_moment(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """In `zone` (UTC when not known); static/js/local-time.js writes the same format."""
    local = moment.astimezone(zone or UTC)
    return f"{local.day} {local:%b %Y, %H:%M} {local.tzname()}"
