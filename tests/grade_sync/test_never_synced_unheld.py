"""Fault injection: whatever fails, nothing is shown as synced that Canvas does not hold.

Each case asks the instructor's status (`grade_status.course_rows`) after the fault and after
recovery, with a sender on the real clock (the status compares Canvas's read with the sending).
"""

from __future__ import annotations

import threading

import pytest
from flask import Flask

from lti_tool.background import start_background_delivery
from lti_tool.db import utcnow
from lti_tool.services.delivery import Sender
from lti_tool.services.grade_status import SyncState, course_rows
from lti_tool.web import session_scope, wiring

from .canvas import DemoCanvas, Student, queue_grade, service_client


@pytest.fixture
def course_id(canvas: DemoCanvas) -> int:
    return canvas.register()[0]


@pytest.fixture
def student(canvas: DemoCanvas, course_id: int) -> Student:
    return canvas.tool_student(course_id, canvas.user_sub("participant1"))


def sender(app: Flask, name: str = "faults") -> Sender:
    return Sender(
        wiring(app).sessions,
        service_client(app),
        name=name,
        jitter=lambda: 0.0,
    )


def state(app: Flask, course_id: int) -> SyncState:
    with session_scope(app) as session:
        (row,) = course_rows(session, course_id)
        return row.state


@pytest.mark.parametrize(
    ("service", "fault"),
    [
        ("ags", {"errors": 1, "status": 500}),
        ("ags", {"errors": 1, "status": 429, "retry_after": 1}),
        ("token", {"errors": 1, "status": 503}),
    ],
    ids=["5xx", "429", "token-endpoint-down"],
)
def test_a_refused_delivery_is_pending_until_canvas_holds_it(
    app: Flask,
    canvas: DemoCanvas,
    course_id: int,
    student: Student,
    service: str,
    fault: dict[str, int],
) -> None:
    queue_grade(app, course_id, student, 8, lineitem_url=canvas.line_item_url())
    canvas.fault(service, **fault)

    sender(app).run_due()

    assert state(app, course_id) == SyncState.PENDING
    assert canvas.results().get(student.sub) is None
    canvas.clear_faults()
    with session_scope(app) as session:  # the backoff has passed
        for row in course_rows(session, course_id):
            for item in row.items:
                item.next_attempt_at = utcnow()
    sender(app).run_due()
    assert state(app, course_id) == SyncState.SYNCED
    assert canvas.results()[student.sub] == 8


def test_a_score_canvas_took_but_could_not_be_read_back_is_not_called_synced(
    app: Flask, canvas: DemoCanvas, course_id: int, student: Student
) -> None:
    queue_grade(app, course_id, student, 8, lineitem_url=canvas.line_item_url())
    canvas.fault("ags", latency_ms=0)
    delivering = sender(app)
    original = delivering.client.results

    def results_down(*args: object, **kwargs: object) -> list[dict[str, object]]:
        canvas.fault("ags", errors=1, status=503)
        return original(*args, **kwargs)  # type: ignore[arg-type]

    delivering.client.results = results_down  # type: ignore[method-assign]
    delivering.run_due()

    assert canvas.results()[student.sub] == 8  # Canvas has it ...
    assert state(app, course_id) == SyncState.CONFIRMING  # ... but the tool has not seen it


def test_a_crash_between_commit_and_send_is_delivered_by_the_always_running_worker(
    app: Flask, canvas: DemoCanvas, course_id: int, student: Student
) -> None:
    queue_grade(app, course_id, student, 6, lineitem_url=canvas.line_item_url())  # never handed
    assert state(app, course_id) == SyncState.PENDING

    delivery = start_background_delivery(app, poll=0.05)
    try:
        for _ in range(200):
            if state(app, course_id) == SyncState.SYNCED:
                break
            delivery.wait_idle(0.05)
    finally:
        delivery.stop()
    assert state(app, course_id) == SyncState.SYNCED
    assert canvas.results()[student.sub] == 6


def test_two_workers_deliver_once_and_agree_with_canvas(
    app: Flask, canvas: DemoCanvas, course_id: int
) -> None:
    group = [canvas.tool_student(course_id, sub) for sub in canvas.add_students(6)]
    for n, student in enumerate(group):
        queue_grade(app, course_id, student, n, lineitem_url=canvas.line_item_url())
    workers = [threading.Thread(target=sender(app, f"w{n}").run_due) for n in range(2)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()

    assert canvas.count("/scores") == 6
    with session_scope(app) as session:
        assert {row.state for row in course_rows(session, course_id)} == {SyncState.SYNCED}
