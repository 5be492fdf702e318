"""Feedback threads, unread counts, grading and the statuses an instructor sees."""

from __future__ import annotations

import re

from flask import Flask
from sqlalchemy import select

from lti_tool.db import utcnow
from lti_tool.models import Grade, OutboxItem, OutboxStatus, Reflection
from lti_tool.services.result_store import record_results
from lti_tool.web import session_scope
from tests.reflections.conftest import Canvas, Person, Placed, submit, text_of

TEXT = "I explained the reason for the stop first. The driver calmed down at once."


def _reflection_id(app: Flask) -> int:
    with app.app_context(), session_scope(app) as session:
        return session.scalars(select(Reflection.id)).one()


def _submitted(canvas: Canvas, placed: Placed, app: Flask) -> tuple[Person, Person, int]:
    student = placed.launch(canvas, "student-1", name="Amara Okafor")
    submit(student, placed, TEXT)
    teacher = canvas.instructor(link="nav")
    return student, teacher, _reflection_id(app)


def _status(teacher: Person, placed: Placed) -> str:
    page = text_of(teacher.get(f"/instructor/prompts/{placed.prompt_id}"))
    row = page.split("Amara Okafor")[1]
    return re.search(r'class="badge badge-(\w+)"', row).group(1)  # type: ignore[union-attr]


class TestThread:
    def test_comment_quote_unread_and_reply(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student, teacher, reflection_id = _submitted(canvas, placed, app)
        assert _status(teacher, placed) == "awaiting_feedback"
        posted = teacher.post(
            f"/instructor/reflections/{reflection_id}",
            {
                "version": "1",
                "quote": "The driver calmed down",
                "feedback": "What did you say, exactly?",
                "asks_reply": "1",
            },
        )
        assert posted.status_code == 303
        assert _status(teacher, placed) == "awaiting_reply"
        overview = text_of(student.get("/participant/reflections"))
        assert "1 unread" in overview and "1 unread feedback message" in overview
        inbox = text_of(student.get("/participant/feedback"))
        assert "What did you say, exactly?" in inbox and "The driver calmed down" in inbox
        page = text_of(student.get(placed.page))
        assert "Reply requested" in page
        assert "unread" not in text_of(student.get("/participant/reflections"))
        replied = student.post(f"{placed.page}/reply", {"body": "I said why I stopped them."})
        assert replied.status_code == 303
        assert _status(teacher, placed) == "awaiting_feedback"
        queue = text_of(teacher.get("/instructor/queue"))
        assert "Amara Okafor" in queue and "1 unread" in queue
        review = text_of(teacher.get(f"/instructor/reflections/{reflection_id}"))
        assert "I said why I stopped them." in review
        assert "1 unread" not in text_of(teacher.get("/instructor/queue"))

    def test_comment_without_reply_request_is_submitted(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        _, teacher, reflection_id = _submitted(canvas, placed, app)
        teacher.post(
            f"/instructor/reflections/{reflection_id}", {"version": "1", "feedback": "Good."}
        )
        assert _status(teacher, placed) == "submitted"

    def test_refused_messages_keep_what_was_typed(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student, teacher, reflection_id = _submitted(canvas, placed, app)
        wrong_quote = teacher.post(
            f"/instructor/reflections/{reflection_id}",
            {"version": "1", "quote": "words never written", "feedback": "Keep this"},
        )
        page = text_of(wrong_quote)
        assert wrong_quote.status_code == 422 and "copied exactly" in page and "Keep this" in page
        empty = student.post(f"{placed.page}/reply", {"body": "  "})
        assert empty.status_code == 422 and "Write a message first" in text_of(empty)

    def test_reply_before_submitting_is_refused(self, canvas: Canvas, placed: Placed) -> None:
        student = placed.launch(canvas, "student-1")
        assert student.post(f"{placed.page}/reply", {"body": "hello"}).status_code == 422


class TestGrading:
    def test_points_are_recorded_and_queued(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student, teacher, reflection_id = _submitted(canvas, placed, app)
        url = f"/instructor/reflections/{reflection_id}"
        too_many = teacher.post(url, {"points": "11"})
        assert too_many.status_code == 422 and "from 0 to 10" in text_of(too_many)
        saved = teacher.post(
            url, {"points": "8.5", "comment": "Clear and honest.", "send_comment": "1"}
        )
        assert saved.status_code == 303
        assert _status(teacher, placed) == "graded"
        with app.app_context(), session_scope(app) as session:
            grade = session.scalars(select(Grade)).one()
            item = session.scalars(select(OutboxItem).where(OutboxItem.kind == "grade")).one()
        assert grade.score_given == 8.5 and grade.version_number == 1
        assert item.payload["scoreGiven"] == 8.5 and item.payload["scoreMaximum"] == 10
        assert item.payload["comment"] == "Clear and honest."
        assert item.target["lineitem_url"] == placed.lineitem
        assert "8.5 / 10" in text_of(student.get(placed.page))
        assert "On its way to the Canvas gradebook" in text_of(student.get(placed.page))
        with app.app_context(), session_scope(app) as session:  # submission, then grade, sent
            for row in session.scalars(select(OutboxItem)):
                row.status, row.sent_at = OutboxStatus.SENT, utcnow()
            delivered = session.get_one(OutboxItem, item.id)
        assert "On its way to the Canvas gradebook" in text_of(student.get(placed.page))
        with app.app_context(), session_scope(app) as session:  # Canvas read back: it holds 8.5
            read = [{"userId": student.sub, "resultScore": 8.5, "resultMaximum": 10.0}]
            people = {student.sub: delivered.person_id}
            subject, url = delivered.subject_key, placed.lineitem
            record_results(
                session, delivered.course_id, subject, url, read, utcnow(), people=people
            )
        assert "In the Canvas gradebook since" in text_of(student.get(placed.page))
        submit(student, placed, TEXT + " Then I thanked them.")
        assert _status(teacher, placed) == "awaiting_feedback"

    def test_a_grade_never_lands_on_a_version_the_grader_has_not_read(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student, teacher, reflection_id = _submitted(canvas, placed, app)
        url = f"/instructor/reflections/{reflection_id}"
        page = text_of(teacher.get(f"/instructor/reflections/{reflection_id}"))
        seen = re.search(r'name="seen_version" value="(\d+)"', page)
        assert seen is not None and seen.group(1) == "1"
        submit(student, placed, TEXT + " Then I thanked them.")

        stale = teacher.post(
            url, {"points": "8", "comment": "Kept.", "seen_version": seen.group(1)}
        )
        assert stale.status_code == 409
        assert "submitted version 2 after you opened this page" in text_of(stale)
        assert ">Kept.</textarea>" in text_of(stale) and 'value="8"' in text_of(stale)
        with app.app_context(), session_scope(app) as session:
            assert session.scalars(select(Grade)).all() == []
        assert teacher.post(url, {"points": "8", "seen_version": "2"}).status_code == 303
        with app.app_context(), session_scope(app) as session:
            assert session.scalars(select(Grade.version_number)).one() == 2

    def test_grade_comments_are_on_the_feedback_page_too(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student, teacher, reflection_id = _submitted(canvas, placed, app)
        empty = text_of(student.get("/participant/feedback"))
        assert "No feedback yet" in empty and "With your grades" not in empty
        url = f"/instructor/reflections/{reflection_id}"
        teacher.post(url, {"points": "7", "comment": "Say what you would do next time."})
        page = text_of(student.get("/participant/feedback"))
        assert "With your grades" in page and "No feedback yet" not in page
        assert "Say what you would do next time." in page and "7 / 10" in page

    def test_comment_not_sent_to_canvas_unless_asked(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        _, teacher, reflection_id = _submitted(canvas, placed, app)
        teacher.post(f"/instructor/reflections/{reflection_id}", {"points": "7", "comment": "x"})
        with app.app_context(), session_scope(app) as session:
            item = session.scalars(select(OutboxItem).where(OutboxItem.kind == "grade")).one()
        assert "comment" not in item.payload

    def test_rubric(self, canvas: Canvas, app: Flask) -> None:
        custom = {"program": "leaders", "prompt_bank": "leaders-change-assessment"}
        student = canvas.launch("student-1", name="Amara Okafor", link="rl-6", custom=custom)
        prompt_id = re.search(r"/participant/prompts/(\d+)/draft", text_of(student.landing))
        assert prompt_id is not None
        placed = Placed(int(prompt_id.group(1)), custom, link="rl-6")
        submit(student, placed, "Policies: we have no rule on recording stops.")
        teacher = canvas.instructor(link="nav")
        url = f"/instructor/reflections/{_reflection_id(app)}"
        form = text_of(teacher.get(url.removesuffix("")))
        assert "Uses evidence about the department" in form
        bad = teacher.post(url, {"rubric-c1": "9"})
        assert bad.status_code == 422 and "enter 0 to 5" in text_of(bad)
        scores = {"rubric-c1": "4", "rubric-c2": "5", "rubric-c3": "3", "rubric-c4": "2"}
        assert teacher.post(url, scores).status_code == 303
        with app.app_context(), session_scope(app) as session:
            grade = session.scalars(select(Grade)).one()
        assert grade.score_given == 14 and grade.score_maximum == 20
        assert grade.rubric_scores["c2"] == 5

    def test_complete_incomplete(self, canvas: Canvas, app: Flask) -> None:
        item = canvas.place({"source": "officers-risk-moments", "grading_type": "complete"})
        placed = Placed(int(item["custom"]["prompt_id"]), item["custom"])
        student = placed.launch(canvas, "student-1", name="Amara Okafor")
        submit(student, placed, TEXT)
        teacher = canvas.instructor(link="nav")
        url = f"/instructor/reflections/{_reflection_id(app)}"
        assert teacher.post(url, {}).status_code == 422
        assert teacher.post(url, {"complete": "complete"}).status_code == 303
        with app.app_context(), session_scope(app) as session:
            assert session.scalars(select(Grade.score_given)).one() == 10
        assert "Complete" in text_of(student.get(placed.page))

    def test_unsubmitted_work_cannot_be_graded(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        placed.launch(canvas, "student-1")
        teacher = canvas.instructor(link="nav")
        answer = teacher.post(f"/instructor/reflections/{_reflection_id(app)}", {"points": "5"})
        assert answer.status_code == 422


class TestSpeedGrader:
    def test_review_launch_shows_the_reflection(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        _, _, reflection_id = _submitted(canvas, placed, app)
        target = f"http://localhost/lti/launch?review={reflection_id}"
        teacher = canvas.instructor(link=placed.link, custom=placed.custom, target=target)
        assert teacher.landing.status_code == 303
        review = teacher.get(teacher.landing.headers["Location"].split("?")[0])
        assert "Amara Okafor" in text_of(review) and TEXT in text_of(review)

    def test_participant_review_launch_shows_only_their_own(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        _, _, reflection_id = _submitted(canvas, placed, app)
        target = f"http://localhost/lti/launch?review={reflection_id}"
        own = placed.launch(canvas, "student-1", target=target)
        assert own.landing.status_code == 303
        other = placed.launch(canvas, "student-2", target=target)
        assert other.landing.status_code == 404 and TEXT not in text_of(other.landing)
