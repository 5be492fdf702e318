"""Delivery to the demo Canvas under faults: every grade ends in Canvas exactly as in the tool,
with no duplicate comment and no lost submission."""

from __future__ import annotations

import threading
import time
from datetime import UTC, timedelta

import pytest
from flask import Flask
from sqlalchemy import select, update

from lti_tool import create_app
from lti_tool.db import utcnow
from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.models import Registration
from lti_tool.models.grade_sync import OutboxItem, OutboxStatus
from lti_tool.services import delivery
from lti_tool.services.delivery import CLAIM_LEASE, MAX_ATTEMPTS, Sender, Worker
from lti_tool.web import session_scope, wiring

from .canvas import (
    REVIEW,
    SUBMITTED_MINUTES_AGO,
    DemoCanvas,
    FakeClock,
    Student,
    queue_grade,
    queue_submission,
    service_client,
)


def items(app: Flask) -> list[OutboxItem]:
    with session_scope(app) as session:
        return list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


def students(canvas: DemoCanvas, course_id: int, count: int) -> list[Student]:
    return [canvas.tool_student(course_id, sub) for sub in canvas.add_students(count)]


@pytest.fixture
def course_id(canvas: DemoCanvas) -> int:
    return canvas.register()[0]


def assert_gradebook(canvas: DemoCanvas, expected: dict[str, tuple[float, list[str]]]) -> None:
    book = canvas.gradebook()
    assert {sub: (book[sub]["score"], book[sub]["comments"]) for sub in expected} == expected


def test_submission_then_grade_reach_the_gradebook(
    app: Flask, canvas: DemoCanvas, course_id: int, worker: Worker
) -> None:
    student = canvas.tool_student(course_id, canvas.user_sub("participant1"))
    url = canvas.line_item_url()
    queue_submission(app, course_id, student, lineitem_url=url)
    queue_grade(app, course_id, student, 8, lineitem_url=url, comment="Well argued.")

    worker.run(until_idle=True)

    entry = canvas.gradebook()[student.sub]
    assert (entry["score"], entry["attempt"], entry["comments"]) == (8, 1, ["Well argued."])
    assert entry["submission_data"].endswith("prompt:1")
    assert {i.status for i in items(app)} == {OutboxStatus.SENT}
    assert canvas.count("/login/oauth2/token") == 1


def test_server_errors_are_retried_with_growing_backoff(
    app: Flask, canvas: DemoCanvas, course_id: int, worker: Worker, clock: FakeClock
) -> None:
    (student,) = students(canvas, course_id, 1)
    queue_grade(app, course_id, student, 6, lineitem_url=canvas.line_item_url(), comment="Good.")
    canvas.fault("ags", errors=3, status=503)

    worker.run(until_idle=True)

    assert_gradebook(canvas, {student.sub: (6, ["Good."])})
    assert clock.slept == [7.5, 15.0, 30.0]  # 15 s doubling; jitter 0 gives half of each step
    (item,) = items(app)
    assert (item.status, item.attempts, item.last_error) == (OutboxStatus.SENT, 4, None)


def test_throttling_waits_out_retry_after_for_the_whole_install(
    app: Flask, canvas: DemoCanvas, course_id: int, worker: Worker, clock: FakeClock
) -> None:
    group = students(canvas, course_id, 3)
    for n, student in enumerate(group):
        queue_grade(app, course_id, student, n + 5, lineitem_url=canvas.line_item_url())
    canvas.fault("ags", errors=1, status=429, retry_after=120)

    worker.run(until_idle=True)

    assert clock.slept == [120.0]
    assert canvas.count("/scores") == 4  # one refused, then each grade once
    assert_gradebook(canvas, {s.sub: (n + 5, []) for n, s in enumerate(group)})


def give_up_while_canvas_works(app: Flask, canvas: DemoCanvas, clock: FakeClock) -> None:
    """One delivery attempt that times out after 0.3 s while Canvas takes a second to apply it."""
    impatient = Sender(
        wiring(app).sessions,
        service_client(app, deadline=0.3),
        name="impatient",
        clock=clock,
        jitter=lambda: 0.0,
    )
    with session_scope(app) as session:  # the token is cached before Canvas slows down
        impatient.client.token(Credentials.of(session.scalars(select(Registration)).one()))
    canvas.fault("ags", latency_ms=1000)
    Worker(impatient, sleep=clock.sleep).run(once=True)


def test_a_timeout_after_canvas_applied_the_score_adds_no_second_comment(
    app: Flask, canvas: DemoCanvas, course_id: int, clock: FakeClock, worker: Worker
) -> None:
    (student,) = students(canvas, course_id, 1)
    queue_grade(app, course_id, student, 9, lineitem_url=canvas.line_item_url(), comment="Clear.")

    give_up_while_canvas_works(app, canvas, clock)
    (item,) = items(app)
    assert item.status == OutboxStatus.PENDING and item.uncertain
    wait_for(lambda: student.sub in canvas.gradebook())  # Canvas finishes the slow request
    canvas.clear_faults()
    worker.run(until_idle=True)

    assert_gradebook(canvas, {student.sub: (9, ["Clear."])})
    assert canvas.count("/results") == 2  # the check before sending again, the read-back after
    assert items(app)[0].status == OutboxStatus.SENT


def test_a_timeout_after_canvas_took_the_submission_adds_no_second_attempt(
    app: Flask, canvas: DemoCanvas, course_id: int, clock: FakeClock, worker: Worker
) -> None:
    (student,) = students(canvas, course_id, 1)
    queue_submission(app, course_id, student, lineitem_url=canvas.line_item_url())

    give_up_while_canvas_works(app, canvas, clock)
    assert items(app)[0].uncertain
    wait_for(lambda: student.sub in canvas.gradebook())
    canvas.clear_faults()
    worker.run(until_idle=True)

    entry = canvas.gradebook()[student.sub]
    assert (entry["attempt"], entry["submission_data"]) == (1, REVIEW + "prompt:1")
    assert items(app)[0].status == OutboxStatus.SENT


def test_a_sender_that_died_after_canvas_took_the_score_repeats_nothing(
    app: Flask, canvas: DemoCanvas, course_id: int, clock: FakeClock, worker: Worker
) -> None:
    """The sender posts, then stops before recording the outcome; once its claim lapses the
    next sender checks Canvas before sending again."""
    (student,) = students(canvas, course_id, 1)
    url = canvas.line_item_url()
    dying = Sender(wiring(app).sessions, wiring(app).service_client, name="dies", clock=clock)
    dying._finish = lambda job, **values: None  # type: ignore[method-assign]
    for queue in (
        lambda: queue_submission(app, course_id, student, lineitem_url=url),
        lambda: queue_grade(app, course_id, student, 7, lineitem_url=url, comment="Only once."),
    ):
        dying.send([queue()])
        clock.sleep(CLAIM_LEASE.total_seconds() + 1)
        worker.run(until_idle=True)

    entry = canvas.gradebook()[student.sub]
    assert (entry["score"], entry["attempt"], entry["comments"]) == (7, 1, ["Only once."])
    assert [(i.status, i.uncertain) for i in items(app)] == [(OutboxStatus.SENT, True)] * 2


def submitted_and_graded(
    app: Flask, canvas: DemoCanvas, course_id: int, worker: Worker, score: float
) -> tuple[Student, str]:
    (student,) = students(canvas, course_id, 1)
    url = canvas.line_item_url()
    queue_submission(app, course_id, student, lineitem_url=url)
    queue_grade(app, course_id, student, score, lineitem_url=url)
    worker.run(until_idle=True)
    return student, url


def test_canvas_keeps_the_real_submit_time_and_the_grade_across_attempts(
    app: Flask, canvas: DemoCanvas, course_id: int, worker: Worker
) -> None:
    student, url = submitted_and_graded(app, canvas, course_id, worker, 8)
    submitted = canvas.gradebook()[student.sub]["submitted_at"].replace(tzinfo=UTC)
    assert abs(submitted - (utcnow() - timedelta(minutes=SUBMITTED_MINUTES_AGO))) < timedelta(
        seconds=30
    ), "Canvas got the send time, not the submit time (late flags would be wrong)"

    queue_submission(app, course_id, student, lineitem_url=url, subject="prompt:1")
    worker.run(until_idle=True)

    entry = canvas.gradebook()[student.sub]
    assert (entry["attempt"], entry["score"]) == (2, 8), "a resubmission cleared the grade"


def test_a_grade_typed_in_speedgrader_wins_unless_the_instructor_overrides_it(
    app: Flask, canvas: DemoCanvas, course_id: int, worker: Worker
) -> None:
    student, url = submitted_and_graded(app, canvas, course_id, worker, 8)
    canvas.grade_by_hand(student.sub, 5)

    queue_grade(app, course_id, student, 9, lineitem_url=url)
    worker.run(until_idle=True)
    assert canvas.gradebook()[student.sub]["score"] == 5
    queue_grade(app, course_id, student, 6, lineitem_url=url, override_manual=True)
    worker.run(until_idle=True)
    assert canvas.gradebook()[student.sub]["score"] == 6


def wait_for(condition: object, seconds: float = 10.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "Canvas never applied the slow request"
        time.sleep(0.05)


def test_token_endpoint_down_delays_but_loses_nothing(
    app: Flask, canvas: DemoCanvas, course_id: int, worker: Worker
) -> None:
    (student,) = students(canvas, course_id, 1)
    url = canvas.line_item_url()
    queue_submission(app, course_id, student, lineitem_url=url)
    queue_grade(app, course_id, student, 4, lineitem_url=url)
    canvas.fault("token", errors=2, status=500)

    worker.run(until_idle=True)

    entry = canvas.gradebook()[student.sub]
    assert (entry["score"], entry["attempt"]) == (4, 1)
    assert canvas.count("/login/oauth2/token") == 3


def test_rows_left_by_a_process_killed_after_commit_are_delivered(
    app: Flask, canvas: DemoCanvas, course_id: int, worker: Worker, clock: FakeClock
) -> None:
    """One row was committed and never sent; another was claimed by a worker that then died."""
    never_sent, claimed_by_dead = students(canvas, course_id, 2)
    url = canvas.line_item_url()
    queue_grade(app, course_id, never_sent, 3, lineitem_url=url, comment="First.")
    dead_id = queue_grade(app, course_id, claimed_by_dead, 7, lineitem_url=url)
    with session_scope(app) as session:
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.id == dead_id)
            .values(claimed_by="dead-worker", claimed_until=clock() + timedelta(minutes=5))
        )

    worker.run(until_idle=True)

    assert_gradebook(canvas, {never_sent.sub: (3, ["First."]), claimed_by_dead.sub: (7, [])})
    assert clock.slept == [300.0]  # waited for the dead worker's claim to lapse


def test_two_workers_at_once_send_each_grade_exactly_once(
    app: Flask, canvas: DemoCanvas, course_id: int
) -> None:
    group = students(canvas, course_id, 30)
    url = canvas.line_item_url()
    for n, student in enumerate(group):
        queue_grade(app, course_id, student, n % 11, lineitem_url=url, comment=f"Note {n}")
    canvas.fault("ags", errors=6, status=500)

    def work(name: str) -> None:
        sender = Sender(
            wiring(app).sessions,
            wiring(app).service_client,
            name=name,
            backoff_base=timedelta(milliseconds=20),
        )
        Worker(sender, poll=0.02).run(until_idle=True)

    threads = [threading.Thread(target=work, args=(f"w{n}",)) for n in (1, 2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert_gradebook(canvas, {s.sub: (n % 11, [f"Note {n}"]) for n, s in enumerate(group)})
    assert {i.status for i in items(app)} == {OutboxStatus.SENT}
    assert canvas.count("/login/oauth2/token") == 1


def test_workers_of_two_app_instances_send_each_grade_exactly_once(
    app: Flask, canvas: DemoCanvas, course_id: int
) -> None:
    """As two processes would: each worker has its own app, engine and connection pool, and
    only the database is shared."""
    names = ("LTI_TOOL_ENV", "SECRET_KEY", "DATABASE_URL", "LTI_TOOL_BASE_URL", "LTI_TOOL_KEYS_DIR")
    second = create_app({n: app.config[n] for n in names})
    group = students(canvas, course_id, 20)
    url = canvas.line_item_url()
    for n, student in enumerate(group):
        queue_grade(app, course_id, student, n % 11, lineitem_url=url, comment=f"Note {n}")
    canvas.fault("ags", errors=4, status=503)

    def work(instance: Flask, name: str) -> None:
        sender = Sender(
            wiring(instance).sessions,
            wiring(instance).service_client,
            name=name,
            backoff_base=timedelta(milliseconds=20),
        )
        Worker(sender, poll=0.02).run(until_idle=True)

    threads = [
        threading.Thread(target=work, args=(instance, name))
        for instance, name in ((app, "instance-a"), (second, "instance-b"))
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    wiring(second).engine.dispose()

    assert_gradebook(canvas, {s.sub: (n % 11, [f"Note {n}"]) for n, s in enumerate(group)})
    assert {i.status for i in items(app)} == {OutboxStatus.SENT}


def test_a_later_row_waits_for_an_earlier_one_of_the_same_person(
    app: Flask, canvas: DemoCanvas, course_id: int, sender: Sender
) -> None:
    (student,) = students(canvas, course_id, 1)
    url = canvas.line_item_url()
    queue_submission(app, course_id, student, lineitem_url=url)
    queue_grade(app, course_id, student, 5, lineitem_url=url)
    canvas.fault("ags", errors=1, status=500)

    sender.run_due()

    submission, grade = items(app)
    assert (submission.status, submission.attempts) == (OutboxStatus.PENDING, 1)
    assert (grade.status, grade.attempts) == (OutboxStatus.PENDING, 0)


def test_a_deleted_assignment_needs_the_instructor(
    app: Flask, canvas: DemoCanvas, course_id: int, worker: Worker
) -> None:
    (student,) = students(canvas, course_id, 1)
    queue_grade(app, course_id, student, 5, lineitem_url=canvas.line_item_url())
    canvas.delete_assignment()

    worker.run(until_idle=True)

    (item,) = items(app)
    assert (item.status, item.attempts) == (OutboxStatus.NEEDS_ATTENTION, 1)
    assert "(404)" in (item.last_error or "")


def test_a_teacher_cannot_get_a_grade(
    app: Flask, canvas: DemoCanvas, course_id: int, worker: Worker
) -> None:
    teacher = canvas.tool_student(course_id, canvas.user_sub("instructor"))
    queue_grade(app, course_id, teacher, 5, lineitem_url=canvas.line_item_url())

    worker.run(until_idle=True)

    (item,) = items(app)
    assert item.status == OutboxStatus.NEEDS_ATTENTION
    assert item.last_error == "Canvas answered 422: User not found in course or is not a student"


def test_retrying_ends_after_the_last_attempt(
    app: Flask, canvas: DemoCanvas, course_id: int, worker: Worker
) -> None:
    (student,) = students(canvas, course_id, 1)
    queue_grade(app, course_id, student, 5, lineitem_url=canvas.line_item_url())
    canvas.fault("ags", errors=100, status=502)

    worker.run(until_idle=True)

    (item,) = items(app)
    assert (item.status, item.attempts) == (OutboxStatus.NEEDS_ATTENTION, MAX_ATTEMPTS)
    assert (item.last_error or "").startswith(
        f"Canvas did not accept it after {MAX_ATTEMPTS} tries"
    )


def test_without_a_launch_line_item_one_is_found_or_created(
    app: Flask, canvas: DemoCanvas, course_id: int, worker: Worker
) -> None:
    group = students(canvas, course_id, 2)
    lineitems = canvas.url(f"/api/lti/courses/{canvas.course_id}/line_items")
    for student in group:
        queue_grade(
            app, course_id, student, 2, lineitem_url=None, lineitems_url=lineitems, label="Essay"
        )

    worker.run(until_idle=True)

    assert canvas.count("POST /demo/api/lti/courses") - canvas.count("/scores") == 1
    assert_gradebook_label = canvas.gradebook("Essay")
    assert {s.sub: assert_gradebook_label[s.sub]["score"] for s in group} == {
        s.sub: 2 for s in group
    }
    assert all(i.target.get("resolved_lineitem_url") for i in items(app))


def test_two_instances_create_one_line_item_between_them(
    app: Flask, canvas: DemoCanvas, course_id: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No launch named a line item, and two instances deliver the first grades at the same
    moment: Canvas gets one new column, and both grades land in it."""
    monkeypatch.setattr(
        delivery, "_line_item_lock", lambda key: threading.Lock()
    )  # no shared process
    group = students(canvas, course_id, 2)
    lineitems = canvas.url(f"/api/lti/courses/{canvas.course_id}/line_items")
    ids = [
        queue_grade(app, course_id, s, 3, lineitem_url=None, lineitems_url=lineitems, label="Essay")
        for s in group
    ]
    canvas.fault("ags", latency_ms=300)  # both look for the line item before either creates it
    senders = [
        Sender(
            wiring(app).sessions,
            wiring(app).service_client,
            name=f"instance-{n}",
            backoff_base=timedelta(milliseconds=20),
        )
        for n in range(2)
    ]
    threads = [
        threading.Thread(target=sender.send, args=([item_id],))
        for sender, item_id in zip(senders, ids, strict=True)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    canvas.clear_faults()
    Worker(senders[0], poll=0.02).run(until_idle=True)

    assert canvas.count("POST /demo/api/lti/courses") - canvas.count("/scores") == 1
    book = canvas.gradebook("Essay")
    assert {s.sub: book[s.sub]["score"] for s in group} == {s.sub: 3 for s in group}
