"""Reading Canvas's grades back when an instructor opens a page that shows them."""

from __future__ import annotations

from datetime import timedelta

from flask import current_app

from lti_tool.db import utcnow
from lti_tool.models import Course
from lti_tool.services.canvas_results import DEFAULT_READ_INTERVAL, ReadProblem
from lti_tool.web import get_session, wiring


def read_canvas_grades(course: Course, subjects: set[str] | None = None) -> list[ReadProblem]:
    """Canvas's results for the course's line items (or these subjects'), stored before the
    page reads them."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if course.registration_id is None or not app.config.get("GRADE_READ_BACK", True):
        return []  # a sample course has no Canvas behind it
    seconds = app.config.get("GRADE_READ_INTERVAL_SECONDS", DEFAULT_READ_INTERVAL.total_seconds())
    reader = wiring(app).canvas_results(timedelta(seconds=seconds))
    get_session().commit()  # nothing of the request's may hold the database while Canvas answers
    problems = reader.refresh_course(course.id, utcnow(), subjects=subjects)
    get_session().expire_all()
    return problems
