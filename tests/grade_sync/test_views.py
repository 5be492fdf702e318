"""The instructor's sync page (retry, sync all) and the participant's JSON status."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool.background import background_delivery
from lti_tool.db import utcnow
from lti_tool.models import AuditAction, AuditEvent, Course, Person
from lti_tool.models.grade_sync import OutboxItem, OutboxStatus
from lti_tool.services.delivery import Sender, Worker
from lti_tool.services.result_store import record_results
from lti_tool.web import session_scope, wiring
from tests.platform import CLIENT_ID, INSTRUCTOR, LEARNER, TestPlatform

from .canvas import DemoCanvas, Student, queue_grade, queue_submission, service_client


def session_token(client: FlaskClient, platform: TestPlatform, role: str) -> str:
    response = platform.launch(client, role=role)
    assert response.status_code == 303, response.get_data(as_text=True)
    return parse_qs(urlsplit(response.headers["Location"]).query)["st"][0]


@pytest.fixture
def course_id(app: Flask, client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas) -> int:
    """The launched course, with its registration's services answered by the demo Canvas."""
    session_token(client, platform, INSTRUCTOR)
    canvas.answer_for(CLIENT_ID)
    with session_scope(app) as session:
        return session.scalars(select(Course.id).where(Course.context_id == "ctx-officers")).one()


@pytest.fixture(autouse=True)
def _delivering(app: Flask) -> None:
    app.config.update(GRADE_SYNC_SEND_AFTER_RESPONSE=True, GRADE_READ_BACK=True)


def sender(app: Flask) -> Sender:
    """A sender on the real clock (the page compares its reads with the time sent)."""
    return Sender(wiring(app).sessions, service_client(app), name="test-sender")


def rows(app: Flask) -> list[OutboxItem]:
    with session_scope(app) as session:
        return list(session.scalars(select(OutboxItem).order_by(OutboxItem.id)))


def mark(app: Flask, item_id: int, status: OutboxStatus, error: str | None = None) -> None:
    with session_scope(app) as session:
        item = session.get_one(OutboxItem, item_id)
        item.status, item.last_error = status, error
        item.sent_at = utcnow() if status == OutboxStatus.SENT else None


def test_instructors_see_each_participants_state(
    app: Flask, client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas, course_id: int
) -> None:
    url = canvas.line_item_url()
    synced = canvas.tool_student(course_id, canvas.user_sub("participant1"))
    failed, waiting = (canvas.tool_student(course_id, f"sub-{n}") for n in range(2))
    synced_id = queue_grade(app, course_id, synced, 5, lineitem_url=url)
    assert sender(app).send([synced_id]) == 1
    refused = "Canvas answered 422: User not found in course or is not a student"
    mark(app, queue_grade(app, course_id, failed, 5, lineitem_url=url), "needs_attention", refused)
    queue_grade(app, course_id, waiting, 5, lineitem_url=url)
    token = session_token(client, platform, INSTRUCTOR)

    page = client.get("/sync/", query_string={"st": token}).get_data(as_text=True)

    assert page.count("<tr>") == 4
    assert "Needs attention" in page and refused in page
    assert "Pending" in page and "Synced: 5 / 10" in page
    assert page.count(">Retry<") == 1
    assert "<script>" not in page and "style=" not in page  # CSP: no inline code


def test_participants_cannot_open_the_sync_page(
    client: FlaskClient, platform: TestPlatform, course_id: int
) -> None:
    token = session_token(client, platform, LEARNER)
    assert client.get("/sync/", query_string={"st": token}).status_code == 403


def test_retry_queues_a_copy_that_the_delivery_thread_sends(
    app: Flask, client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas, course_id: int
) -> None:
    student = canvas.tool_student(course_id, canvas.user_sub("participant1"))
    item_id = queue_grade(app, course_id, student, 8, lineitem_url=canvas.line_item_url())
    mark(app, item_id, OutboxStatus.NEEDS_ATTENTION, "Canvas answered 422: course concluded")
    token = session_token(client, platform, INSTRUCTOR)
    canvas.fault("ags", latency_ms=500)

    response = client.post(f"/sync/items/{item_id}/retry", data={"st": token})
    assert rows(app)[-1].status == OutboxStatus.PENDING  # nobody waited for Canvas
    assert background_delivery(app).wait_idle()

    assert response.status_code == 303
    old, copy = rows(app)
    assert (old.status, copy.status) == (OutboxStatus.SUPERSEDED, OutboxStatus.SENT)
    assert canvas.gradebook()[student.sub]["score"] == 8
    with session_scope(app) as session:
        # besides the registration the test's setup added
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.subject_type != "registration")
        ).one()
    assert (event.action, event.detail) == (
        AuditAction.GRADES_RESENT,
        f"row {item_id} queued (retry)",
    )


def test_sync_all_resends_latest_grades_without_repeating_comments(
    app: Flask,
    client: FlaskClient,
    platform: TestPlatform,
    canvas: DemoCanvas,
    course_id: int,
    worker: Worker,
) -> None:
    url = canvas.line_item_url()
    group = [canvas.tool_student(course_id, sub) for sub in canvas.add_students(5)]
    for n, student in enumerate(group):
        queue_grade(app, course_id, student, n, lineitem_url=url, comment="Thanks.")
    worker.run(until_idle=True)
    token = session_token(client, platform, INSTRUCTOR)

    response = client.post("/sync/all", data={"st": token})
    assert background_delivery(app).wait_idle()

    assert response.status_code == 303 and "queued=5" in response.headers["Location"]
    latest = rows(app)[-5:]
    assert {i.status for i in latest} == {OutboxStatus.SENT}
    assert all("comment" not in i.payload for i in latest)
    book = canvas.gradebook()
    assert {s.sub: book[s.sub]["comments"] for s in group} == {s.sub: ["Thanks."] for s in group}
    assert canvas.count("/login/oauth2/token") == 1


def test_participants_see_whether_their_grade_reached_canvas(
    app: Flask, client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas, course_id: int
) -> None:
    token = session_token(client, platform, LEARNER)
    with session_scope(app) as session:
        sub = platform.claims("n")["sub"]
        person = session.scalars(select(Person).where(Person.sub == sub))
        me = Student(person.one().id, sub)
    other = canvas.tool_student(course_id, "someone-else")
    url = canvas.line_item_url()
    mark(app, queue_grade(app, course_id, me, 7, lineitem_url=url), OutboxStatus.SENT)
    queue_grade(app, course_id, other, 3, lineitem_url=url)
    read_back = [{"userId": sub, "resultScore": 7.0, "resultMaximum": 10.0}]
    with session_scope(app) as session:
        people = {sub: me.person_id}
        record_results(session, course_id, "prompt:1", url, read_back, utcnow(), people=people)

    body = client.get("/sync/status", headers={"Authorization": f"Bearer {token}"}).get_json()

    (item,) = body["items"]
    assert (item["subject"], item["state"], item["kinds"]) == (
        "prompt:1",
        "synced",
        {"grade": "sent"},
    )
    assert item["synced_at"]


def backdate(app: Flask, item_id: int, minutes: int) -> None:
    with session_scope(app) as session:
        item = session.get_one(OutboxItem, item_id)
        item.created_at -= timedelta(minutes=minutes)


def test_a_row_still_waiting_after_two_minutes_needs_attention_and_retry_sends_it(
    app: Flask, client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas, course_id: int
) -> None:
    student = canvas.tool_student(course_id, canvas.user_sub("participant1"))
    item_id = queue_grade(app, course_id, student, 7, lineitem_url=canvas.line_item_url())
    token = session_token(client, platform, INSTRUCTOR)
    fresh = client.get("/sync/", query_string={"st": token}).get_data(as_text=True)
    assert "Pending: 1" in fresh and ">Retry<" not in fresh
    backdate(app, item_id, 3)

    page = client.get("/sync/", query_string={"st": token}).get_data(as_text=True)

    assert "Needs attention: 1" in page and "Pending: 0" in page
    assert "Not delivered after 3 minutes." in page
    assert page.count(">Retry<") == 1
    response = client.post(f"/sync/items/{item_id}/retry", data={"st": token})
    assert response.status_code == 303 and "queued=1" in response.headers["Location"]
    assert background_delivery(app).wait_idle()
    (row,) = rows(app)
    assert (row.id, row.status) == (item_id, OutboxStatus.SENT)
    assert canvas.gradebook()[student.sub]["score"] == 7


def test_sync_all_sends_rows_still_waiting_at_once(
    app: Flask, client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas, course_id: int
) -> None:
    student = canvas.tool_student(course_id, canvas.user_sub("participant1"))
    item_id = queue_grade(app, course_id, student, 3, lineitem_url=canvas.line_item_url())
    with session_scope(app) as session:  # a backoff that would have waited an hour
        session.get_one(OutboxItem, item_id).next_attempt_at = utcnow() + timedelta(hours=1)
    token = session_token(client, platform, INSTRUCTOR)

    response = client.post("/sync/all", data={"st": token})

    assert "queued=1" in response.headers["Location"]
    assert background_delivery(app).wait_idle()
    assert [(r.id, r.status) for r in rows(app)] == [(item_id, OutboxStatus.SENT)]


def test_a_submission_without_a_grade_is_not_called_synced(
    app: Flask, client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas, course_id: int
) -> None:
    student = canvas.tool_student(course_id, canvas.user_sub("participant1"))
    item_id = queue_submission(app, course_id, student, lineitem_url=canvas.line_item_url())
    mark(app, item_id, OutboxStatus.SENT)
    token = session_token(client, platform, INSTRUCTOR)

    page = client.get("/sync/", query_string={"st": token}).get_data(as_text=True)

    table = page.split("<tbody>")[1]
    assert "Submitted, not graded yet" in table and "(in Canvas since" in table
    assert "Synced" not in table
    assert "Synced: 0" in page and "Submitted, not graded yet: 1" in page
