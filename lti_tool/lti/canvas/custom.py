"""Custom fields the developer key asks Canvas to expand, and how their values are read."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

CUSTOM_FIELDS = {
    "canvas_course_id": "$Canvas.course.id",
    "canvas_user_id": "$Canvas.user.id",
    "canvas_assignment_id": "$Canvas.assignment.id",
    "due_at": "$Canvas.assignment.dueAt.iso8601",
    "points_possible": "$Canvas.assignment.pointsPossible",
    "person_name": "$Person.name.full",
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
    raw = custom.get("due_at")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None
