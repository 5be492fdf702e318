"""Reading a participant's reflection, answering in its thread, and grading it."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request

from lti_tool.auth import launch_required, token_url
from lti_tool.db import parse_int, utcnow
from lti_tool.models import Reflection
from lti_tool.services import grade_status
from lti_tool.services.feedback import MessageInvalid
from lti_tool.services.grading import GradeInput, GradeInvalid, GradeStale, subject_key
from lti_tool.services.workspace import status_of
from lti_tool.views.canvas_grades import read_canvas_grades
from lti_tool.views.instructor.blueprint import (
    bp,
    course_reflection,
    notice,
)
from lti_tool.views.scope import actor, member
from lti_tool.web import get_session, services


@bp.get("/reflections/<int:reflection_id>")
@launch_required("instructor")
def review(reflection_id: int) -> Any:
    reflection = course_reflection(reflection_id)
    read_canvas_grades(member().course, {subject_key(reflection.prompt)})
    page = _review_page(reflection, notice=notice())
    services().feedback.mark_read(reflection, member().person)
    services().reflections.note_viewed(reflection, actor())
    get_session().commit()
    return page


def _review_page(
    reflection: Reflection,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> str:
    scope = member()
    feedback = services().feedback
    grading = services().grading
    grade = grading.current(reflection)
    canvas_row = grade_status.row_for(
        get_session(), scope.course.id, reflection.person_id, subject_key(reflection.prompt)
    )
    return render_template(
        "instructor/review.html",
        course=scope.course,
        reflection=reflection,
        prompt=reflection.prompt,
        participant=reflection.person,
        versions=services().reflections.versions(reflection),
        thread=feedback.thread(reflection),
        unread=feedback.unread_counts(scope.person, scope.course, [reflection.id]).get(
            reflection.id, 0
        ),
        grade=grade,
        canvas_row=canvas_row,
        status=status_of(
            reflection,
            grade.version_number if grade else None,
            graded_in_canvas=canvas_row is not None and canvas_row.canvas_points is not None,
        ),
        notice=notice,
        errors=errors or {},
        form=form or {},
    )


@bp.post("/reflections/<int:reflection_id>/comments")
@launch_required("instructor")
def comment(reflection_id: int) -> Any:
    reflection, session = course_reflection(reflection_id), get_session()
    try:
        services().feedback.comment(
            reflection,
            member().person,
            body=request.form.get("body", ""),
            version_number=parse_int(request.form.get("version")) or 0,
            quote=request.form.get("quote", ""),
            asks_reply=request.form.get("asks_reply") == "1",
            actor=actor(),
            now=utcnow(),
        )
    except MessageInvalid as invalid:
        session.rollback()
        return _review_page(reflection, errors=invalid.errors, form=request.form.to_dict()), 422
    session.commit()
    return redirect(
        token_url("instructor.review", reflection_id=reflection.id, notice="commented") + "#thread",
        303,
    )


@bp.post("/reflections/<int:reflection_id>/grade")
@launch_required("instructor")
def grade(reflection_id: int) -> Any:
    reflection, session = course_reflection(reflection_id), get_session()
    form = request.form
    data = GradeInput(
        points=form.get("points", ""),
        rubric={
            key.removeprefix("rubric-"): v for key, v in form.items() if key.startswith("rubric-")
        },
        complete=form.get("complete", ""),
        comment=form.get("comment", ""),
        send_comment=form.get("send_comment") == "1",
        override_manual=form.get("override_manual") == "1",
        seen_version=parse_int(form.get("version")),
    )
    try:
        services().grading.grade(
            course=member().course,
            prompt=reflection.prompt,
            reflection=reflection,
            grader=member().person,
            actor=actor(),
            data=data,
            now=utcnow(),
        )
    except GradeInvalid as invalid:
        session.rollback()
        status = 409 if isinstance(invalid, GradeStale) else 422
        return _review_page(reflection, errors=invalid.errors, form=form.to_dict()), status
    session.commit()
    return redirect(
        token_url("instructor.review", reflection_id=reflection.id, notice="graded") + "#grade",
        303,
    )
