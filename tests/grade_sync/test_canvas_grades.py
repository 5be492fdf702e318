"""Canvas's grade read back: "Synced" only when Canvas holds what the tool sent.

The bug report: an instructor graded 7 in SpeedGrader, then 6 in the tool without "Replace a
grade typed in SpeedGrader"; the tool said "Synced" and told the participant 6 while Canvas kept
7. Driven through the pages, against the demo Canvas, with the delivery thread of the app.
"""

from __future__ import annotations

import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from demo_canvas.seed import SEEDED_BANK_PROMPTS
from lti_tool.background import background_delivery
from lti_tool.models import AuditAction, AuditEvent, Grade, Reflection
from lti_tool.web import session_scope
from tests.platform import CLIENT_ID, INSTRUCTOR, TestPlatform
from tests.reflections.conftest import Canvas as Launcher

from .canvas import DemoCanvas

TEXT = "At a routine stop I judged the driver by his car before he said a word."


class Course:
    """A participant who submitted week 1 (delivered), and an instructor, both signed in."""

    def __init__(self, app: Flask, client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas):
        app.config.update(
            GRADE_SYNC_SEND_AFTER_RESPONSE=True, GRADE_READ_BACK=True, GRADE_READ_INTERVAL_SECONDS=0
        )
        self.app, self.canvas = app, canvas
        self.sub = canvas.user_sub("participant1")
        launcher = Launcher(client, platform)
        link = {
            "link": "week-1",
            "custom": dict(SEEDED_BANK_PROMPTS["OFFICERS"][1]),
            "lineitem": canvas.line_item_url(),
        }
        self.participant = launcher.launch(self.sub, **link)
        canvas.answer_for(CLIENT_ID)
        self.prompt_path = re.findall(r'data-autosave-url="([^"]+)/draft"', self.text(None))[0]
        submitted = self.participant.post(
            self.prompt_path + "/submit", {"text": TEXT, "revision": "0", "action": "submit"}
        )
        assert submitted.status_code == 303
        self.settle()
        self.instructor = launcher.launch("teacher-1", role=INSTRUCTOR, **link)
        with session_scope(app) as session:
            self.reflection_id = session.scalars(select(Reflection.id)).one()

    def text(self, page: str | None) -> str:
        if page is None:
            return self.participant.landing.get_data(as_text=True)
        return self.participant.get(page).get_data(as_text=True)

    def settle(self) -> None:
        assert background_delivery(self.app).wait_idle()

    def review(self) -> str:
        page = self.instructor.get(f"/instructor/reflections/{self.reflection_id}")
        assert page.status_code == 200
        return page.get_data(as_text=True)

    def grade(self, points: str) -> None:
        answer = self.instructor.post(
            f"/instructor/reflections/{self.reflection_id}",
            {"points": points, "version": "1", "then": "stay"},
        )
        assert answer.status_code == 303
        self.settle()

    def choose(self, winner: str) -> None:
        answer = self.instructor.post(
            "/sync/winner",
            {"person": str(self.person_id), "subject": self.subject, "winner": winner},
        )
        assert answer.status_code == 303
        self.settle()

    @property
    def subject(self) -> str:
        return "prompt:" + self.prompt_path.rsplit("/", 1)[1]

    @property
    def person_id(self) -> int:
        with session_scope(self.app) as session:
            reflection = session.get_one(Reflection, self.reflection_id)
            return reflection.person_id


@pytest.fixture
def course(app: Flask, client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas) -> Course:
    return Course(app, client, platform, canvas)


def participant_grade_line(course: Course) -> str:
    page = course.text(course.prompt_path)
    return re.sub(r"\s+", " ", page.split('id="canvas-grade-status">')[1].split("</p>")[0])


def test_a_speedgrader_grade_kept_over_the_tools_is_shown_not_called_synced(
    course: Course, canvas: DemoCanvas
) -> None:
    queue = course.instructor.get("/instructor/queue").get_data(as_text=True)
    assert f"/instructor/reflections/{course.reflection_id}" in queue
    canvas.grade_by_hand(course.sub, 7)
    queue = course.instructor.get("/instructor/queue").get_data(as_text=True)
    assert f"/instructor/reflections/{course.reflection_id}" not in queue  # answered in Canvas
    review = course.review()
    assert "Graded in Canvas:</strong> 7 / 10" in review and ">Graded in Canvas<" in review

    course.grade("6")

    assert canvas.gradebook()[course.sub]["score"] == 7  # Canvas kept the hand-typed grade
    review = course.review()
    assert "In Canvas: Canvas has another grade." in review
    assert "The tool's grade: 6 / 10. Canvas holds: 7 / 10." in review
    assert "Synced" not in review
    line = participant_grade_line(course)
    assert "The Canvas gradebook shows 7 / 10</strong>: that is the grade that counts." in line
    assert "In the Canvas gradebook since" not in line
    sync_page = course.instructor.get("/sync/").get_data(as_text=True)
    assert "Canvas has another grade: 1" in sync_page and "Synced: 0" in sync_page


def test_the_instructor_sends_the_tools_grade_over_canvass(
    course: Course, canvas: DemoCanvas
) -> None:
    canvas.grade_by_hand(course.sub, 7)
    course.grade("6")

    course.choose("tool")

    assert canvas.gradebook()[course.sub]["score"] == 6
    assert "In Canvas: Synced (6 / 10)." in course.review()
    assert "In the Canvas gradebook since" in participant_grade_line(course)


def test_the_instructor_keeps_canvass_grade_and_the_tool_takes_it(
    course: Course, canvas: DemoCanvas
) -> None:
    canvas.grade_by_hand(course.sub, 7)
    course.grade("6")
    posted = canvas.count("/scores")

    course.choose("canvas")

    assert canvas.count("/scores") == posted  # nothing sent: Canvas holds it
    with session_scope(course.app) as session:
        assert session.scalars(select(Grade.score_given)).one() == 7
        kept = session.scalars(
            select(AuditEvent.detail).where(AuditEvent.action == AuditAction.GRADE_SAVED)
        ).all()
    assert kept[-1] == "kept Canvas's grade 7 / 10"
    assert "In Canvas: Synced (7 / 10)." in course.review()


def test_a_grade_deleted_in_canvas_is_not_synced(course: Course, canvas: DemoCanvas) -> None:
    course.grade("8")
    assert "In Canvas: Synced (8 / 10)." in course.review()

    canvas.clear_result(course.sub)

    review = course.review()
    assert "Canvas holds: no grade." in review
    assert "Keep Canvas's grade" not in review and "Send the tool's grade (8 / 10)" in review
