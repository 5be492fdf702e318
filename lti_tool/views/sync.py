"""Grade sync status: a page for instructors (retry, sync all) and a JSON answer for participants.

(What a request queues is handed to the delivery thread by `lti_tool.web`.)
"""

from __future__ import annotations

from typing import Any

from flask import (
    Blueprint,
    Response,
    abort,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from sqlalchemy import select

from lti_tool.auth import current_launch, launch_required, session_token
from lti_tool.db import parse_int, utcnow
from lti_tool.lti.claims import LaunchContext
from lti_tool.models import Course, Person, Registration
from lti_tool.services import grade_status
from lti_tool.views.canvas_grades import read_canvas_grades
from lti_tool.views.scope import actor
from lti_tool.web import get_session, services

bp = Blueprint("sync", __name__, url_prefix="/sync")


def _course_and_person(launch: LaunchContext) -> tuple[Course, Person | None]:
    session = get_session()
    registration = session.scalar(
        select(Registration).where(
            Registration.issuer == launch.issuer, Registration.client_id == launch.client_id
        )
    )
    if registration is None:
        abort(404)
    course = session.scalar(
        select(Course).where(
            Course.registration_id == registration.id, Course.context_id == launch.context_id
        )
    )
    if course is None:
        abort(404)
    person = session.scalar(
        select(Person).where(Person.registration_id == registration.id, Person.sub == launch.sub)
    )
    return course, person


@bp.get("/")
@launch_required("instructor")
def home() -> Any:
    course, _ = _course_and_person(current_launch())
    problems = read_canvas_grades(course)
    rows = grade_status.course_rows(get_session(), course.id)
    counts = {state: sum(1 for r in rows if r.state == state) for state in grade_status.SyncState}
    return render_template(
        "sync/home.html",
        launch=current_launch(),
        course=course,
        rows=rows,
        counts=counts,
        problems=problems,
        token=session_token(),
        done=request.args.get("done"),
        queued=request.args.get("queued", type=int),
    )


@bp.post("/winner")
@launch_required("instructor")
def choose_winner() -> Any:
    """Canvas holds another grade than the tool's: keep Canvas's, or send the tool's over it."""
    course, _ = _course_and_person(current_launch())
    session = get_session()
    person = session.get(Person, parse_int(request.form.get("person")) or 0)
    winner = request.form.get("winner", "")
    if (
        person is None
        or person.registration_id != course.registration_id
        or winner not in {choice.value for choice in grade_status.Winner}
    ):
        abort(400)
    settled = grade_status.choose_winner(
        session,
        services().grading,
        course_id=course.id,
        person=person,
        subject_key=request.form.get("subject", ""),
        winner=grade_status.Winner(winner),
        actor=actor(),
        now=utcnow(),
    )
    session.commit()
    done = f"winner-{winner}" if settled else "winner-none"
    reflection_id = parse_int(request.form.get("reflection"))
    if reflection_id is not None:
        return redirect(
            url_for("review.review", reflection_id=reflection_id, st=session_token()) + "#review",
            303,
        )
    return redirect(url_for("sync.home", done=done, st=session_token()), code=303)


@bp.post("/items/<int:item_id>/retry")
@launch_required("instructor")
def retry(item_id: int) -> Any:
    course, _ = _course_and_person(current_launch())
    copy = grade_status.retry(get_session(), course.id, item_id, actor())
    get_session().commit()
    return _back("retry", 1 if copy else 0)


@bp.post("/all")
@launch_required("instructor")
def sync_all() -> Any:
    course, _ = _course_and_person(current_launch())
    queued = grade_status.sync_all(get_session(), course.id, actor())
    get_session().commit()
    return _back("all", len(queued))


def _back(done: str, queued: int) -> Any:
    return redirect(url_for("sync.home", done=done, queued=queued, st=session_token()), code=303)


@bp.get("/status")
@launch_required()
def status() -> Response:
    """The caller's own rows: whether each grade and submission reached Canvas."""
    course, person = _course_and_person(current_launch())
    if person is None:
        return jsonify({"items": []})
    rows = grade_status.course_rows(get_session(), course.id, person.id)
    subject = request.args.get("subject")
    if subject:
        rows = [row for row in rows if row.subject_key == subject]
    return jsonify({"items": grade_status.participant_status(rows)})
