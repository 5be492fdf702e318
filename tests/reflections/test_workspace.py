"""The instructor workspace: statuses per participant, the queue, the test student kept out,
the capacity warning, and query counts that do not grow with the roster."""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select

from lti_tool.models import Course, CourseRole, Enrollment, Person
from lti_tool.web import session_scope
from tests.queries import counting
from tests.reflections.conftest import Canvas, Placed, submit, text_of, write


def _roster(app: Flask, count: int, *, test_user: bool = False, prefix: str = "roster") -> None:
    """Participants known from the Canvas roster who have not launched yet."""
    with app.app_context(), session_scope(app) as session:
        course = session.scalars(select(Course)).one()
        for number in range(count):
            person = Person(registration_id=course.registration_id, sub=f"{prefix}-{number}")
            session.add(person)
            session.flush()
            session.add(
                Enrollment(
                    course_id=course.id,
                    person_id=person.id,
                    role=CourseRole.PARTICIPANT,
                    is_test_user=test_user,
                )
            )


class TestStatuses:
    def test_every_participant_with_status(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        drafting = placed.launch(canvas, "s-draft", name="Dana Draft")
        write(drafting, placed, "half a thought")
        submitting = placed.launch(canvas, "s-sub", name="Sam Submitted")
        submit(submitting, placed, "A whole thought.")
        placed.launch(canvas, "s-none", name="Nia Notstarted")
        _roster(app, 1)
        teacher = canvas.instructor(link="nav")
        page = text_of(teacher.get(f"/instructor/prompts/{placed.prompt_id}"))
        for name, status in (
            ("Dana Draft", "Draft"),
            ("Sam Submitted", "Awaiting feedback"),
            ("Nia Notstarted", "Not started"),
            ("Participant roster-0", "Not started"),
        ):
            assert status in page.split(name)[1].split("</tr>")[0], name
        assert "half a thought" not in page
        workspace = text_of(teacher.get("/instructor/workspace"))
        assert "Sam Submitted: Rights as prevention" in workspace

    def test_student_view_user_is_kept_out_of_reports(self, canvas: Canvas, placed: Placed) -> None:
        preview = placed.launch(canvas, "test-student", name="Test Student", test_user=True)
        submit(preview, placed, "Trying the tool out.")
        teacher = canvas.instructor(link="nav")
        assert "Test Student" not in text_of(teacher.get(f"/instructor/prompts/{placed.prompt_id}"))
        assert "Test Student" not in text_of(teacher.get("/instructor/queue"))
        assert "Test Student" not in text_of(teacher.get("/instructor/workspace"))

    def test_queue_is_oldest_first(self, canvas: Canvas, placed: Placed) -> None:
        for sub, name in (("s-1", "First Waiting"), ("s-2", "Second Waiting")):
            submit(placed.launch(canvas, sub, name=name), placed, f"text of {sub}")
        teacher = canvas.instructor(link="nav")
        queue = text_of(teacher.get("/instructor/queue"))
        assert queue.index("First Waiting") < queue.index("Second Waiting")

    def test_instructor_launch_of_a_placed_link_opens_its_roster(
        self, canvas: Canvas, placed: Placed
    ) -> None:
        teacher = canvas.instructor(link=placed.link, custom=placed.custom)
        page = text_of(teacher.landing)
        assert "Rights as prevention" in page and "Edit this course" in page


class TestCapacity:
    def test_warning_when_the_roster_exceeds_the_program(self, canvas: Canvas, app: Flask) -> None:
        teacher = canvas.instructor(link="nav", custom={"program": "leaders"})
        _roster(app, 25)
        _roster(app, 3, test_user=True, prefix="preview")
        assert "over capacity" not in text_of(teacher.get("/instructor/workspace"))
        _roster(app, 1, prefix="late")
        page = text_of(teacher.get("/instructor/workspace"))
        assert "over capacity" in page and "26 participants" in page


def test_query_counts_do_not_grow_with_the_roster(
    canvas: Canvas, placed: Placed, app: Flask
) -> None:
    teacher = canvas.instructor(link="nav")
    pages = (
        f"/instructor/prompts/{placed.prompt_id}",
        "/instructor/workspace",
        "/instructor/queue",
    )

    def counts() -> list[int]:
        result = []
        for path in pages:
            with counting(app) as statements:
                assert teacher.get(path).status_code == 200
            result.append(len(statements))
        return result

    submit(placed.launch(canvas, "s-0"), placed, "one")
    before = counts()
    for number in range(1, 5):
        submit(placed.launch(canvas, f"s-{number}"), placed, f"text {number}")
    _roster(app, 10)
    assert counts() == before
