"""A course with records to keep, export and delete: two participants of the Officers course
(one submitted twice, got feedback, replied and was graded; one only has a draft), and one of
them also enrolled in a second course."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.models import Course, Reflection
from lti_tool.web import session_scope
from tests.reflections import conftest as reflections
from tests.reflections.conftest import Canvas, Person, Placed, submit, write

# The reflection tests' fixtures: launches, a placed prompt, scores kept in the outbox.
canvas = reflections.canvas
placed = reflections.placed
_no_delivery = reflections._no_delivery

AUTHOR = "Amara Okafor"
AUTHOR_EMAIL = "amara@example.org"
PEER = "Ben Carter"
FIRST = "I explained the reason for the stop first. The driver calmed down."
SECOND = "I explained the reason for the stop first, <b>calmly</b>. The driver & I talked."
FEEDBACK = "What did you say to the driver, exactly?"
REPLY = "I said why I stopped them and what happens next."
DRAFT = "Half a thought about the checkpoint."
GRADE_COMMENT = "Clear and honest account."


@dataclass(frozen=True)
class World:
    author: Person
    peer: Person
    teacher: Person
    course_id: int
    reflection_id: int
    placed: Placed


@pytest.fixture
def world(canvas: Canvas, placed: Placed, app: Flask) -> World:
    author = placed.launch(canvas, "student-a", name=AUTHOR, email=AUTHOR_EMAIL)
    submit(author, placed, FIRST)
    submit(author, placed, SECOND)
    teacher = canvas.instructor(link="nav")
    with app.app_context(), session_scope(app) as session:
        reflection_id = session.scalars(select(Reflection.id)).one()
        course_id = session.scalars(select(Course.id)).one()
    rid = reflection_id
    teacher.post(
        f"/instructor/reflections/{rid}",
        {
            "version": "2",
            "quote": "The driver & I talked.",
            "feedback": FEEDBACK,
            "asks_reply": "1",
        },
    )
    author.post(f"{placed.page}/reply", {"body": REPLY})
    teacher.get(f"/instructor/reflections/{rid}")
    teacher.post(
        f"/instructor/reflections/{rid}",
        {"points": "8", "comment": GRADE_COMMENT, "send_comment": "1"},
    )
    peer = placed.launch(canvas, "student-b", name=PEER)
    write(peer, placed, DRAFT)
    return World(author, peer, teacher, course_id, reflection_id, placed)
