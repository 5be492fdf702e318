"""Deleting a participant's data on request: everything of theirs in the course goes, nothing
of anyone else's, the person row only when no other course enrolls them, and the audit log
keeps counts without personal data."""

from __future__ import annotations

import json
from typing import Any

from flask import Flask
from sqlalchemy import func, select

from lti_tool.models import (
    AuditAction,
    AuditEvent,
    Enrollment,
    FeedbackMessage,
    Grade,
    LtiStorageEntry,
    OutboxItem,
    Person,
    ReadMarker,
    Reflection,
    ReflectionVersion,
)
from lti_tool.web import session_scope
from tests.reflections.conftest import Canvas, text_of

from .conftest import AUTHOR, PEER, World

COUNTED = (Reflection, ReflectionVersion, FeedbackMessage, Grade, ReadMarker, OutboxItem)


def _counts(app: Flask) -> dict[str, int]:
    with app.app_context(), session_scope(app) as session:
        return {
            model.__name__: int(session.scalar(select(func.count()).select_from(model)) or 0)
            for model in (*COUNTED, Person, Enrollment)
        }


def _delete(app: Flask, world: World, sub: str, *extra: str, **kwargs: Any) -> Any:
    args = ["participant", "delete", "--course-id", str(world.course_id), "--sub", sub, *extra]
    return app.test_cli_runner().invoke(args=args, **kwargs)


def test_deletes_the_participants_records_only(world: World, app: Flask) -> None:
    before = _counts(app)
    result = _delete(app, world, "student-a", "--yes")
    assert result.exit_code == 0, result.output
    assert result.output == (
        "Deleted 1 reflections, 2 versions, 2 messages, 1 grades, 2 read markers, "
        "3 outbox items; the person record is removed too.\n"
    )
    after = _counts(app)
    assert after["Reflection"] == before["Reflection"] - 1 == 1
    assert after["ReflectionVersion"] == after["FeedbackMessage"] == after["Grade"] == 0
    assert after["OutboxItem"] == 0 and after["Person"] == before["Person"] - 1
    assert text_of(world.peer.get(world.placed.page)).count("Half a thought") == 1
    page = text_of(world.teacher.get("/instructor/activity"))
    assert "Deleted a participant&#39;s data on request" in page and AUTHOR not in page


def test_their_stored_launches_go_and_their_sessions_end(world: World, app: Flask) -> None:
    assert AUTHOR in _stored_launch_claims(app)
    assert world.author.get(world.placed.page).status_code == 200
    assert _delete(app, world, "student-a", "--yes").exit_code == 0
    assert AUTHOR not in _stored_launch_claims(app)
    assert world.author.get(world.placed.page).status_code == 401
    assert world.peer.get(world.placed.page).status_code == 200


def _stored_launch_claims(app: Flask) -> str:
    with app.app_context(), session_scope(app) as session:
        return json.dumps(list(session.scalars(select(LtiStorageEntry.value))))


def test_event_keeps_counts_not_people(world: World, app: Flask) -> None:
    _delete(app, world, "student-a", "--yes")
    with app.app_context(), session_scope(app) as session:
        events = list(session.scalars(select(AuditEvent)))
    deletion = next(e for e in events if e.action == AuditAction.PARTICIPANT_DELETED)
    assert deletion.actor_role == "admin" and deletion.subject_type == "person"
    assert deletion.detail.startswith("1 reflections, 2 versions")
    assert "student-a" not in deletion.detail
    assert {e.actor_id for e in events if e.actor_role == "participant"} == {None}


def test_person_kept_while_another_course_enrolls_them(
    world: World, app: Flask, canvas: Canvas
) -> None:
    other = canvas.launch("student-a", name=AUTHOR, context="ctx-leaders", link="nav")
    result = _delete(app, world, "student-a", "--yes")
    assert result.exit_code == 0 and "person record" not in result.output
    assert other.get("/participant/reflections").status_code == 200
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(Person.name).where(Person.sub == "student-a")) == AUTHOR
        assert session.scalar(select(func.count()).select_from(Enrollment)) == 3


def test_asks_before_deleting(world: World, app: Flask) -> None:
    before = _counts(app)
    declined = _delete(app, world, "student-a", input="n\n")
    assert declined.exit_code == 1 and "Delete 1 reflections, 2 versions" in declined.output
    assert _counts(app) == before
    accepted = _delete(app, world, "student-b", input="y\n")
    assert accepted.exit_code == 0 and "Deleted 1 reflections, 0 versions" in accepted.output
    assert PEER not in text_of(world.teacher.get(f"/instructor/prompts/{world.placed.prompt_id}"))


def test_refuses_unknown_people_and_instructors(world: World, app: Flask) -> None:
    before = _counts(app)
    unknown = _delete(app, world, "nobody", "--yes")
    assert unknown.exit_code != 0 and "no participant with that user id" in unknown.output
    teacher = _delete(app, world, "teacher-1", "--yes")
    assert teacher.exit_code != 0 and "not a participant" in teacher.output
    assert _counts(app) == before
