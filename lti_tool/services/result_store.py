"""Canvas's results as read back through AGS, stored per person and subject."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from lti_tool.db import get_or_create
from lti_tool.models import CanvasResult


def record_results(
    session: Session,
    course_id: int,
    subject_key: str,
    lineitem_url: str,
    results: Iterable[Mapping[str, Any]],
    now: datetime,
    *,
    people: Mapping[str, int],
) -> list[int]:
    """Store Canvas's result for each person of `people` (LTI sub -> person id); a person
    Canvas returned no result for holds no grade in Canvas. Returns the people whose grade in
    Canvas is new or changed since the last read."""
    by_sub = {str(r.get("userId")): r for r in results}
    changed = []
    for sub, person_id in people.items():
        found = by_sub.get(sub) or {}
        row = get_or_create(
            session,
            CanvasResult,
            {"course_id": course_id, "person_id": person_id, "subject_key": subject_key},
            lineitem_url=lineitem_url,
            read_at=now,
        )
        before = (row.score, row.maximum)
        row.lineitem_url, row.read_at = lineitem_url, now
        row.score = _number(found.get("resultScore"))
        row.maximum = _number(found.get("resultMaximum"))
        if row.score is not None and (row.score, row.maximum) != before:
            changed.append(person_id)
    return changed


def _number(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    return float(value)
