"""Custom fields the developer key asks Canvas to expand, and how their values are read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

CUSTOM_FIELDS = {
    "canvas_course_id": "$Canvas.course.id",
    "canvas_user_id": "$Canvas.user.id",
    "canvas_assignment_id": "$Canvas.assignment.id",
    "due_at": "$Canvas.assignment.dueAt.iso8601",
    "points_possible": "$Canvas.assignment.pointsPossible",
    "assignment_title": "$Canvas.assignment.title",
    "person_name": "$Person.name.full",
    "timezone": "$Person.address.timezone",
    "course_start": "$Canvas.course.startAt",
    "canvas_api_domain": "$Canvas.api.domain",
}


def expanded_custom(custom: Mapping[str, object]) -> dict[str, str]:
    """Custom parameters with Canvas's unexpandable variables dropped.

    Canvas sends a variable it cannot expand as its literal name (`$Canvas.assignment.dueAt.iso8601`
    when an assignment has no due date), so a value starting with `$` means "not given".
    """
    return {
        str(key): str(value)
        for key, value in custom.items()
        if value is not None and not str(value).startswith("$")
    }


def due_at(custom: Mapping[str, str]) -> datetime | None:
    return instant(custom.get("due_at"))


def course_start(custom: Mapping[str, str]) -> datetime | None:
    """`$Canvas.course.startAt`: the course's start date, when it has one."""
    return instant(custom.get("course_start"))


def time_zone(custom: Mapping[str, str]) -> ZoneInfo | None:
    """`$Person.address.timezone`: the person's Canvas time zone (an IANA name such as
    `America/Denver`); None when absent or not a zone this system knows."""
    name = custom.get("timezone", "")
    if not name or len(name) > 64:
        return None
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def instant(raw: str | None) -> datetime | None:
    """An ISO 8601 moment as Canvas writes them (`Z` or an offset); UTC when it has neither."""
    if not raw:
        return None
    try:
        moment = datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo is not None else moment.replace(tzinfo=UTC)
