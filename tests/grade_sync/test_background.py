"""Delivery on a thread of the serving process: the always-running worker of `make run`."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from flask import Flask

from lti_tool.background import start_background_delivery
from lti_tool.models.grade_sync import OutboxItem, OutboxStatus
from lti_tool.services import placements
from lti_tool.services.background_delivery import BackgroundDelivery
from lti_tool.services.delivery import Sender
from lti_tool.web import session_scope, wiring

from .canvas import DemoCanvas, queue_grade


def status_of(app: Flask, item_id: int) -> OutboxStatus:
    with session_scope(app) as session:
        return OutboxStatus(session.get_one(OutboxItem, item_id).status)


def wait_for_status(app: Flask, item_id: int, wanted: OutboxStatus, seconds: float = 10) -> None:
    end = time.monotonic() + seconds
    while status_of(app, item_id) != wanted and time.monotonic() < end:
        time.sleep(0.05)
    assert status_of(app, item_id) == wanted


def test_the_background_worker_delivers_rows_no_request_handed_over(
    app: Flask, canvas: DemoCanvas
) -> None:
    course_id, _ = canvas.register()
    student = canvas.tool_student(course_id, canvas.user_sub("participant1"))
    item_id = queue_grade(app, course_id, student, 6, lineitem_url=canvas.line_item_url())

    delivery = start_background_delivery(app, poll=0.1)

    wait_for_status(app, item_id, OutboxStatus.SENT)
    assert canvas.gradebook()[student.sub]["score"] == 6
    delivery.stop()


def test_the_background_worker_retries_when_the_row_is_due_again(
    app: Flask, canvas: DemoCanvas
) -> None:
    course_id, _ = canvas.register()
    student = canvas.tool_student(course_id, canvas.user_sub("participant1"))
    canvas.fault("ags", errors=2, status=503)
    item_id = queue_grade(app, course_id, student, 4, lineitem_url=canvas.line_item_url())
    sender = Sender(
        wiring(app).sessions,
        wiring(app).service_client,
        name="background-test",
        backoff_base=timedelta(milliseconds=50),
    )
    delivery = BackgroundDelivery(sender, poll=0.05)

    delivery.keep_polling(0.05)

    wait_for_status(app, item_id, OutboxStatus.SENT)
    with session_scope(app) as session:
        assert session.get_one(OutboxItem, item_id).attempts == 3
    delivery.stop()


def test_an_unknown_row_handed_over_does_not_stop_delivery(app: Flask, canvas: DemoCanvas) -> None:
    course_id, _ = canvas.register()
    student = canvas.tool_student(course_id, canvas.user_sub("participant1"))
    sender = Sender(wiring(app).sessions, wiring(app).service_client, name="flaky")
    delivery = BackgroundDelivery(sender)
    delivery.hand_off([10_000_000])  # no such row: nothing to claim, nothing breaks
    assert delivery.wait_idle()

    item_id = queue_grade(app, course_id, student, 9, lineitem_url=canvas.line_item_url())
    delivery.hand_off([item_id])

    assert delivery.wait_idle()
    assert status_of(app, item_id) == OutboxStatus.SENT
    delivery.stop()


def test_the_background_worker_keeps_placed_prompts_fresh(
    app: Flask, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`make run` has no `sync run`: its delivery thread does the worker's upkeep too, reading
    the placed prompts of courses gone stale (every placed prompt known from the start)."""
    passes = threading.Event()

    def refresh_stale(*args: object) -> int:
        passes.set()
        return 0

    monkeypatch.setattr(placements, "refresh_stale", refresh_stale)
    delivery = start_background_delivery(app, poll=0.05)
    try:
        assert passes.wait(10), "the background worker never read stale courses' placements"
    finally:
        delivery.stop()
