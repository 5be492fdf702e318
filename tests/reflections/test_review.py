"""The review screen over HTTP: one save for feedback, grade and reply requested; nothing typed is
lost when a part is refused; save and next through the list it was opened from; filters, sort
and search; the matrix; the comment bank; changes since an earlier version; the remind list; and
a fixed number of SQL statements per page whatever the cohort."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.models import (
    AuditEvent,
    BankComment,
    FeedbackMessage,
    Grade,
    OutboxItem,
    Reflection,
)
from lti_tool.web import session_scope
from tests.queries import counting
from tests.reflections.conftest import Canvas, Person, Placed, submit, text_of, write

TEXT = "I explained the reason for the stop first. The driver calmed down at once."
NAMES = ["Amara Okafor", "Ben Carter", "Chen Wei", "Dana Novak", "Elif Yilmaz"]


def _ids(app: Flask) -> dict[str, int]:
    """Reflection id per participant name."""
    with app.app_context(), session_scope(app) as session:
        return {r.person.name or "": r.id for r in session.scalars(select(Reflection))}


def _cohort(canvas: Canvas, placed: Placed, names: list[str]) -> dict[str, Person]:
    """Participants submitting in the order given (so the first has waited longest)."""
    people = {}
    for name in names:
        sub = name.lower().replace(" ", "-")
        person = placed.launch(canvas, sub, name=name, email=f"{sub}@example.edu")
        submit(person, placed, f"{TEXT} Written by {name}.")
        people[name] = person
    return people


def _follow(response: Any) -> tuple[str, dict[str, str]]:
    assert response.status_code == 303, text_of(response)
    location = urlsplit(response.headers["Location"])
    return location.path, {k: v[0] for k, v in parse_qs(location.query).items()}


class TestOneSave:
    def test_every_part_is_saved_together(self, canvas: Canvas, placed: Placed, app: Flask) -> None:
        _cohort(canvas, placed, NAMES[:1])
        teacher = canvas.instructor(link="nav")
        rid = _ids(app)["Amara Okafor"]
        saved = teacher.post(
            f"/instructor/reflections/{rid}",
            {
                "points": "8,5",
                "feedback": "What did you say, exactly?",
                "quote": "The driver\n calmed   down",
                "version": "1",
                "asks_reply": "1",
                "save_to_bank": "1",
                "bank_theme": "Ask for detail",
                "comment": "Clear and honest.",
                "send_comment": "1",
                "then": "stay",
                "list": "queue",
            },
        )
        path, query = _follow(saved)
        assert path == f"/instructor/reflections/{rid}" and query["notice"] == "saved"
        with app.app_context(), session_scope(app) as session:
            message = session.scalars(select(FeedbackMessage)).one()
            grade = session.scalars(select(Grade)).one()
            banked = session.scalars(select(BankComment)).one()
            actions = set(session.scalars(select(AuditEvent.action)))
            reflection = session.get(Reflection, rid)
            assert reflection is not None and reflection.reply_requested
        assert (message.body, message.asks_reply) == ("What did you say, exactly?", True)
        assert message.quote == "The driver\n calmed   down"
        assert (grade.score_given, grade.comment) == (8.5, "Clear and honest.")
        assert (banked.body, banked.theme) == ("What did you say, exactly?", "Ask for detail")
        assert {"feedback.posted", "grade.saved"} <= actions

    def test_a_refused_part_keeps_everything_typed_and_saves_nothing(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        _cohort(canvas, placed, NAMES[:1])
        teacher = canvas.instructor(link="nav")
        rid = _ids(app)["Amara Okafor"]
        typed = {
            "points": "11",
            "feedback": "Keep these words",
            "quote": "words never written",
            "asks_reply": "1",
            "save_to_bank": "1",
            "bank_theme": "My theme",
            "comment": "Grade words",
            "send_comment": "1",
            "override_manual": "1",
        }
        refused = teacher.post(f"/instructor/reflections/{rid}", typed)
        page = text_of(refused)
        assert refused.status_code == 422
        assert "from 0 to 10" in page and "copied exactly" in page
        assert 'value="11"' in page and ">Keep these words</textarea>" in page
        assert ">words never written</textarea>" in page and ">Grade words</textarea>" in page
        assert 'value="My theme"' in page
        for box in ("asks_reply", "save_to_bank", "send_comment", "override_manual"):
            assert re.search(rf'id="{box}" name="{box}" value="1" checked', page), box
        with app.app_context(), session_scope(app) as session:
            assert session.scalars(select(FeedbackMessage)).all() == []
            assert session.scalars(select(Grade)).all() == []
            assert session.scalars(select(BankComment)).all() == []

    def test_reply_requested_needs_words(self, canvas: Canvas, placed: Placed, app: Flask) -> None:
        _cohort(canvas, placed, NAMES[:1])
        teacher = canvas.instructor(link="nav")
        rid = _ids(app)["Amara Okafor"]
        refused = teacher.post(f"/instructor/reflections/{rid}", {"asks_reply": "1"})
        assert refused.status_code == 422 and "reply to" in text_of(refused)
        empty = teacher.post(f"/instructor/reflections/{rid}", {"then": "stay"})
        assert empty.status_code == 422 and "Write feedback or enter a grade" in text_of(empty)

    def test_the_shown_grade_is_not_sent_again(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        _cohort(canvas, placed, NAMES[:1])
        teacher = canvas.instructor(link="nav")
        url = f"/instructor/reflections/{_ids(app)['Amara Okafor']}"
        assert teacher.post(url, {"points": "7"}).status_code == 303
        page = text_of(teacher.get(url))
        assert re.search(r'id="points" name="points"[^>]*value="7"', page)
        assert teacher.post(url, {"points": "7", "feedback": "More later."}).status_code == 303
        with app.app_context(), session_scope(app) as session:
            grades = select(OutboxItem).where(OutboxItem.kind == "grade")
            assert len(session.scalars(grades).all()) == 1
            assert len(session.scalars(select(FeedbackMessage)).all()) == 1


class TestSaveAndNext:
    def test_the_queue_order_then_back_to_the_list(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        _cohort(canvas, placed, NAMES[:3])
        teacher = canvas.instructor(link="nav")
        ids = _ids(app)
        queue = text_of(teacher.get("/instructor/queue"))
        assert queue.index("Amara Okafor") < queue.index("Ben Carter") < queue.index("Chen Wei")
        first = text_of(teacher.get(f"/instructor/reflections/{ids['Amara Okafor']}", list="queue"))
        assert "1 of 3" in first and "Next: Ben Carter" in first
        saved = teacher.post(
            f"/instructor/reflections/{ids['Amara Okafor']}",
            {"feedback": "Good.", "then": "next", "list": "queue", "status": "awaiting_feedback"},
        )
        path, query = _follow(saved)
        assert path == f"/instructor/reflections/{ids['Ben Carter']}"
        assert (query["list"], query["notice"]) == ("queue", "saved-next")
        second = text_of(teacher.get(path, **query))
        assert "Your review is saved" in second and "Next: Chen Wei" in second
        skipped = teacher.post(path, {"then": "next", **query})
        path, query = _follow(skipped)
        assert path == f"/instructor/reflections/{ids['Chen Wei']}" and query["notice"] == "skipped"
        last = teacher.post(path, {"points": "9", "then": "next", **query})
        path, query = _follow(last)
        assert path == "/instructor/queue" and query["notice"] == "list-done"
        assert "You reached the end of the list" in text_of(teacher.get(path, **query))

    def test_a_filtered_prompt_table_is_followed(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        _cohort(canvas, placed, list(reversed(NAMES)))
        teacher = canvas.instructor(link="nav")
        ids = _ids(app)
        table = f"/instructor/prompts/{placed.prompt_id}"
        by_name = text_of(teacher.get(table, sort="name", q="a"))
        rows = by_name.split("<tbody>")[1]
        shown = sorted((n for n in NAMES if n in rows), key=rows.index)
        assert shown == ["Amara Okafor", "Ben Carter", "Dana Novak", "Elif Yilmaz"]
        origin = {"list": f"prompt-{placed.prompt_id}", "sort": "name", "q": "a"}
        page = text_of(teacher.get(f"/instructor/reflections/{ids['Ben Carter']}", **origin))
        assert "Previous: Amara Okafor" in page and "Next: Dana Novak" in page
        assert "2 of 4" in page
        saved = teacher.post(
            f"/instructor/reflections/{ids['Ben Carter']}",
            {"feedback": "Thanks.", "then": "next", **origin, "status": "all"},
        )
        assert _follow(saved)[0] == f"/instructor/reflections/{ids['Dana Novak']}"


class TestFinding:
    def test_filter_and_search(self, canvas: Canvas, placed: Placed, app: Flask) -> None:
        _cohort(canvas, placed, NAMES[:2])
        draft_only = placed.launch(canvas, "student-d", name="Farid Haddad")
        write(draft_only, placed, "Half a thought")
        placed.launch(canvas, "student-n", name="Gail Ng")
        teacher = canvas.instructor(link="nav")
        rid = _ids(app)["Amara Okafor"]
        teacher.post(f"/instructor/reflections/{rid}", {"points": "6"})
        table = f"/instructor/prompts/{placed.prompt_id}"

        def names(status: str, **more: str) -> list[str]:
            body = text_of(teacher.get(table, status=status, **more)).split("<tbody>")
            everyone = [*NAMES[:2], "Farid Haddad", "Gail Ng"]
            return [n for n in everyone if len(body) > 1 and n in body[1].split("</tbody>")[0]]

        assert names("graded") == ["Amara Okafor"]
        assert names("awaiting_feedback") == ["Ben Carter"]
        assert names("draft") == ["Farid Haddad"]
        assert names("not_started") == ["Gail Ng"]
        assert names("all", q="CARTER") == ["Ben Carter"]
        assert names("bogus", sort="bogus") == [*NAMES[:2], "Farid Haddad", "Gail Ng"]
        queue = text_of(teacher.get("/instructor/queue", status="graded"))
        assert "Amara Okafor" in queue and "Ben Carter" not in queue

    def test_matrix_shows_every_cell_and_opens_reviews(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        _cohort(canvas, placed, NAMES[:2])
        placed.launch(canvas, "student-n", name="Gail Ng")
        teacher = canvas.instructor(link="nav")
        page = text_of(teacher.get("/instructor/matrix"))
        assert "Week 1" in page and "Gail Ng" in page
        rid = _ids(app)["Ben Carter"]
        assert f"/instructor/reflections/{rid}?" in page
        assert f"list=prompt-{placed.prompt_id}" in page and "Not started" in page

    def test_remind_list_and_workspace_count(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        _cohort(canvas, placed, NAMES[:1])
        write(placed.launch(canvas, "s-d", name="Farid Haddad", email="f@example.edu"), placed, "x")
        placed.launch(canvas, "s-n", name="Gail Ng")
        teacher = canvas.instructor(link="nav")
        page = text_of(teacher.get(f"/instructor/prompts/{placed.prompt_id}"))
        remind = page.split('id="remind"')[1]
        assert "Remind who has not submitted (2)" in page
        assert "Farid Haddad <f@example.edu>, Gail Ng</textarea>" in remind
        assert "Amara" not in remind and "1 without an e-mail address" in remind
        workspace = text_of(teacher.get("/instructor/workspace"))
        assert re.search(r'aria-label="Remind 2 for [^"]+">2</a>', workspace)


class TestChangesAndBank:
    def test_changes_since_an_earlier_version_beside_its_feedback(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        student = _cohort(canvas, placed, NAMES[:1])["Amara Okafor"]
        teacher = canvas.instructor(link="nav")
        url = f"/instructor/reflections/{_ids(app)['Amara Okafor']}"
        teacher.post(url, {"feedback": "Say what you did next."})
        submit(student, placed, "I explained the reason first. Then I thanked the driver.")
        page = text_of(teacher.get(url))
        changes = page.split('id="changes"')[1].split("</section>")[0]
        assert "Changes since version 1" in changes
        assert '<del><span class="visually-hidden">[removed: </span>' in changes
        assert '<ins><span class="visually-hidden">[added: </span>' in changes
        assert "Say what you did next." in changes

    def test_bank_is_shared_with_the_courses_other_instructors(
        self, canvas: Canvas, placed: Placed, app: Flask
    ) -> None:
        _cohort(canvas, placed, NAMES[:1])
        teacher = canvas.instructor(link="nav")
        kept = teacher.post(
            "/instructor/comment-bank", {"body": "Name the right.", "theme": "Rights"}
        )
        assert _follow(kept)[1]["notice"] == "banked"
        assert teacher.post("/instructor/comment-bank", {"body": " "}).status_code == 422
        assistant = canvas.instructor("ta-1", link="nav")
        review = text_of(assistant.get(f"/instructor/reflections/{_ids(app)['Amara Okafor']}"))
        assert 'data-bank-text="Name the right."' in review and "Rights:" in review
        other_course = canvas.instructor("teacher-9", link="nav", context="ctx-leaders")
        assert "Name the right." not in text_of(other_course.get("/instructor/comment-bank"))
        with app.app_context(), session_scope(app) as session:
            comment_id = session.scalars(select(BankComment.id)).one()
        gone = f"/instructor/comment-bank/{comment_id}/delete"
        assert other_course.post(gone).status_code == 404
        assert _follow(assistant.post(gone))[1]["notice"] == "unbanked"


@pytest.mark.parametrize(
    ("path", "query"),
    [
        ("/instructor/queue", {"status": "all"}),
        ("/instructor/prompts/{prompt}", {}),
        ("/instructor/matrix", {}),
        ("/instructor/reflections/{first}", {"list": "queue"}),
        ("/instructor/workspace", {}),
    ],
)
def test_statements_do_not_grow_with_the_cohort(
    canvas: Canvas, placed: Placed, app: Flask, path: str, query: dict[str, str]
) -> None:
    teacher = canvas.instructor(link="nav")
    counts = []
    for names in (NAMES[:2], [f"Extra {n}" for n in range(6)]):
        _cohort(canvas, placed, names)
        url = path.format(prompt=placed.prompt_id, first=min(_ids(app).values()))
        teacher.get(url, **query)  # the first visit marks the thread read; count a revisit
        with counting(app) as statements:
            assert teacher.get(url, **query).status_code == 200
        counts.append(len(statements))
    assert counts[0] == counts[1], counts
