"""`sync run` and `grades reconcile` from the command line."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select, update

from demo_canvas.db import demo_session
from demo_canvas.models import Result, Submission
from lti_tool.models import AuditAction, AuditEvent
from lti_tool.web import session_scope

from .canvas import DemoCanvas, queue_grade


def test_sync_run_once_then_reconcile_and_repair(app: Flask, canvas: DemoCanvas) -> None:
    course_id, _ = canvas.register()
    url = canvas.line_item_url()
    first, second = (canvas.tool_student(course_id, sub) for sub in canvas.add_students(2))
    queue_grade(app, course_id, first, 4, lineitem_url=url, comment="Once.")
    queue_grade(app, course_id, second, 6, lineitem_url=url)
    runner = app.test_cli_runner()

    assert "Attempted 2 deliveries." in runner.invoke(args=["sync", "run", "--once"]).output
    assert "2 grade(s) match Canvas; 0 differ" in runner.invoke(args=["grades", "reconcile"]).output

    with demo_session(canvas.app) as demo:  # someone changed Canvas behind the tool's back
        demo.execute(update(Result).values(result_score=1.0))
        demo.execute(update(Submission).values(score=1.0))
    report = runner.invoke(args=["grades", "reconcile", "--repair"]).output
    assert "tool 4, Canvas 1 (Canvas has a different grade)" in report
    assert "0 grade(s) match Canvas; 2 differ, queued again." in report
    with session_scope(app) as session:
        # besides the registration the test's setup added
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.subject_type != "registration")
        ).one()
    assert (event.action, event.actor_role, event.course_id, event.detail) == (
        AuditAction.GRADES_RESENT,
        "admin",
        course_id,
        "2 queued (reconcile --repair)",
    )

    runner.invoke(args=["sync", "run", "--once", "--workers", "2"])
    book = canvas.gradebook()
    assert (book[first.sub]["score"], book[first.sub]["comments"]) == (4, ["Once."])
    assert book[second.sub]["score"] == 6
    assert "2 grade(s) match Canvas" in runner.invoke(args=["grades", "reconcile"]).output
