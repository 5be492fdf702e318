"""Unpublished stays private: a prompt an instructor just placed (Canvas creates the assignment
unpublished) is seen, read and written only by a participant Canvas launched into it, until a
real learner's launch shows the assignment is published. Student View keeps working."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.models import Prompt
from lti_tool.web import session_scope
from tests.reflections.conftest import Canvas, Person, Placed, submit, text_of


@pytest.fixture
def title(app: Flask, placed: Placed) -> str:
    with app.app_context(), session_scope(app) as session:
        return session.scalars(select(Prompt.title)).one()


def from_course_navigation(canvas: Canvas, sub: str) -> Person:
    return canvas.launch(sub, link="course-navigation")


def assert_hidden(person: Person, placed: Placed, title: str) -> None:
    assert person.get(placed.page).status_code == 404
    draft = person.post_json(f"{placed.page}/draft", {"text": "Peek.", "revision": 0})
    assert draft.status_code == 404
    assert person.post(f"{placed.page}/submit", {"text": "x", "revision": "0"}).status_code == 404
    assert person.post(f"{placed.page}/reply", {"body": "x"}).status_code == 404
    assert title not in text_of(person.get("/participant/reflections"))


def test_a_prompt_no_one_was_launched_into_is_not_found(
    canvas: Canvas, placed: Placed, title: str
) -> None:
    assert_hidden(from_course_navigation(canvas, "student-b"), placed, title)


def test_student_view_opens_the_unpublished_prompt_for_itself_only(
    canvas: Canvas, placed: Placed, title: str
) -> None:
    viewer = placed.launch(canvas, "student-view", test_user=True)
    assert viewer.landing.status_code == 200 and title in text_of(viewer.landing)
    assert submit(viewer, placed, "Trying it as a student would.").status_code == 303
    assert title in text_of(viewer.get("/participant/reflections"))
    assert_hidden(from_course_navigation(canvas, "student-b"), placed, title)


def test_a_learners_launch_shows_the_assignment_is_published(
    canvas: Canvas, placed: Placed, title: str
) -> None:
    placed.launch(canvas, "student-a")
    classmate = from_course_navigation(canvas, "student-b")
    assert classmate.get(placed.page).status_code == 200
    assert title in text_of(classmate.get("/participant/reflections"))
