"""Input no form would send: JSON nested past the recursion limit, NUL characters, rubric and
word numbers past what Python parses. Each gets a clear 4xx answer (or, for NUL, is dropped
alike on SQLite and PostgreSQL), never a 500. Numbers in ids: test_bad_numbers."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.models import FeedbackMessage, Prompt, Reflection
from lti_tool.web import session_scope
from tests.reflections.conftest import Canvas, Placed, submit, text_of, write
from tests.reflections.test_bad_numbers import TOO_LONG_TO_PARSE


def _reflection_id(canvas: Canvas) -> int:
    app = canvas.client.application
    with app.app_context(), session_scope(app) as session:
        return session.scalars(select(Reflection.id)).one()


def test_deeply_nested_autosave_is_a_400(canvas: Canvas, placed: Placed) -> None:
    author = placed.launch(canvas, "student-a")
    depth = 100_000
    body = '{"text": "A draft.", "revision": 0, "x": ' + "[" * depth + "]" * depth + "}"
    answer = author.post_raw_json(f"{placed.page}/draft", body)
    assert answer.status_code == 400 and answer.json is not None
    assert write(author, placed, "Still saves.").status_code == 200


def test_nul_characters_are_dropped_on_every_backend(
    app: Flask, canvas: Canvas, placed: Placed
) -> None:
    author = placed.launch(canvas, "student-a", name="Jo\x00rdan")
    assert write(author, placed, "Half\x00 a draft.").status_code == 200
    assert submit(author, placed, "My\x00 reflection.").status_code == 303
    teacher = canvas.instructor()
    reflection = f"/instructor/reflections/{_reflection_id(canvas)}"
    commented = teacher.post(reflection, {"feedback": "Good\x00 start.", "version": "1"})
    assert commented.status_code == 303
    with app.app_context(), session_scope(app) as session:
        stored = session.scalars(select(Reflection)).one()
        assert stored.draft_text == "My reflection." and stored.person.name == "Jordan"
        assert session.scalars(select(FeedbackMessage.body)).one() == "Good start."


@pytest.mark.parametrize(
    ("rubric", "message"),
    [
        (f"Evidence | {'9' * 400}", "at most 1000"),
        ("Evidence | 600\nReasoning | 600", "add up to more than 1000"),
    ],
)
def test_rubric_points_are_finite_and_capped(
    app: Flask, canvas: Canvas, rubric: str, message: str
) -> None:
    teacher = canvas.deep_link(custom={"program": "officers"})
    answer = teacher.post(
        "/instructor/deep-link",
        {
            "source": "own",
            "title": "Stop records",
            "body": "Look at last month's stop records.",
            "grading_type": "rubric",
            "rubric": rubric,
        },
    )
    assert answer.status_code == 422 and message in text_of(answer)
    with app.app_context(), session_scope(app) as session:
        assert session.scalars(select(Prompt)).all() == []


@pytest.mark.parametrize("words", [TOO_LONG_TO_PARSE, "٣" * 5000])
def test_word_limits_past_the_parsing_limit(canvas: Canvas, words: str) -> None:
    teacher = canvas.deep_link(custom={"program": "officers"})
    answer = teacher.post(
        "/instructor/deep-link",
        {"source": "own", "title": "T", "body": "B", "points": "10", "word_target": words},
    )
    assert answer.status_code == 422 and "whole number of words" in text_of(answer)
