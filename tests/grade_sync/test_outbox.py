"""Queueing rules: coalescing never drops a comment nor a row a sender is delivering."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from lti_tool.models.grade_sync import OutboxItem, OutboxStatus
from lti_tool.services.delivery import Sender
from lti_tool.web import session_scope

from .canvas import DemoCanvas, queue_grade


def statuses(app: Flask) -> list[str]:
    with session_scope(app) as session:
        return list(session.scalars(select(OutboxItem.status).order_by(OutboxItem.id)))


def test_a_newer_grade_supersedes_a_waiting_one_but_keeps_comments(
    app: Flask, canvas: DemoCanvas
) -> None:
    course_id, _ = canvas.register()
    student = canvas.tool_student(course_id, "sub-1")
    url = "https://canvas.test/line_items/1"
    queue_grade(app, course_id, student, 5, lineitem_url=url)
    queue_grade(app, course_id, student, 6, lineitem_url=url, comment="Keep me.")
    queue_grade(app, course_id, student, 7, lineitem_url=url)
    assert statuses(app) == ["superseded", "pending", "pending"]


def test_a_row_being_sent_is_not_superseded(app: Flask, canvas: DemoCanvas, sender: Sender) -> None:
    course_id, _ = canvas.register()
    student = canvas.tool_student(course_id, "sub-1")
    url = "https://canvas.test/line_items/1"
    first = queue_grade(app, course_id, student, 5, lineitem_url=url)
    assert sender.claim(first)
    queue_grade(app, course_id, student, 6, lineitem_url=url)
    assert statuses(app) == [OutboxStatus.PENDING, OutboxStatus.PENDING]
    assert not sender.claim(first + 1)  # waits for the row in flight


def test_a_claim_is_taken_by_one_sender_only(
    app: Flask, canvas: DemoCanvas, sender: Sender
) -> None:
    course_id, _ = canvas.register()
    item_id = queue_grade(app, course_id, canvas.tool_student(course_id, "s"), 5, lineitem_url="u")
    other = Sender(sender.sessions, sender.client, name="other", clock=sender.clock)
    assert sender.claim(item_id)
    assert not other.claim(item_id)
