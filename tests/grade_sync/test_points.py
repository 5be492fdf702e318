"""One scale: the prompt's points are its Canvas line item's `scoreMaximum`."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from demo_canvas.db import demo_session
from demo_canvas.models import Assignment
from demo_canvas.seed import SEEDED_BANK_PROMPTS
from lti_tool.db import utcnow
from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.models import Prompt, Registration
from lti_tool.services.points import LineItemPoints, follow_canvas, launch_points
from lti_tool.web import session_scope
from tests.platform import CLIENT_ID, INSTRUCTOR, TestPlatform
from tests.reflections.conftest import Canvas as Launcher
from tests.reflections.conftest import Person as Signed

from .canvas import DemoCanvas, service_client


def test_the_points_canvas_expanded_are_read_from_the_launch() -> None:
    assert launch_points({"points_possible": "20"}) == 20
    assert launch_points({"points_possible": "12.5"}) == 12.5
    for raw in ("$Canvas.assignment.pointsPossible", "", "-1", "nan", "ten"):
        assert launch_points({"points_possible": raw}) is None
    assert launch_points({}) is None


def test_the_prompt_follows_canvas_and_keeps_what_it_had() -> None:
    prompt = Prompt(
        points_possible=20.0,
        rubric=[{"key": "a", "label": "A", "points": 12}, {"key": "b", "label": "B", "points": 8}],
    )
    now = utcnow()

    change = follow_canvas(prompt, 10.0, now)

    assert change is not None and (change.before, change.after) == (20.0, 10.0)
    assert prompt.points_possible == 10.0
    assert [c["points"] for c in prompt.rubric] == [6.0, 4.0]
    assert (prompt.points_followed_from, prompt.points_followed_at) == (20.0, now)
    assert follow_canvas(prompt, 10.0, now) is None  # they agree: nothing to say
    assert follow_canvas(prompt, None, now) is None


def test_new_points_are_put_to_the_line_item_and_read_back(app: Flask, canvas: DemoCanvas) -> None:
    _, registration_id = canvas.register()
    with session_scope(app) as session:
        credentials = Credentials.of(session.get_one(Registration, registration_id))

    held = LineItemPoints(service_client(app)).put(credentials, canvas.line_item_url(), 20.0)

    assert held == 20.0
    assert week_one_points(canvas) == 20.0


def instructor_on_week_one(
    client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas, **custom: str
) -> tuple[Signed, int]:
    """The instructor opening the Officers week-1 assignment from Canvas; (them, prompt id)."""
    teacher = Launcher(client, platform).launch(
        "teacher-1",
        role=INSTRUCTOR,
        link="week-1",
        custom={**dict(SEEDED_BANK_PROMPTS["OFFICERS"][1]), **custom},
        lineitem=canvas.line_item_url(),
    )
    with session_scope(canvas.tool) as session:
        return teacher, session.scalars(select(Prompt.id)).one()


def test_an_edit_of_the_points_is_put_to_the_canvas_assignment(
    app: Flask, client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas
) -> None:
    teacher, prompt_id = instructor_on_week_one(client, platform, canvas)
    canvas.answer_for(CLIENT_ID)
    with session_scope(app) as session:
        prompt = session.get_one(Prompt, prompt_id)
        form = {
            "title": prompt.title,
            "body": prompt.body,
            "guidance": prompt.guidance,
            "word_target": str(prompt.word_target or ""),
            "word_limit": str(prompt.word_limit or ""),
            "grading_type": "points",
            "points": "15",
        }

    answer = teacher.post(f"/instructor/prompts/{prompt_id}/edit", form)

    assert answer.status_code == 303 and "notice=points-canvas" in answer.headers["Location"]
    assert week_one_points(canvas) == 15
    with session_scope(app) as session:
        assert session.get_one(Prompt, prompt_id).points_possible == 15
    canvas.fault("ags", errors=3, status=503)
    refused = teacher.post(f"/instructor/prompts/{prompt_id}/edit", {**form, "points": "30"})
    assert "notice=points-refused" in refused.headers["Location"]
    with session_scope(app) as session:  # Canvas did not take 30: the tool keeps Canvas's 15
        assert session.get_one(Prompt, prompt_id).points_possible == 15


def test_points_changed_in_canvas_are_followed_and_announced(
    app: Flask, client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas
) -> None:
    _, prompt_id = instructor_on_week_one(client, platform, canvas)

    teacher, _ = instructor_on_week_one(client, platform, canvas, points_possible="20")

    page = teacher.get(f"/instructor/prompts/{prompt_id}").get_data(as_text=True)
    assert "The Canvas assignment is worth 20 points (changed in Canvas; the tool had 10)" in page
    with session_scope(app) as session:
        assert session.get_one(Prompt, prompt_id).points_possible == 20


def week_one_points(canvas: DemoCanvas) -> float | None:
    with demo_session(canvas.app) as session:
        return session.scalars(
            select(Assignment.points_possible)
            .where(Assignment.name == "Week 1 reflection")
            .order_by(Assignment.id)
        ).first()
