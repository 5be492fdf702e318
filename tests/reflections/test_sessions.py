"""Sessions follow Canvas's roster and role: a person removed from the course or given another
role is signed out at their next request (a readable 401/403 saying to open the tool from Canvas
again), and renewing a session never carries it past the launch's own lifetime."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import jwt
import pytest
from flask import Flask
from sqlalchemy import update

from lti_tool.models import Course
from lti_tool.web import session_scope
from tests.platform import INSTRUCTOR, LEARNER, TestPlatform
from tests.reflections.conftest import Canvas, Person, text_of

NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
TA = "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant"


@pytest.fixture
def roster(platform: TestPlatform) -> TestPlatform:
    platform.enrol("teacher-1", INSTRUCTOR)
    platform.enrol("ta-1", INSTRUCTOR, TA)
    platform.enrol("student-a", LEARNER)
    return platform


def launch(canvas: Canvas, sub: str, role: str, **kwargs: Any) -> Person:
    nrps = {"context_memberships_url": canvas.platform.memberships_url, "service_versions": ["2.0"]}
    return canvas.launch(sub, role=role, link="nav", **{NRPS: nrps}, **kwargs)


def refresh_roster(app: Flask, canvas: Canvas) -> None:
    """The roster is refreshed on an instructor's launch once it is older than a few minutes."""
    with app.app_context(), session_scope(app) as session:
        session.execute(update(Course).values(roster_synced_at=None))
    launch(canvas, "teacher-1", INSTRUCTOR)


def test_a_ta_removed_in_canvas_loses_access_at_the_roster_refresh(
    app: Flask, canvas: Canvas, roster: TestPlatform
) -> None:
    ta = launch(canvas, "ta-1", INSTRUCTOR)
    assert ta.get("/instructor/").status_code == 200
    roster.unenrol("ta-1")
    refresh_roster(app, canvas)
    for path in ("/instructor/", "/instructor/completion.csv", "/instructor/queue"):
        page = ta.get(path)
        assert page.status_code == 401, path
        assert "Open the tool from Canvas again" in text_of(page)
    fetched = ta.client.get(
        "/instructor/",
        headers={"Authorization": f"Bearer {ta.token}", "Accept": "application/json"},
    )
    assert fetched.status_code == 401 and fetched.json is not None
    roster.enrol("ta-1", INSTRUCTOR, TA)
    assert launch(canvas, "ta-1", INSTRUCTOR).landing.status_code == 200


def test_a_role_change_ends_the_session_with_a_403(
    app: Flask, canvas: Canvas, roster: TestPlatform
) -> None:
    ta = launch(canvas, "ta-1", INSTRUCTOR)
    roster.enrol("ta-1", LEARNER)
    refresh_roster(app, canvas)
    page = ta.get("/instructor/")
    assert page.status_code == 403 and "Your role in this course has changed" in text_of(page)
    assert launch(canvas, "ta-1", LEARNER).landing.status_code == 200


def test_student_view_is_not_signed_out_by_a_roster_without_it(
    app: Flask, canvas: Canvas, roster: TestPlatform
) -> None:
    viewer = launch(canvas, "student-view", LEARNER, test_user=True)
    refresh_roster(app, canvas)
    assert viewer.get("/participant/reflections").status_code == 200


def test_renewal_stops_at_the_launch_lifetime(
    app: Flask, canvas: Canvas, roster: TestPlatform
) -> None:
    student = launch(canvas, "student-a", LEARNER)
    secret = app.config["SECRET_KEY"]
    issued = jwt.decode(student.token, secret, algorithms=["HS256"], audience="lti-tool-session")
    launched = datetime.fromtimestamp(issued["iat"], UTC)
    assert issued["cap"] == pytest.approx((launched + timedelta(hours=8)).timestamp(), abs=5)
    # The same session two minutes before the launch's lifetime ends: renewed only up to it.
    almost_over = int((datetime.now(UTC) + timedelta(minutes=2)).timestamp())
    old = jwt.encode({**issued, "cap": almost_over}, secret, algorithm="HS256")
    answer = student.client.get("/participant/reflections", query_string={"st": old})
    renewed = jwt.decode(
        answer.headers["X-Session-Token"], secret, algorithms=["HS256"], audience="lti-tool-session"
    )
    assert answer.status_code == 200 and renewed["exp"] <= almost_over
