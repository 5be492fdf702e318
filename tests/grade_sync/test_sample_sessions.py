"""The demo Canvas's sample sessions (`make run`): the tool's fictional 75/25 cohorts enrolled
in two demo courses, the tool's side filled by its `sample cohort` / `sample populate` commands
keyed as the demo's launches key it, and the cohort's grades reaching the demo gradebook only by
the tool's delivery over AGS. Each test builds both sessions afresh (about a second)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from demo_canvas.db import demo_session
from demo_canvas.devserver import install, tool_output
from demo_canvas.front import switcher_users
from demo_canvas.models import Assignment, Enrollment, EnrollmentType, Submission, User
from demo_canvas.models import Course as DemoCourse
from demo_canvas.samples import SAMPLE_SESSIONS, SEED, load_sample_sessions
from demo_canvas.seed import USERS
from lti_tool.models import Course, CourseRole, Grade, OutboxItem, Person, Prompt, Reflection
from lti_tool.models import Enrollment as ToolEnrollment
from lti_tool.models.grade_sync import OutboxStatus
from lti_tool.sample.cohort import CohortPlan, Stage, plan_cohort, today_for
from lti_tool.web import session_scope, wiring

from .canvas import DemoCanvas

SIZES = {"officers": 75, "leaders": 25}


@dataclass
class Loaded:
    app: Flask
    canvas: DemoCanvas
    plans: dict[str, CohortPlan]


def _load(app: Flask, canvas: DemoCanvas) -> None:
    load_sample_sessions(canvas.app, lambda arguments: tool_output(app, arguments))


@pytest.fixture
def loaded(app: Flask, canvas: DemoCanvas) -> Iterator[Loaded]:
    install(canvas.app, app)
    _load(app, canvas)
    plans = {}
    with demo_session(canvas.app) as session:
        for spec in SAMPLE_SESSIONS:
            started = session.scalars(
                select(DemoCourse.start_at).where(DemoCourse.course_code == spec.code)
            ).one()
            plans[spec.program] = plan_cohort(
                spec.program, SEED, today_for(spec.program, started.date())
            )
    yield Loaded(app, canvas, plans)


def _tool_course(app: Flask, canvas: DemoCanvas, code: str) -> int:
    with demo_session(canvas.app) as session:
        context = session.scalars(
            select(DemoCourse.opaque_id).where(DemoCourse.course_code == code)
        ).one()
    with session_scope(app) as session:
        return session.scalars(select(Course.id).where(Course.context_id == context)).one()


def _stages(app: Flask, course_id: int) -> Counter[tuple[str, Stage]]:
    """Where each participant stands on each prompt, as the tool's rows say."""
    with session_scope(app) as session:
        rows = session.execute(
            select(Prompt.bank_key, Reflection.version_count)
            .join(Reflection, Reflection.prompt_id == Prompt.id)
            .where(Prompt.course_id == course_id)
        ).all()
    found: Counter[tuple[str, Stage]] = Counter()
    for bank_key, versions in rows:
        stage = {0: Stage.DRAFT, 1: Stage.SUBMITTED}.get(versions, Stage.RESUBMITTED)
        found[(str(bank_key), stage)] += 1
    return found


def test_both_sessions_hold_the_planned_cohort_keyed_as_demo_launches_key_it(
    loaded: Loaded,
) -> None:
    app, canvas = loaded.app, loaded.canvas
    for spec in SAMPLE_SESSIONS:
        plan = loaded.plans[spec.program]
        assert len(plan.participants) == SIZES[spec.program]
        with demo_session(canvas.app) as session:
            course = session.scalars(
                select(DemoCourse).where(DemoCourse.course_code == spec.code)
            ).one()
            assert "fictional" in course.name and course.weeks == len(plan.prompts)
            students = session.execute(
                select(User.lti_id, User.name)
                .join(Enrollment, Enrollment.user_id == User.id)
                .where(Enrollment.course_id == course.id, Enrollment.type == EnrollmentType.STUDENT)
            ).all()
            teacher = session.scalars(
                select(User.login_id)
                .join(Enrollment, Enrollment.user_id == User.id)
                .where(Enrollment.course_id == course.id, Enrollment.type == EnrollmentType.TEACHER)
            ).one()
        assert teacher == "instructor"  # the same sign-in as the other demo courses
        assert sorted(name for _, name in students) == sorted(p.name for p in plan.participants)
        course_id = _tool_course(app, canvas, spec.code)
        with session_scope(app) as session:
            tool = session.get_one(Course, course_id)
            assert tool.registration_id is not None and tool.sample_program is None
            participants = set(
                session.scalars(
                    select(Person.sub)
                    .join(ToolEnrollment, ToolEnrollment.person_id == Person.id)
                    .where(
                        ToolEnrollment.course_id == course_id,
                        ToolEnrollment.role == CourseRole.PARTICIPANT,
                    )
                )
            )
            assert participants == {sub for sub, _ in students}
            placed = session.scalars(
                select(Prompt.resource_link_id).where(Prompt.course_id == course_id)
            ).all()
            assert len(placed) == len(plan.prompts) and all(placed)
        expected = Counter(
            {
                (p.bank.key, stage): plan.count(p.bank.key, stage)
                for p in plan.prompts
                for stage in (Stage.DRAFT, Stage.SUBMITTED, Stage.RESUBMITTED)
                if plan.count(p.bank.key, stage)
            }
        )
        assert _stages(app, course_id) == expected
        assert all(n > 0 for n in expected.values())


def test_the_gradebook_shows_the_grades_once_the_tool_delivered_them(loaded: Loaded) -> None:
    app, canvas = loaded.app, loaded.canvas
    code = SAMPLE_SESSIONS[0].code
    with demo_session(canvas.app) as session:
        course_id = session.scalars(
            select(DemoCourse.id).where(DemoCourse.course_code == code)
        ).one()
        scored = select(func.count()).select_from(Submission).join(Assignment)
        scored = scored.where(Assignment.course_id == course_id, Submission.score.is_not(None))
        assert session.scalar(scored) == 0, "nothing reaches Canvas but by delivery"
    assert wiring(app).sender("test").run_due(batch=100) > 0
    with session_scope(app) as session:
        statuses = Counter(session.scalars(select(OutboxItem.status)))
        tool_course = _tool_course(app, canvas, code)
        grades = dict(
            session.execute(
                select(Person.sub, Grade.score_given)
                .join(Reflection, Reflection.id == Grade.reflection_id)
                .join(Person, Person.id == Reflection.person_id)
                .join(Prompt, Prompt.id == Reflection.prompt_id)
                .where(Reflection.course_id == tool_course, Prompt.week == 1)
            ).all()
        )
    assert set(statuses) == {OutboxStatus.SENT}
    gradebook = canvas_gradebook(canvas, course_id, "Week 1 reflection")
    assert {sub: v for sub, v in gradebook.items() if v is not None} == grades
    assert len(grades) > 40
    assert len(gradebook) > len(grades)  # submitted, waiting for a grade


def canvas_gradebook(canvas: DemoCanvas, course_id: int, label: str) -> dict[str, float | None]:
    with demo_session(canvas.app) as session:
        return dict(
            session.execute(
                select(User.lti_id, Submission.score)
                .join(Submission, Submission.user_id == User.id)
                .join(Assignment, Assignment.id == Submission.assignment_id)
                .where(Assignment.course_id == course_id, Assignment.name == label)
            ).all()
        )


def test_loading_again_changes_nothing(loaded: Loaded, tmp_path: Path) -> None:
    app, canvas = loaded.app, loaded.canvas

    def counts() -> tuple[int, ...]:
        with session_scope(app) as session:
            tool = tuple(
                int(session.scalar(select(func.count()).select_from(t)) or 0)
                for t in (Course, Person, ToolEnrollment, Prompt, Reflection, Grade, OutboxItem)
            )
        with demo_session(canvas.app) as session:
            demo = tuple(
                int(session.scalar(select(func.count()).select_from(t)) or 0)
                for t in (DemoCourse, User, Enrollment, Assignment)
            )
        return tool + demo

    before = counts()
    install(canvas.app, app)
    _load(app, canvas)
    assert counts() == before


def test_a_later_day_plans_the_same_people(loaded: Loaded) -> None:
    plan = loaded.plans["officers"]
    later = plan_cohort("officers", SEED, date(2027, 3, 1))
    assert [p.name for p in later.participants] == [p.name for p in plan.participants]


def test_the_user_switcher_lists_the_seeded_people_not_the_cohorts(loaded: Loaded) -> None:
    with demo_session(loaded.canvas.app) as session:
        shown = switcher_users(session, None)
        assert [u.login_id for u in shown] == [u.login_id for u in USERS]
        guide = session.scalars(select(User).where(User.login_id == "sample-officers-001")).one()
        assert guide in switcher_users(session, guide)  # whoever is signed in is shown
