"""A launch decides everything once, in the launch request (membership, program, prompt,
reflection, due date); the landing page it redirects to, and every reload of it, only reads."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import Flask, request, request_started
from sqlalchemy import event, select

from lti_tool.models import Course, Prompt, Reflection
from lti_tool.web import session_scope, wiring
from tests.reflections.conftest import Canvas, text_of

LINK = {
    "link": "rl-week1",
    "custom": {
        "program": "officers",
        "prompt_bank": "officers-rights-prevention",
        "due_at": "2026-12-04T23:59:00Z",
    },
}
DUE = datetime(2026, 12, 4, 23, 59, tzinfo=UTC)


@contextmanager
def writes_by_request(app: Flask) -> Iterator[list[tuple[str, str]]]:
    """Every INSERT, UPDATE and DELETE the tool sends, with the request that sent it."""
    writes: list[tuple[str, str]] = []
    current = [""]

    def started(_sender: Any, **_extra: Any) -> None:
        current[0] = f"{request.method} {request.path}"

    def statement(_conn: Any, _cursor: Any, sql: str, *_args: Any) -> None:
        verb = sql.lstrip().split(None, 1)[0].upper()
        if verb in ("INSERT", "UPDATE", "DELETE"):
            writes.append((current[0], verb))

    engine = wiring(app).engine
    request_started.connect(started, app)
    event.listen(engine, "before_cursor_execute", statement)
    try:
        yield writes
    finally:
        event.remove(engine, "before_cursor_execute", statement)
        request_started.disconnect(started, app)


def _on_gets(writes: list[tuple[str, str]]) -> list[tuple[str, str]]:
    return [write for write in writes if write[0].startswith("GET ")]


def test_a_participant_launch_decides_everything_and_its_landing_only_reads(
    app: Flask, canvas: Canvas
) -> None:
    with writes_by_request(app) as writes:
        participant = canvas.launch("student-1", **LINK)
        reloaded = participant.get("/participant/")
    assert _on_gets(writes) == []
    assert {request for request, _ in writes} == {"POST /lti/login", "POST /lti/launch"}
    with app.app_context(), session_scope(app) as session:
        course = session.scalars(select(Course)).one()
        prompt = session.scalars(select(Prompt)).one()
        reflection = session.scalars(select(Reflection)).one()
        assert course.program_key == "officers"
        assert prompt.resource_link_id == "rl-week1" and prompt.due_at is None
        assert reflection.prompt_id == prompt.id and reflection.due_at == DUE
        title = prompt.title
    for page in (participant.landing, reloaded):
        assert page.status_code == 200 and title in text_of(page)


def test_an_instructor_launch_decides_everything_and_its_landing_only_reads(
    app: Flask, canvas: Canvas
) -> None:
    with writes_by_request(app) as writes:
        teacher = canvas.instructor(**LINK)
        reloaded = teacher.get("/instructor/")
    assert _on_gets(writes) == []
    with app.app_context(), session_scope(app) as session:
        prompt = session.scalars(select(Prompt)).one()
        assert prompt.resource_link_id == "rl-week1" and prompt.due_at == DUE
        assert session.scalars(select(Reflection)).all() == []
        title = prompt.title
    for page in (teacher.landing, reloaded):
        assert page.status_code == 200 and title in text_of(page)
