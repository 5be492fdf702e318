"""What a participant sees before and while writing: where they are in the course, dates in
their own time zone, the criteria they are graded on, and labels that match Canvas."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from lti_tool.models import Prompt
from lti_tool.web import session_scope
from tests.reflections.conftest import Canvas, Placed, submit, text_of

DENVER = "America/Denver"


def _place(canvas: Canvas, form: dict[str, str], **kwargs: object) -> Placed:
    item = canvas.place(form, **kwargs)  # type: ignore[arg-type]
    return Placed(int(item["custom"]["prompt_id"]), dict(item["custom"]))


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


class TestOrientation:
    def test_my_reflections_says_where_the_participant_is(
        self, canvas: Canvas, placed: Placed
    ) -> None:
        due = datetime.now(UTC) + timedelta(days=3)
        student = placed.launch(canvas, "s-1", custom={**placed.custom, "due_at": _iso(due)})
        page = text_of(student.get("/participant/reflections"))
        assert "Course ctx-officers" in page  # the program label is the Canvas course's
        assert "Introductory program, 2 weeks" in page and "about 4 hours a week" in page
        assert "Week 1 of 2" in page and 'aria-current="step"' in page
        assert "0 of 1 submitted" in page and "What happens after you submit" in page
        assert "Not open yet." in page  # week 2: nothing placed, or not published yet

        submit(student, placed, "My reflection on a stop.")
        page = text_of(student.get("/participant/reflections"))
        assert "1 of 1 submitted" in page and "Submitted, feedback to come" in page

    def test_the_week_comes_from_the_course_start_without_due_dates(
        self, canvas: Canvas, placed: Placed
    ) -> None:
        start = datetime.now(UTC) - timedelta(days=9)
        student = placed.launch(
            canvas, "s-1", custom={**placed.custom, "course_start": _iso(start)}
        )
        assert "Week 2 of 2" in text_of(student.get("/participant/reflections"))

    def test_dates_are_in_the_participants_canvas_time_zone(
        self, canvas: Canvas, placed: Placed
    ) -> None:
        due = datetime(2031, 1, 10, 6, 59, tzinfo=UTC)  # 23:59 the day before in Denver
        custom = {**placed.custom, "due_at": _iso(due), "timezone": DENVER}
        page = text_of(placed.launch(canvas, "s-1", custom=custom).landing)
        assert f'data-timezone="{DENVER}"' in page
        assert "9 Jan 2031, 23:59 MST" in page and "UTC" not in page

    def test_without_a_time_zone_the_browser_script_localises_utc(
        self, canvas: Canvas, placed: Placed
    ) -> None:
        due = datetime(2031, 1, 10, 6, 59, tzinfo=UTC)
        custom = {**placed.custom, "due_at": _iso(due), "timezone": "Mars/Olympus_Mons"}
        page = text_of(placed.launch(canvas, "s-1", custom=custom).landing)
        assert 'data-timezone=""' in page and "10 Jan 2031, 06:59 UTC" in page
        assert "js/local-time.js" in page

    def test_prompt_page_orients_and_explains_what_comes_next(
        self, canvas: Canvas, placed: Placed
    ) -> None:
        page = text_of(placed.launch(canvas, "s-1").landing)
        assert "Week 1 of 2" in page and "0 of 1 submitted" in page
        assert page.index("Where you are") < page.index('id="editor-form"')
        assert "What happens after you submit" in page


class TestReadersWords:
    def test_after_submitting_the_version_is_shown_as_submitted(
        self, canvas: Canvas, placed: Placed
    ) -> None:
        student = placed.launch(canvas, "s-1")
        submit(student, placed, "First thoughts.")
        page = text_of(student.get(placed.page))
        assert "Your submitted reflection" in page and "This is what your instructors read" in page
        assert '<details class="new-draft" id="new-draft">' in page  # closed: a new draft
        assert "Revise: write version 2" in page
        assert page.index('id="status-summary"') < page.index('id="prompt-heading"')

    def test_a_requested_reply_is_in_the_participants_words(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student = placed.launch(canvas, "s-1")
        submit(student, placed, "First thoughts.")
        teacher = canvas.instructor(link=placed.link, custom=placed.custom)
        reflection_id = re.search(  # type: ignore[union-attr]
            r"/instructor/reflections/(\d+)", text_of(teacher.get("/instructor/queue"))
        ).group(1)
        posted = teacher.post(
            f"/instructor/reflections/{reflection_id}",
            {"feedback": "Say more about the stop.", "asks_reply": "1", "version": "1"},
        )
        assert posted.status_code in (200, 303), text_of(posted)[:300]
        mine = text_of(student.get("/participant/reflections"))
        assert "Your reply is requested" in mine and "Awaiting participant reply" not in mine
        page = text_of(student.get(placed.page))
        assert page.index("Read the feedback (1 message)") < page.index('id="prompt-heading"')
        assert page.index('id="thread"') < page.index('id="editor-heading"')


class TestCriteriaBeforeWriting:
    def test_rubric_criteria_with_points_and_levels_before_the_editor(self, canvas: Canvas) -> None:
        placed = _place(
            canvas,
            {"source": "leaders-change-assessment"},
            program="leaders",
            context="ctx-leaders",
        )
        page = text_of(placed.launch(canvas, "s-1", context="ctx-leaders").landing)
        criteria = page.index("How it is graded")
        assert criteria < page.index('id="editor-form"')
        assert "20 points, on these criteria" in page
        assert "Uses evidence about the department, not impressions alone" in page
        assert "5 points" in page
        assert "Full marks: each section draws on records" in page

    def test_an_instructors_own_rubric_shows_its_descriptions(self, canvas: Canvas) -> None:
        rubric = "Depth | 6 | Goes beyond the first answer\nHonesty | 4"
        placed = _place(
            canvas,
            {
                "source": "own",
                "title": "Own",
                "body": "Think.",
                "grading_type": "rubric",
                "rubric": rubric,
            },
        )
        page = text_of(placed.launch(canvas, "s-1").landing)
        assert "10 points, on these criteria" in page
        assert "Depth" in page and "6 points" in page and "Goes beyond the first answer" in page
        assert "Honesty" in page and "4 points" in page


class TestLabelsFollowCanvas:
    def test_the_week_is_the_module_week_chosen_at_placement(
        self, canvas: Canvas, app: Flask
    ) -> None:
        placed = _place(canvas, {"source": "officers-rights-prevention", "week": "2"})
        with app.app_context(), session_scope(app) as session:
            assert session.get_one(Prompt, placed.prompt_id).week == 2
        assert "Week 2 of 2" in text_of(placed.launch(canvas, "s-1").landing)

    def test_a_week_outside_the_program_is_refused(self, canvas: Canvas) -> None:
        teacher = canvas.deep_link()
        teacher.post("/instructor/program", {"program": "officers", "next": "deep_link"})
        answer = teacher.post(
            "/instructor/deep-link", {"source": "officers-rights-prevention", "week": "7"}
        )
        assert answer.status_code == 422
        assert "Choose one of the program&#39;s weeks, 1 to 2." in text_of(answer)

    def test_the_title_is_the_canvas_assignments(self, canvas: Canvas, app: Flask) -> None:
        placed = _place(canvas, {"source": "officers-rights-prevention"})
        custom = {**placed.custom, "assignment_title": "Week 1: rights on a shift"}
        page = text_of(placed.launch(canvas, "s-1", custom=custom).landing)
        assert "<h1>Week 1: rights on a shift</h1>" in page
        assert "Prompt: Rights as prevention on an ordinary shift" in page
        with app.app_context(), session_scope(app) as session:
            prompt = session.scalars(select(Prompt)).one()
            assert prompt.canvas_title == "Week 1: rights on a shift"
