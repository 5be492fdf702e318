"""A walk-through and a real Canvas course side by side: neither reaches the other's records,
whichever ids are tried."""

from __future__ import annotations

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool.db import utcnow
from lti_tool.models import Course, Prompt, Reflection, Walkthrough
from lti_tool.services.walkthroughs import WalkthroughService
from lti_tool.tour.session import issue
from lti_tool.web import session_scope
from tests.reflections.conftest import Canvas, Placed, submit, text_of


def _ids(app: Flask, *, sample: bool) -> tuple[int, int]:
    """A prompt id and a reflection id of the sample course, or of the real one."""
    with session_scope(app) as session:
        course = session.scalars(
            select(Course).where(
                Course.sample_program.is_not(None) if sample else Course.sample_program.is_(None)
            )
        ).first()
        assert course is not None
        prompt = session.scalars(select(Prompt).where(Prompt.course_id == course.id)).first()
        reflection = session.scalars(
            select(Reflection).where(Reflection.course_id == course.id)
        ).first()
        assert prompt is not None and reflection is not None
        return prompt.id, reflection.id


def test_neither_a_tour_nor_a_launch_reaches_the_other_side(
    app: Flask, client: FlaskClient, canvas: Canvas, placed: Placed
) -> None:
    real_participant = placed.launch(canvas, "real-participant")
    submit(real_participant, placed, "A real participant's own words.")
    teacher = canvas.instructor(link="nav")
    with session_scope(app) as session:
        WalkthroughService(session).create("officers", "Visitor", 3, utcnow())
        link = session.scalars(select(Walkthrough)).one()
        as_participant = issue(link, "participant", 1, app.config["SECRET_KEY"])
        as_instructor = issue(link, "instructor", 5, app.config["SECRET_KEY"])
    real_prompt, real_reflection = _ids(app, sample=False)
    sample_prompt, sample_reflection = _ids(app, sample=True)

    def tour(token: str, path: str, **query: str) -> int:
        return client.get(path, query_string={**query, "st": token}).status_code

    assert tour(as_participant, f"/participant/prompts/{real_prompt}") == 404
    assert tour(as_instructor, f"/instructor/prompts/{real_prompt}") == 404
    assert tour(as_instructor, f"/instructor/reflections/{real_reflection}") == 404
    assert tour(as_instructor, "/instructor/", review=str(real_reflection)) == 404
    workspace = client.get("/instructor/workspace", query_string={"st": as_instructor})
    assert "real-participant" not in text_of(workspace)

    assert teacher.get(f"/instructor/prompts/{sample_prompt}").status_code == 404
    assert teacher.get(f"/instructor/reflections/{sample_reflection}").status_code == 404
    assert real_participant.get(f"/participant/prompts/{sample_prompt}").status_code == 404
    assert "sample" not in text_of(teacher.get("/instructor/workspace")).lower()
