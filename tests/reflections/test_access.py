"""The authorization matrix: participant A vs B, instructor of course X vs Y, participants on
instructor routes, and forged or expired session tokens. Every forbidden cell answers 403 or
404 (401 when the token itself is bad) and shows nothing of the protected reflection."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool.models import Reflection
from lti_tool.web import session_scope
from tests.reflections.conftest import Canvas, Person, Placed, submit, text_of

SECRET_TEXT = "Confidential: my sergeant told me to target the market stalls."
AUTHOR = "Amara Okafor"


@pytest.fixture
def world(canvas: Canvas, placed: Placed, app: Flask) -> dict[str, Any]:
    author = placed.launch(canvas, "student-a", name=AUTHOR)
    submit(author, placed, SECRET_TEXT)
    teacher_x = canvas.instructor(link="nav")
    with app.app_context(), session_scope(app) as session:
        reflection_id = session.scalars(select(Reflection.id)).one()
    teacher_x.post(
        f"/instructor/reflections/{reflection_id}",
        {"version": "1", "feedback": "Private feedback for Amara."},
    )
    return {
        "author": author,
        "peer": placed.launch(canvas, "student-b", name="Ben Carter"),
        "teacher_y": canvas.instructor("teacher-y", link="nav", context="ctx-leaders"),
        "student_y": canvas.launch("student-y", context="ctx-leaders"),
        "reflection": reflection_id,
        "prompt": placed.prompt_id,
    }


def _instructor_routes(world: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    rid, pid = world["reflection"], world["prompt"]
    return [
        ("GET", f"/instructor/reflections/{rid}", {}),
        ("POST", f"/instructor/reflections/{rid}", {"version": "1", "feedback": "x"}),
        ("POST", f"/instructor/reflections/{rid}", {"points": "1"}),
        ("GET", f"/instructor/prompts/{pid}", {}),
        ("GET", f"/instructor/prompts/{pid}/edit", {}),
        ("POST", f"/instructor/prompts/{pid}/edit", {"title": "Hijacked", "body": "x"}),
        ("POST", f"/instructor/prompts/{pid}/release", {}),
        ("GET", "/instructor/", {"review": str(rid)}),
    ]


COURSE_PAGES = [
    ("GET", "/instructor/matrix", {}),
    ("GET", "/instructor/comment-bank", {}),
    ("POST", "/instructor/comment-bank", {"body": "Kept"}),
]
"""Instructor pages of the launch's own course, with no record id in the path."""


def _participant_routes(world: dict[str, Any]) -> list[tuple[str, str, dict[str, str]]]:
    pid = world["prompt"]
    return [
        ("GET", f"/participant/prompts/{pid}", {}),
        ("POST", f"/participant/prompts/{pid}/submit", {"text": "x", "revision": "0"}),
        ("POST", f"/participant/prompts/{pid}/reply", {"body": "x"}),
        ("GET", "/participant/", {"review": str(world["reflection"])}),
    ]


def _call(person: Person, method: str, path: str, data: dict[str, str]) -> Any:
    if method == "GET":
        return person.get(path, **data)
    return person.post(path, data)


def _leaks_nothing(response: Any) -> None:
    body = text_of(response)
    assert SECRET_TEXT not in body and AUTHOR not in body and "Private feedback" not in body
    assert "Traceback" not in body


def test_participants_cannot_use_instructor_routes(world: dict[str, Any]) -> None:
    for person in (world["author"], world["peer"], world["student_y"]):
        for method, path, data in _instructor_routes(world):
            response = _call(person, method, path, data)
            assert response.status_code == 403, (method, path)
            _leaks_nothing(response)


def test_instructor_of_another_course_sees_nothing(world: dict[str, Any]) -> None:
    for method, path, data in _instructor_routes(world):
        response = _call(world["teacher_y"], method, path, data)
        assert response.status_code == 404, (method, path)
        _leaks_nothing(response)
    for method, path, data in _participant_routes(world):
        response = _call(world["teacher_y"], method, path, data)
        assert response.status_code == 403, (method, path)
        _leaks_nothing(response)


def test_participant_of_another_course_sees_nothing(world: dict[str, Any]) -> None:
    for method, path, data in _participant_routes(world):
        response = _call(world["student_y"], method, path, data)
        assert response.status_code == 404, (method, path)
        _leaks_nothing(response)


def test_peer_sees_only_their_own_work(world: dict[str, Any], app: Flask) -> None:
    peer, pid = world["peer"], world["prompt"]
    own_page = peer.get(f"/participant/prompts/{pid}")
    assert own_page.status_code == 200
    _leaks_nothing(own_page)
    for path in ("/participant/feedback", "/participant/reflections"):
        _leaks_nothing(peer.get(path))
    review = peer.get("/participant/", review=str(world["reflection"]))
    assert review.status_code == 404
    _leaks_nothing(review)
    with app.app_context(), session_scope(app) as session:
        texts = session.scalars(select(Reflection.draft_text)).all()
    assert texts.count(SECRET_TEXT) == 1


def test_author_and_own_instructor_do_see_it(world: dict[str, Any], canvas: Canvas) -> None:
    assert SECRET_TEXT in text_of(world["author"].get(f"/participant/prompts/{world['prompt']}"))
    teacher = canvas.instructor(link="nav")
    assert SECRET_TEXT in text_of(teacher.get(f"/instructor/reflections/{world['reflection']}"))


def test_bad_tokens(world: dict[str, Any], app: Flask, client: FlaskClient) -> None:
    payload = jwt.decode(world["author"].token, options={"verify_signature": False})
    forged = jwt.encode({**payload, "role": "instructor"}, "guess" * 8, algorithm="HS256")
    promoted = jwt.encode(
        {**payload, "role": "instructor"}, app.config["SECRET_KEY"], algorithm="HS256"
    )
    expired = jwt.encode(
        {**payload, "exp": int(time.time()) - 5}, app.config["SECRET_KEY"], algorithm="HS256"
    )
    routes = _instructor_routes(world) + _participant_routes(world)
    for token, status in ((forged, 401), (expired, 401), ("", 401), (promoted, 401)):
        person = Person(client, token, "x", world["author"].landing)
        for method, path, data in routes:
            response = _call(person, method, path, data)
            assert response.status_code == status, (token[:10], method, path)
            _leaks_nothing(response)
    autosave = client.post(
        f"/participant/prompts/{world['prompt']}/draft",
        json={"text": "x", "revision": 1},
        headers={"Authorization": f"Bearer {expired}"},
    )
    assert autosave.status_code == 401 and autosave.get_json()["status"] == 401
