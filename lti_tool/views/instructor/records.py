"""The course's audit log and the completion report."""

from __future__ import annotations

from typing import Any

from flask import Response, render_template, request

from lti_tool.auth import launch_required
from lti_tool.db import parse_int
from lti_tool.views.instructor.blueprint import (
    bp,
)
from lti_tool.views.scope import actor, member
from lti_tool.web import get_session, services


@bp.get("/activity")
@launch_required("instructor")
def activity() -> Any:
    """The course's audit log, newest first: who read or changed reflections, feedback and
    grades, and who exported or deleted records."""
    scope = member()
    number = parse_int(request.args.get("page")) or 1
    page = services().audit.course_page(scope.course.id, number)
    return render_template("instructor/activity.html", course=scope.course, page=page)


@bp.get("/completion.csv")
@launch_required("instructor")
def completion_report() -> Response:
    """The cohort's completion report, for certificates; downloading it is itself recorded."""
    scope, session = member(), get_session()
    report = services().records.completion_report(scope.course, actor=actor())
    session.commit()
    filename = f"completion-course-{scope.course.id}.csv"
    return Response(
        report,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
