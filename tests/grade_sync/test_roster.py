"""Roster from NRPS: every page, roles, names as the privacy level gives, refreshed when stale."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from sqlalchemy import select

from lti_tool.db import utcnow
from lti_tool.models import Course, CourseRole, Enrollment, Person
from lti_tool.services.roster import refresh_if_stale, sync_roster
from lti_tool.web import session_scope, wiring

from .canvas import DemoCanvas


def enrollments(app: Flask, course_id: int) -> dict[str, Enrollment]:
    with session_scope(app) as session:
        found = session.scalars(select(Enrollment).where(Enrollment.course_id == course_id))
        result = {}
        for enrollment in found:
            result[session.get_one(Person, enrollment.person_id).sub] = enrollment
        return result


def test_the_whole_roster_is_stored_across_pages(app: Flask, canvas: DemoCanvas) -> None:
    course_id, _ = canvas.register()
    extra = canvas.add_students(60)  # more than one page of 50
    gone = canvas.tool_student(course_id, "left-the-course")
    with session_scope(app) as session:
        course = session.get_one(Course, course_id)
        summary = sync_roster(session, wiring(app).service_client, course, utcnow())

    assert (summary.members, summary.deactivated) == (67, 1)
    assert canvas.count("names_and_roles") == 2
    by_sub = enrollments(app, course_id)
    assert all(by_sub[sub].role == CourseRole.PARTICIPANT for sub in extra)
    assert by_sub[canvas.user_sub("instructor")].role == CourseRole.INSTRUCTOR
    assert by_sub[canvas.user_sub("test_student")].is_test_user
    assert not by_sub[gone.sub].active
    with session_scope(app) as session:
        person = session.scalars(select(Person).where(Person.sub == extra[0])).one()
        assert person.name == "Extra Student 0"


def test_refresh_only_when_stale(app: Flask, canvas: DemoCanvas) -> None:
    course_id, _ = canvas.register()
    client = wiring(app).service_client
    now = utcnow()
    with session_scope(app) as session:
        course = session.get_one(Course, course_id)
        assert refresh_if_stale(session, client, course, now) is not None
        assert refresh_if_stale(session, client, course, now + timedelta(minutes=4)) is None
        assert refresh_if_stale(session, client, course, now + timedelta(minutes=6)) is not None
    assert canvas.count("names_and_roles") == 2


def test_a_canvas_failure_never_breaks_the_launch(app: Flask, canvas: DemoCanvas) -> None:
    course_id, _ = canvas.register()
    canvas.fault("nrps", errors=1, status=500)
    with session_scope(app) as session:
        course = session.get_one(Course, course_id)
        assert refresh_if_stale(session, wiring(app).service_client, course, utcnow()) is None
        assert course.roster_synced_at is None
