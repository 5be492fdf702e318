"""The sample cohorts: deterministic from a seed, complete (every stage, threads with replies,
points and rubric grades, late work), fictional, and kept apart from real courses."""

from __future__ import annotations

import hashlib
from collections import Counter
from datetime import date

import pytest
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_tool.models import (
    Course,
    CourseRole,
    Enrollment,
    FeedbackMessage,
    Grade,
    Person,
    Prompt,
    Reflection,
    ReflectionVersion,
    Registration,
)
from lti_tool.sample.cohort import Stage, plan_cohort
from lti_tool.sample.store import SampleCourseStore
from lti_tool.web import session_scope

TODAY = date(2026, 11, 30)
EXPECTED = {
    # program: (participants, weeks, {week: {stage: count}}) for seed 16 on TODAY
    "officers": (
        75,
        2,
        {
            1: {"not_started": 2, "draft": 1, "submitted": 56, "resubmitted": 16},
            2: {"not_started": 26, "draft": 14, "submitted": 31, "resubmitted": 4},
        },
    ),
    "leaders": (
        25,
        6,
        {
            1: {"not_started": 1, "draft": 1, "submitted": 14, "resubmitted": 9},
            2: {"not_started": 3, "draft": 2, "submitted": 18, "resubmitted": 2},
            3: {"not_started": 2, "draft": 3, "submitted": 18, "resubmitted": 2},
            4: {"not_started": 0, "draft": 4, "submitted": 19, "resubmitted": 2},
            5: {"not_started": 2, "draft": 1, "submitted": 19, "resubmitted": 3},
            6: {"not_started": 10, "draft": 5, "submitted": 9, "resubmitted": 1},
        },
    ),
}


def _load(app: Flask, program: str, seed: int = 16) -> None:
    with session_scope(app) as session:
        SampleCourseStore(session).load(plan_cohort(program, seed, TODAY))


def _stages(session: Session, course: Course) -> dict[int, Counter[str]]:
    """Each participant's stage per week, read back from the stored rows."""
    participants = session.scalar(
        select(func.count()).where(
            Enrollment.course_id == course.id, Enrollment.role == CourseRole.PARTICIPANT
        )
    )
    counts: dict[int, Counter[str]] = {}
    for prompt in session.scalars(select(Prompt).where(Prompt.course_id == course.id)):
        stages = Counter(
            {0: "draft", 1: "submitted", 2: "resubmitted"}[count]
            for count in session.scalars(
                select(Reflection.version_count).where(Reflection.prompt_id == prompt.id)
            )
        )
        stages["not_started"] = int(participants or 0) - sum(stages.values())
        counts[int(prompt.week or 0)] = stages
    return counts


def _fingerprint(session: Session, course: Course) -> str:
    """Everything a visitor can see of the course, in a stable order."""
    digest = hashlib.sha256()
    rows = session.execute(
        select(Person.name, Prompt.week, Reflection.draft_text, Reflection.waiting_since)
        .join(Reflection, Reflection.person_id == Person.id)
        .join(Prompt, Prompt.id == Reflection.prompt_id)
        .where(Reflection.course_id == course.id)
        .order_by(Person.sub, Prompt.week)
    )
    for row in rows:
        digest.update(repr(tuple(row)).encode())
    for text, at in session.execute(
        select(ReflectionVersion.text, ReflectionVersion.submitted_at)
        .join(Reflection, Reflection.id == ReflectionVersion.reflection_id)
        .where(Reflection.course_id == course.id)
        .order_by(Reflection.person_id, Reflection.prompt_id, ReflectionVersion.number)
    ):
        digest.update(f"{text}{at}".encode())
    return digest.hexdigest()


@pytest.mark.parametrize("program", ["officers", "leaders"])
def test_the_stored_cohort_has_every_stage_in_the_planned_numbers(app: Flask, program: str) -> None:
    participants, weeks, per_week = EXPECTED[program]
    _load(app, program)
    with session_scope(app) as session:
        course = SampleCourseStore(session).find(program)
        assert course is not None and course.registration_id is None
        assert "sample course (fictional cohort)" in course.title
        stages = _stages(session, course)
        assert sorted(stages) == list(range(1, weeks + 1))
        assert {week: dict(counts) for week, counts in stages.items()} == per_week
        total = Counter[str]()
        for counts in stages.values():
            total.update(counts)
        assert all(total[stage.value] > 0 for stage in Stage)
        people = session.scalars(
            select(Person)
            .join(Enrollment, Enrollment.person_id == Person.id)
            .where(Enrollment.course_id == course.id, Enrollment.role == CourseRole.PARTICIPANT)
        ).all()
        assert len(people) == participants
        assert all(p.registration_id is None and p.sub.startswith("sample-") for p in people)
        assert len({p.name for p in people}) == participants


@pytest.mark.parametrize("program", ["officers", "leaders"])
def test_threads_grades_and_late_work_are_there(app: Flask, program: str) -> None:
    _load(app, program)
    with session_scope(app) as session:
        course = SampleCourseStore(session).find(program)
        assert course is not None
        in_course = Reflection.course_id == course.id
        roles = Counter(
            session.scalars(select(FeedbackMessage.author_role).join(Reflection).where(in_course))
        )
        assert roles[CourseRole.INSTRUCTOR] > 10 and roles[CourseRole.PARTICIPANT] > 3
        assert session.scalar(select(func.count()).where(in_course, Reflection.is_late)) >= 2
        waiting = session.scalar(
            select(func.count()).where(in_course, Reflection.waiting_since.is_not(None))
        )
        assert waiting and waiting >= 3
        grades = session.scalars(select(Grade).join(Reflection).where(in_course)).all()
        assert len(grades) > 10
        if program == "leaders":
            rubric = [g for g in grades if g.rubric_scores]
            assert rubric and all(g.score_given == sum(g.rubric_scores.values()) for g in rubric)


def test_the_same_seed_gives_the_same_cohort_and_another_seed_another(app: Flask) -> None:
    assert plan_cohort("leaders", 16, TODAY) == plan_cohort("leaders", 16, TODAY)
    assert plan_cohort("leaders", 16, TODAY) != plan_cohort("leaders", 17, TODAY)
    prints = []
    for seed in (16, 16, 17):
        _load(app, "officers", seed)
        with session_scope(app) as session:
            course = SampleCourseStore(session).find("officers")
            assert course is not None
            prints.append(_fingerprint(session, course))
    assert prints[0] == prints[1] != prints[2]


def test_loading_again_replaces_only_the_sample_course(app: Flask) -> None:
    with session_scope(app) as session:
        registration = Registration(
            issuer="https://canvas.test",
            client_id="1",
            auth_login_url="https://canvas.test/login",
            auth_token_url="https://canvas.test/token",
            key_set_url="https://canvas.test/jwks",
        )
        session.add(registration)
        session.flush()
        session.add(Course(registration_id=registration.id, context_id="real", title="Real"))
        session.add(Person(registration_id=registration.id, sub="sample-officers-001"))
    _load(app, "officers")
    _load(app, "leaders")
    _load(app, "officers")
    with session_scope(app) as session:
        samples = session.scalars(select(Course.sample_program).order_by(Course.id)).all()
        assert samples == [None, "leaders", "officers"]
        real = session.scalars(select(Person).where(Person.registration_id.is_not(None))).one()
        assert real.sub == "sample-officers-001"
        assert session.scalar(select(func.count()).select_from(Person)) == 1 + 75 + 25 + 4


def test_writing_stays_within_each_prompt_word_limit() -> None:
    for program in ("officers", "leaders"):
        plan = plan_cohort(program, 16, TODAY)
        limits = {p.bank.key: p.bank.word_limit for p in plan.prompts}
        for work in plan.work:
            for version in work.versions:
                assert 0 < len(version.text.split()) <= limits[work.prompt_key]
