"""The audit log: who read or changed reflections, feedback, grades and registrations; what an
instructor sees of it; and that it holds ids and counts, never names, e-mails or text."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool.models import AuditAction, AuditEvent, OutboxItem, OutboxStatus
from lti_tool.services.audit import ADMIN, AuditLog
from lti_tool.web import session_scope
from tests.platform import TestPlatform, invite_path
from tests.reflections.conftest import Canvas, text_of

from .conftest import AUTHOR, AUTHOR_EMAIL, FEEDBACK, REPLY, SECOND, World


def _events(app: Flask) -> list[AuditEvent]:
    with app.app_context(), session_scope(app) as session:
        return list(session.scalars(select(AuditEvent).order_by(AuditEvent.id)))


def test_reads_and_changes_are_recorded(world: World, app: Flask) -> None:
    registration, *events = _events(app)
    assert (registration.action, registration.course_id) == (AuditAction.REGISTRATION_ADDED, None)
    assert [(e.action, e.actor_role, e.detail) for e in events] == [
        (AuditAction.REFLECTION_SUBMITTED, "participant", "version 1"),
        (AuditAction.REFLECTION_SUBMITTED, "participant", "version 2"),
        (AuditAction.FEEDBACK_POSTED, "instructor", events[2].detail),
        (AuditAction.FEEDBACK_REPLIED, "participant", events[3].detail),
        (AuditAction.REFLECTION_VIEWED, "instructor", "version 2"),
        (AuditAction.GRADE_SAVED, "instructor", "version 2"),
    ]
    assert re.fullmatch(r"message \d+ on version 2", events[2].detail)
    assert all(e.course_id == world.course_id for e in events)
    assert all(e.subject_type == "reflection" for e in events)
    assert {e.subject_id for e in events} == {world.reflection_id}


def test_resending_grades_and_editing_a_prompt_are_recorded(world: World, app: Flask) -> None:
    with app.app_context(), session_scope(app) as session:
        for item in session.scalars(select(OutboxItem)):
            item.status = OutboxStatus.NEEDS_ATTENTION
    assert world.teacher.post("/sync/all").status_code == 303
    edited = world.teacher.post(
        f"/instructor/prompts/{world.placed.prompt_id}/edit",
        {
            "title": "Rights on a night shift",
            "body": "What did you do?",
            "word_target": "30",
            "word_limit": "40",
            "points": "10",
            "grading_type": "points",
        },
    )
    assert edited.status_code == 303, text_of(edited)
    resent, edit = _events(app)[-2:]
    assert (resent.action, resent.subject_type, resent.detail) == (
        AuditAction.GRADES_RESENT,
        "course",
        "2 queued (sync all)",
    )
    assert (edit.action, edit.subject_type, edit.subject_id) == (
        AuditAction.PROMPT_EDITED,
        "prompt",
        world.placed.prompt_id,
    )
    page = text_of(world.teacher.get("/instructor/activity"))
    assert "Edited a prompt" in page and "Sent grades to Canvas again" in page


def test_events_hold_no_personal_data(world: World, app: Flask) -> None:
    for event in _events(app):
        row = " ".join(str(value) for value in vars(event).values())
        for secret in (AUTHOR, AUTHOR_EMAIL, FEEDBACK, REPLY, SECOND, "student-a"):
            assert secret not in row


def test_instructor_sees_their_course_newest_first(world: World) -> None:
    page = text_of(world.teacher.get("/instructor/activity"))
    assert "<h1>Activity log</h1>" in page
    rows = re.findall(r'<th scope="row">([^<]+)</th>', page)
    assert rows[:2] == ["Saved a grade", "Read a reflection"]
    assert rows[-1] == "Submitted a reflection"
    assert f"{AUTHOR}: " in page and "(instructor)" in page
    assert FEEDBACK not in page and REPLY not in page
    workspace = text_of(world.teacher.get("/instructor/workspace"))
    assert "Activity log" in workspace and 'aria-current="page">Activity log' not in workspace


def test_pages(world: World, app: Flask) -> None:
    with app.app_context(), session_scope(app) as session:
        log = AuditLog(session)
        for number in range(55):
            log.record(
                AuditAction.REPORT_DOWNLOADED,
                ADMIN,
                course_id=world.course_id,
                subject_type="course",
                subject_id=number,
            )
    first = text_of(world.teacher.get("/instructor/activity"))
    assert first.count('<th scope="row">') == 50 and "Older events" in first
    assert "Newer events" not in first
    second = text_of(world.teacher.get("/instructor/activity", page="2"))
    assert second.count('<th scope="row">') == 11 and "Newer events" in second
    assert "Older events" not in second and "Submitted a reflection" in second
    assert "no older events" in text_of(world.teacher.get("/instructor/activity", page="9"))


def test_others_see_nothing(world: World, canvas: Canvas) -> None:
    assert world.author.get("/instructor/activity").status_code == 403
    other = canvas.instructor("teacher-y", link="nav", context="ctx-leaders")
    page = text_of(other.get("/instructor/activity"))
    assert "Nothing has been recorded" in page and AUTHOR not in page


def test_registrations_are_recorded(
    app: Flask, client: FlaskClient, platform_server: TestPlatform
) -> None:
    platform_server.reset()
    params = platform_server.registration_params()
    assert client.post(invite_path(app), data=params).status_code == 200
    runner = app.test_cli_runner()
    issuer = "http://127.0.0.1:8000"
    urls = ["--auth-login-url", f"{issuer}/a", "--auth-token-url", f"{issuer}/t"]
    added = runner.invoke(
        args=["registration", "add", "--issuer", issuer, "--client-id", "abc", *urls]
        + ["--key-set-url", f"{issuer}/k"]
    )
    assert added.exit_code == 0, added.output
    removed = runner.invoke(
        args=["registration", "remove", "--issuer", issuer, "--client-id", "abc"]
    )
    assert removed.exit_code == 0, removed.output
    events = _events(app)
    assert [(e.action, e.actor_role, e.course_id) for e in events] == [
        (AuditAction.REGISTRATION_INVITED, "admin", None),
        (AuditAction.REGISTRATION_ADDED, "platform", None),
        (AuditAction.REGISTRATION_ADDED, "admin", None),
        (AuditAction.REGISTRATION_REMOVED, "admin", None),
    ]
    assert events[2].subject_id == events[3].subject_id
    assert events[3].detail == f"{issuer} client abc"
    listing = runner.invoke(args=["audit", "list"]).output.splitlines()
    assert "registration.removed" in listing[0] and "registration.added" in listing[2]
