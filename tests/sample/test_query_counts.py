"""The instructor's pages over a full sample cohort (75 officers) take as many queries as over
five participants: the counts do not grow with the roster."""

from __future__ import annotations

from datetime import date

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool.db import utcnow
from lti_tool.models import Walkthrough
from lti_tool.sample.cohort import plan_cohort
from lti_tool.sample.store import SampleCourseStore
from lti_tool.services.walkthroughs import WalkthroughService
from lti_tool.tour.session import issue
from lti_tool.tour.steps import for_program
from lti_tool.web import session_scope
from tests.queries import counting


def _instructor_page_counts(app: Flask, client: FlaskClient, size: int) -> dict[str, int]:
    with session_scope(app) as session:
        SampleCourseStore(session).load(plan_cohort("officers", 16, date(2026, 11, 30), size=size))
        service = WalkthroughService(session)
        if not service.list():
            service.create("officers", "Visitor", 1, utcnow())
        link = session.scalars(select(Walkthrough)).one()
        token = issue(link, "instructor", 0, app.config["SECRET_KEY"])
    counts = {}
    steps = for_program("officers", app.view_functions)
    for number, step in enumerate(steps, start=1):
        if step.perspective != "instructor":
            continue
        page = client.get(f"/tour/step/{number}", query_string={"st": token}).location
        with counting(app) as statements:
            assert client.get(page).status_code == 200
        counts[step.title] = len(statements)
    return counts


def test_instructor_pages_at_75_participants_take_as_many_queries_as_at_5(
    app: Flask, client: FlaskClient
) -> None:
    small = _instructor_page_counts(app, client, 5)
    full = _instructor_page_counts(app, client, 75)
    assert len(full) == 6  # with the participant x week matrix
    assert full == small
