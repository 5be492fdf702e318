"""Each service records its own audit event, given the actor: any caller (a view, a command, a
worker) gets the record, and the caller only says who is acting. Driven through the services
themselves, with no view in between."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.db import utcnow
from lti_tool.models import (
    AuditAction,
    AuditEvent,
    Course,
    CourseRole,
    Enrollment,
    Person,
    Prompt,
    Reflection,
)
from lti_tool.services.audit import ADMIN, PLATFORM, Actor
from lti_tool.services.grading import GradeInput
from lti_tool.services.prompts import PromptInput
from lti_tool.web import wiring
from lti_tool.wiring import Services

ISSUER = "https://canvas.audit.test"
TEACHER = Actor("instructor", None)


@dataclass(frozen=True)
class Ids:
    course: int
    teacher: int
    participant: int
    prompt: int
    reflection: int


@pytest.fixture
def ids(app: Flask) -> Ids:
    """A course with a prompt and a participant's submitted reflection, and no audit events."""
    with wiring(app).unit_of_work() as services:
        registration = services.registrations.add(
            actor=ADMIN,
            issuer=ISSUER,
            client_id="1",
            auth_login_url=ISSUER + "/login",
            auth_token_url=ISSUER + "/token",
            key_set_url=ISSUER + "/jwks",
        )
        course = Course(registration_id=registration.id, context_id="ctx", title="Officers")
        teacher = Person(registration_id=registration.id, sub="t")
        participant = Person(registration_id=registration.id, sub="p")
        services.session.add_all([course, teacher, participant])
        services.session.flush()
        services.session.add_all(
            [
                Enrollment(course_id=course.id, person_id=teacher.id, role=CourseRole.INSTRUCTOR),
                Enrollment(
                    course_id=course.id, person_id=participant.id, role=CourseRole.PARTICIPANT
                ),
            ]
        )
        prompt = services.prompts.create(
            course, PromptInput(title="Rights", body="What happened?", points="10")
        )
        reflection = services.reflections.open(prompt, participant)
        services.reflections.submit(
            course=course,
            prompt=prompt,
            person=participant,
            reflection=reflection,
            text="I explained the stop.",
            revision=0,
            actor=Actor("participant", participant.id),
            now=utcnow(),
        )
        services.session.execute(AuditEvent.__table__.delete())
        return Ids(course.id, teacher.id, participant.id, prompt.id, reflection.id)


@pytest.fixture
def services(app: Flask) -> Iterator[Services]:
    with wiring(app).unit_of_work() as services:
        yield services


def _events(services: Services) -> list[tuple[str, str, int | None, str, int | None, str]]:
    services.session.flush()
    return [
        (e.action, e.actor_role, e.course_id, e.subject_type, e.subject_id, e.detail)
        for e in services.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
    ]


def _on_reflection(
    action: AuditAction, role: str, ids: Ids, detail: str
) -> tuple[str, str, int | None, str, int | None, str]:
    return (action, role, ids.course, "reflection", ids.reflection, detail)


def _get(services: Services, ids: Ids) -> tuple[Course, Prompt, Reflection, Person, Person]:
    session = services.session
    return (
        session.get_one(Course, ids.course),
        session.get_one(Prompt, ids.prompt),
        session.get_one(Reflection, ids.reflection),
        session.get_one(Person, ids.teacher),
        session.get_one(Person, ids.participant),
    )


def test_submitting_records_the_new_version(services: Services, ids: Ids) -> None:
    course, prompt, reflection, _, participant = _get(services, ids)
    author = Actor("participant", participant.id)
    submit = dict(course=course, prompt=prompt, person=participant, reflection=reflection)
    services.reflections.submit(
        **submit, text="Second thoughts.", revision=reflection.revision, actor=author, now=utcnow()
    )
    services.reflections.submit(  # the same text again: no new version, no event
        **submit, text="Second thoughts.", revision=reflection.revision, actor=author, now=utcnow()
    )
    assert _events(services) == [
        _on_reflection(AuditAction.REFLECTION_SUBMITTED, "participant", ids, "version 2")
    ]


def test_grading_records_the_graded_version(services: Services, ids: Ids) -> None:
    course, prompt, reflection, teacher, _ = _get(services, ids)
    services.grading.grade(
        course=course,
        prompt=prompt,
        reflection=reflection,
        grader=teacher,
        actor=Actor("instructor", teacher.id),
        data=GradeInput(points="8"),
        now=utcnow(),
    )
    assert _events(services) == [
        _on_reflection(AuditAction.GRADE_SAVED, "instructor", ids, "version 1")
    ]


def test_feedback_and_replies_are_recorded(services: Services, ids: Ids) -> None:
    _, _, reflection, teacher, participant = _get(services, ids)
    comment = services.feedback.comment(
        reflection,
        teacher,
        body="Why then?",
        version_number=1,
        actor=Actor("instructor", teacher.id),
        now=utcnow(),
    )
    reply = services.feedback.reply(
        reflection,
        participant,
        body="Because.",
        actor=Actor("participant", participant.id),
        now=utcnow(),
    )
    assert _events(services) == [
        _on_reflection(
            AuditAction.FEEDBACK_POSTED, "instructor", ids, f"message {comment.id} on version 1"
        ),
        _on_reflection(AuditAction.FEEDBACK_REPLIED, "participant", ids, f"message {reply.id}"),
    ]


def test_reading_a_reflection_is_recorded(services: Services, ids: Ids) -> None:
    _, _, reflection, teacher, _ = _get(services, ids)
    services.reflections.note_viewed(reflection, Actor("instructor", teacher.id))
    assert _events(services) == [
        _on_reflection(AuditAction.REFLECTION_VIEWED, "instructor", ids, "version 1")
    ]


def test_editing_a_prompt_is_recorded(services: Services, ids: Ids) -> None:
    _, prompt, _, _, _ = _get(services, ids)
    services.prompts.update(
        prompt,
        PromptInput(title="Rights at night", body="What happened?", points="10"),
        actor=TEACHER,
    )
    assert _events(services) == [
        (AuditAction.PROMPT_EDITED, "instructor", ids.course, "prompt", ids.prompt, "")
    ]


def test_the_completion_report_and_the_export_are_recorded(
    services: Services, ids: Ids, tmp_path: Path
) -> None:
    course, *_ = _get(services, ids)
    report = services.records.completion_report(course, actor=TEACHER)
    services.export.write(course, tmp_path / "export", actor=ADMIN)
    assert "Canvas user id" in report
    assert _events(services) == [
        (AuditAction.REPORT_DOWNLOADED, "instructor", ids.course, "course", ids.course, ""),
        (AuditAction.COURSE_EXPORTED, "admin", ids.course, "course", ids.course, "1 participants"),
    ]


def test_registrations_added_and_removed_are_recorded(services: Services) -> None:
    added = services.registrations.add(
        actor=PLATFORM,
        issuer="https://other.test",
        client_id="9",
        auth_login_url="https://other.test/login",
        auth_token_url="https://other.test/token",
        key_set_url="https://other.test/jwks",
    )
    assert services.registrations.remove("https://other.test", "9", actor=ADMIN)
    assert not services.registrations.remove("https://other.test", "9", actor=ADMIN)
    detail = "https://other.test client 9"
    assert _events(services) == [
        (AuditAction.REGISTRATION_ADDED, "platform", None, "registration", added.id, detail),
        (AuditAction.REGISTRATION_REMOVED, "admin", None, "registration", added.id, detail),
    ]
