"""The walk-through's own pages: the link a visitor opens, the tour's overview, each step's
way into a real page, and the completion report as the department receives it."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, current_app, redirect, render_template, url_for

from lti_tool.auth import TOKEN_PARAM
from lti_tool.db import utcnow
from lti_tool.sample.store import SampleCourseStore
from lti_tool.services.programs import get_program
from lti_tool.services.records import RecordsService
from lti_tool.services.walkthroughs import WalkthroughClosed, WalkthroughService
from lti_tool.tour import session as tour_session
from lti_tool.tour.session import CLOSED, Tour, issue
from lti_tool.tour.steps import for_program
from lti_tool.web import get_session

bp = Blueprint("tour", __name__)


def _tour() -> Tour:
    tour = tour_session.current()
    if tour is None:
        raise CLOSED["unknown"]
    return tour


def _url(endpoint: str, tour: Tour, perspective: str, step: int, **values: Any) -> str:
    token = issue(tour.walkthrough, perspective, step, current_app.config["SECRET_KEY"])
    return url_for(endpoint, **{**values, TOKEN_PARAM: token})


@bp.get("/walkthrough/<secret>")
def open_link(secret: str) -> Any:
    """A visitor's link: counted and logged, then the tour opens (the link's secret stays out
    of every later address)."""
    session = get_session()
    try:
        walkthrough = WalkthroughService(session).visit(secret, utcnow())
    except WalkthroughClosed as closed:
        session.rollback()
        raise CLOSED[closed.reason] from closed
    session.commit()
    token = issue(walkthrough, "participant", 0, current_app.config["SECRET_KEY"])
    query: dict[str, Any] = {TOKEN_PARAM: token}
    return redirect(url_for("tour.start", **query), 303)


@bp.get("/tour/")
def start() -> Any:
    tour = _tour()
    program = get_program(tour.program_key)
    steps = for_program(tour.program_key, current_app.view_functions)
    return render_template(
        "tour/start.html",
        tour=tour,
        program=program,
        steps=[
            (step, _url("tour.step", tour, step.perspective, number, number=number))
            for number, step in enumerate(steps, start=1)
        ],
        participants=len(RecordsService(get_session()).course_records(tour.course).participants),
    )


@bp.get("/tour/step/<int:number>")
def step(number: int) -> Any:
    """Into the real page of step `number`, signed in as the step's fictional person."""
    tour = _tour()
    steps = for_program(tour.program_key, current_app.view_functions)
    if not 1 <= number <= len(steps):
        abort(404)
    chosen = steps[number - 1]
    sample = SampleCourseStore(get_session()).guide(tour.course)
    values = chosen.values(get_session(), sample)
    endpoint = chosen.endpoint(current_app.view_functions)
    if values is None or endpoint is None:
        abort(404)
    return redirect(_url(endpoint, tour, chosen.perspective, number, **values), 303)


@bp.get("/tour/completion")
def completion() -> Any:
    """The completion report as an instructor downloads it, shown as a table."""
    tour = _tour()
    if tour.perspective != "instructor":
        abort(404)
    records = RecordsService(get_session()).course_records(tour.course)
    return render_template("tour/completion.html", tour=tour, records=records, course=tour.course)
