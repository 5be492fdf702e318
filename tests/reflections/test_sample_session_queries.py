"""The instructor's pages over a platform course filled with a full sample cohort (the demo
Canvas's 75-officer session, as `sample populate` fills it) take as many queries as over five
participants: the counts do not grow with the roster."""

from __future__ import annotations

from datetime import date

from flask import Flask
from sqlalchemy import select

from lti_tool.models import Course, Prompt, Reflection
from lti_tool.sample.cohort import SamplePerson, plan_cohort
from lti_tool.sample.store import Placement, PlatformCourse, SampleCourseStore
from lti_tool.services.outbox import GradeSync
from lti_tool.services.registrations import RegistrationService
from lti_tool.web import session_scope
from tests.platform import CLIENT_ID, ISSUER
from tests.queries import counting

from .conftest import Canvas

TEACHER = "teacher-1"


def _populate(app: Flask, context: str, size: int) -> None:
    plan = plan_cohort("officers", 16, date(2026, 11, 29), size=size)
    people = {p.sub: SamplePerson(f"{context}-{p.sub}", p.name) for p in plan.participants}
    people[plan.instructors[0].sub] = SamplePerson(TEACHER, "Ines Moreau")
    people[plan.instructors[1].sub] = SamplePerson(f"{context}-ta", "Tomas Reyes")
    with session_scope(app) as session:
        registration = RegistrationService(session).find(ISSUER, CLIENT_ID)
        assert registration is not None
        target = PlatformCourse(
            registration=registration,
            context_id=context,
            title=f"Course {context}",
            label=context.upper(),
            lineitems_url=None,
            memberships_url=None,
            people=people,
            placements={
                p.bank.week: Placement(
                    f"{context}-link-{p.bank.week}",
                    f"https://canvas.test.example/api/lti/courses/{context}/line_items/{p.bank.week}",
                    f"Week {p.bank.week} reflection",
                )
                for p in plan.prompts
            },
        )
        filled = SampleCourseStore(session).populate(
            plan, target, GradeSync(session), "http://localhost"
        )
        assert filled is not None


def _counts(app: Flask, canvas: Canvas, context: str) -> tuple[dict[str, int], str]:
    """Statements per instructor page, and the participants-by-week matrix as shown."""
    teacher = canvas.instructor(TEACHER, link=f"{context}-nav", context=context)
    with session_scope(app) as session:
        course_id = session.scalars(select(Course.id).where(Course.context_id == context)).one()
        prompt_id = session.scalars(
            select(Prompt.id).where(Prompt.course_id == course_id).order_by(Prompt.id)
        ).first()
        reflection_id = session.scalars(
            select(Reflection.id)
            .where(Reflection.course_id == course_id, Reflection.version_count > 0)
            .order_by(Reflection.id)
        ).first()
    pages = [
        "/instructor/workspace",
        "/instructor/queue",
        "/instructor/matrix",
        "/instructor/activity",
        "/instructor/completion.csv",
        f"/instructor/prompts/{prompt_id}",
        f"/instructor/reflections/{reflection_id}",
    ]
    counts = {}
    for path in pages:
        teacher.get(path)  # once before counting: first-visit work (read markers) is not the point
        with counting(app) as statements:
            assert teacher.get(path).status_code == 200, path
        counts[path.rsplit("/", 1)[0] if path[-1].isdigit() else path] = len(statements)
    return counts, teacher.get("/instructor/matrix").get_data(as_text=True)


def test_instructor_pages_of_a_75_person_session_take_as_many_queries_as_of_5(
    app: Flask, canvas: Canvas
) -> None:
    _populate(app, "ctx-small", 5)
    _populate(app, "ctx-full", 75)
    small, _ = _counts(app, canvas, "ctx-small")
    full, matrix = _counts(app, canvas, "ctx-full")
    everyone = plan_cohort("officers", 16, date(2026, 11, 29)).participants
    assert all(p.name in matrix for p in everyone)  # the whole cohort is shown
    assert len(full) == 7
    assert full == small
