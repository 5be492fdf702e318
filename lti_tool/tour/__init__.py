"""Walk-throughs: a read-only guided tour of a program's fictional sample course, opened from
a link an operator made (`flask walkthrough create`). It uses the tool's real participant and
instructor pages through its own read-only session (`tour.session`); it needs no Canvas."""

from __future__ import annotations

from typing import Any

from flask import Flask, current_app, render_template, request, url_for

from lti_tool.auth import TOKEN_PARAM
from lti_tool.tour import session
from lti_tool.tour.session import TourRefused
from lti_tool.tour.steps import for_program


def init_app(app: Flask) -> None:
    from lti_tool.tour.views import bp

    app.register_blueprint(bp)
    session.init_app(app)
    app.errorhandler(TourRefused)(_refused)
    app.context_processor(_bar)


def _refused(error: TourRefused) -> Any:
    tour = session.current()
    return render_template("tour/refused.html", error=error, tour=tour), error.status


def _bar() -> dict[str, Any]:
    """The guide shown above every page of a tour: the step, its explanation, the way on; and
    `in_tour`, for pages to leave out what a read-only tour cannot open or send."""
    tour = session.current()
    if tour is None or request.endpoint == "tour.start":  # the start page lists the steps itself
        return {"tour_bar": None, "in_tour": tour is not None}
    steps = for_program(tour.program_key, current_app.view_functions)
    token: dict[str, Any] = {TOKEN_PARAM: session.current_token()}
    number = tour.step if 1 <= tour.step <= len(steps) else None
    return {
        "in_tour": True,
        "tour_bar": {
            "tour": tour,
            "number": number,
            "count": len(steps),
            "step": steps[number - 1] if number else None,
            "previous": url_for("tour.step", number=number - 1, **token)
            if number and number > 1
            else None,
            "next": url_for("tour.step", number=number + 1, **token)
            if number and number < len(steps)
            else None,
            "overview": url_for("tour.start", **token),
        },
    }
