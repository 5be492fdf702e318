"""Writing: the prompt page, autosave with optimistic locking, submit and resubmit, and every
refusal keeping the participant's text."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from flask import Flask
from sqlalchemy import select

from lti_tool.models import OutboxItem, Reflection, ReflectionVersion
from lti_tool.web import session_scope
from tests.reflections.conftest import Canvas, Placed, submit, text_of, write

TEXT = "I slowed the stop down and explained the reason before asking for ID."


def _reflection(app: Flask) -> Reflection:
    with app.app_context(), session_scope(app) as session:
        return session.scalars(select(Reflection)).one()


class TestPage:
    def test_prompt_guidance_target_and_due_date(self, canvas: Canvas, placed: Placed) -> None:
        due = {"due_at": "2031-05-02T23:59:00Z"}
        student = placed.launch(canvas, "student-1", custom={**placed.custom, **due})
        page = text_of(student.landing)
        assert student.landing.status_code == 200
        assert "Rights as prevention on an ordinary shift" in page and "Guidance" in page
        assert "about 30 words" in page and "2 May 2031, 23:59 UTC" in page
        assert 'aria-live="polite"' in page and '<label for="text">' in page
        assert 'src="/static/js/editor.js" nonce="' in page

    def test_unexpanded_due_date_means_none(self, canvas: Canvas, placed: Placed) -> None:
        custom = {**placed.custom, "due_at": "$Canvas.assignment.dueAt.iso8601"}
        assert "No due date" in text_of(placed.launch(canvas, "s", custom=custom).landing)

    def test_overview_lists_the_course_prompts(self, canvas: Canvas, placed: Placed) -> None:
        student = placed.launch(canvas, "student-1")
        overview = text_of(student.get("/participant/reflections"))
        assert "Rights as prevention" in overview and "Not started" in overview


class TestAutosave:
    def test_saves_and_hands_back_a_fresh_token(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student = placed.launch(canvas, "student-1")
        answer = write(student, placed, TEXT)
        assert answer.status_code == 200 and answer.get_json()["revision"] == 1
        assert answer.get_json()["words"] == len(TEXT.split())
        assert answer.headers["X-Session-Token"]
        assert _reflection(app).draft_text == TEXT

    def test_stale_revision_answers_409_with_the_saved_text(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student = placed.launch(canvas, "student-1")
        write(student, placed, "from the laptop")
        stale = student.post_json(f"{placed.page}/draft", {"text": "from the phone", "revision": 0})
        body = stale.get_json()
        assert stale.status_code == 409 and body["server_text"] == "from the laptop"
        assert body["revision"] == 1
        assert _reflection(app).draft_text == "from the laptop"
        forced = student.post_json(f"{placed.page}/draft", {"text": "both, merged", "revision": 1})
        assert forced.status_code == 200 and _reflection(app).draft_text == "both, merged"

    def test_text_beyond_storage_is_refused_not_truncated(
        self, canvas: Canvas, placed: Placed
    ) -> None:
        student = placed.launch(canvas, "student-1")
        huge = student.post_json(f"{placed.page}/draft", {"text": "x" * 100_001, "revision": 0})
        assert huge.status_code == 413 and "kept in this browser" in huge.get_json()["message"]

    def test_malformed_body(self, canvas: Canvas, placed: Placed) -> None:
        student = placed.launch(canvas, "student-1")
        assert student.post_json(f"{placed.page}/draft", {"text": 3}).status_code == 400

    def test_text_is_stored_as_written_and_rendered_safely(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student = placed.launch(canvas, "student-1")
        raw = 'Fine <script>alert("x")</script><img src=x onerror=alert(1)> <b>bold</b> & 1 < 2'
        write(student, placed, raw)
        submit(student, placed, raw)
        assert _reflection(app).draft_text == raw
        page = text_of(student.get(placed.page))
        assert "<script>alert" not in page and "<img" not in page
        assert "<b>bold</b> &amp; 1 &lt; 2" in page


class TestSubmit:
    def test_submit_makes_version_one_and_queues_the_submission(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student = placed.launch(canvas, "student-1")
        answer = submit(student, placed, TEXT)
        assert answer.status_code == 303 and "notice=submitted" in answer.headers["Location"]
        page = text_of(student.get(placed.page, notice="submitted"))
        assert "Your reflection is submitted" in page and "Submit version 2" in page
        with app.app_context(), session_scope(app) as session:
            item = session.scalars(select(OutboxItem)).one()
            reflection = session.scalars(select(Reflection)).one()
        assert item.kind == "submission" and item.subject_key == f"prompt:{placed.prompt_id}"
        assert item.target["lineitem_url"] == placed.lineitem
        assert item.target["resource_id"] == f"reflection-prompt-{placed.prompt_id}"
        extension = item.payload["https://canvas.instructure.com/lti/submission"]
        assert extension["submission_data"] == (
            f"http://localhost/lti/launch?review={reflection.id}"
        )
        assert extension["new_submission"] is True

    def test_double_submit_makes_no_second_version(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student = placed.launch(canvas, "student-1")
        submit(student, placed, TEXT)
        again = submit(student, placed, TEXT)
        assert "notice=unchanged" in again.headers["Location"]
        with app.app_context(), session_scope(app) as session:
            assert len(session.scalars(select(ReflectionVersion)).all()) == 1
            assert len(session.scalars(select(OutboxItem)).all()) == 1

    def test_the_same_submit_sent_twice_is_taken_once(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        """A double click or a resent form: the second request carries the page's old revision."""
        student = placed.launch(canvas, "student-1")
        form = {"text": TEXT, "revision": "0"}
        first = student.post(f"{placed.page}/submit", form)
        second = student.post(f"{placed.page}/submit", form)
        assert (first.status_code, second.status_code) == (303, 303)
        assert "notice=unchanged" in second.headers["Location"]
        with app.app_context(), session_scope(app) as session:
            assert len(session.scalars(select(ReflectionVersion)).all()) == 1
            assert len(session.scalars(select(OutboxItem)).all()) == 1

    def test_same_revision_twice_is_stale_and_keeps_both_texts(
        self, canvas: Canvas, placed: Placed
    ) -> None:
        student = placed.launch(canvas, "student-1")
        first = student.post(f"{placed.page}/submit", {"text": "first tab", "revision": "0"})
        assert first.status_code == 303
        second = student.post(f"{placed.page}/submit", {"text": "second tab", "revision": "0"})
        page = text_of(second)
        assert second.status_code == 409 and "second tab</textarea>" in page
        assert "first tab" in page and "changed in another window" in page

    def test_resubmit_keeps_earlier_versions_readable(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student = placed.launch(canvas, "student-1")
        submit(student, placed, "First thoughts.")
        submit(student, placed, "Second, better thoughts.")
        page = text_of(student.get(placed.page))
        assert "Version 2" in page and "Version 1" in page and "First thoughts." in page
        with app.app_context(), session_scope(app) as session:
            items = session.scalars(select(OutboxItem).order_by(OutboxItem.id)).all()
        assert [i.status for i in items] == ["superseded", "pending"]

    def test_empty_submission_keeps_the_draft(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student = placed.launch(canvas, "student-1")
        answer = submit(student, placed, "   \n ")
        assert answer.status_code == 422 and "nothing to submit" in text_of(answer)
        assert _reflection(app).version_count == 0

    def test_too_long_submission_keeps_the_draft(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student = placed.launch(canvas, "student-1")
        long_text = "word " * 41
        answer = submit(student, placed, long_text)
        page = text_of(answer)
        assert answer.status_code == 422 and "41 words" in page and "at most 40" in page
        assert long_text + "</textarea>" in page
        reflection = _reflection(app)
        assert reflection.draft_text == long_text and reflection.version_count == 0

    def test_save_without_javascript(self, canvas: Canvas, placed: Placed, app: Flask) -> None:
        student = placed.launch(canvas, "student-1")
        answer = student.post(
            f"{placed.page}/submit", {"text": "saved by button", "revision": "0", "action": "save"}
        )
        assert "notice=saved" in answer.headers["Location"]
        assert _reflection(app).draft_text == "saved by button"

    def test_late_submission_is_marked(self, canvas: Canvas, placed: Placed) -> None:
        past = (datetime.now(UTC) - timedelta(days=1)).isoformat()
        student = placed.launch(canvas, "student-1", custom={**placed.custom, "due_at": past})
        assert "Past due" in text_of(student.landing)
        submit(student, placed, TEXT)
        assert "Submitted late" in text_of(student.get(placed.page))

    def test_on_time_submission_is_not_late(self, canvas: Canvas, placed: Placed) -> None:
        future = (datetime.now(UTC) + timedelta(days=1)).isoformat()
        student = placed.launch(canvas, "student-1", custom={**placed.custom, "due_at": future})
        submit(student, placed, TEXT)
        assert "badge-late" not in text_of(student.get(placed.page))
