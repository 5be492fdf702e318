"""Exporting a course (CSV of completion and grades, one readable document per participant)
and the completion report instructors download for certificates."""

from __future__ import annotations

import csv
import io
import stat
from html.parser import HTMLParser
from pathlib import Path

from flask import Flask
from sqlalchemy import select, update

from lti_tool.models import AuditAction, AuditEvent, OutboxItem, OutboxKind, OutboxStatus
from lti_tool.web import session_scope
from tests.reflections.conftest import Canvas, text_of

from .conftest import (
    AUTHOR,
    DRAFT,
    FEEDBACK,
    FIRST,
    GRADE_COMMENT,
    PEER,
    REPLY,
    SECOND,
    World,
)


def _rows(content: str) -> list[dict[str, str]]:
    assert content.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(content.removeprefix("\ufeff"))))


def _mark_grades_sent(app: Flask) -> None:
    with app.app_context(), session_scope(app) as session:
        session.execute(
            update(OutboxItem)
            .where(OutboxItem.kind == OutboxKind.GRADE)
            .values(status=OutboxStatus.SENT)
        )


def _export(app: Flask, world: World, out: Path) -> None:
    result = app.test_cli_runner().invoke(
        args=["course", "export", "--course-id", str(world.course_id), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    assert result.output == f"Exported 2 participants of course {world.course_id} to {out}.\n"


def test_export_writes_csv_and_documents(world: World, app: Flask, tmp_path: Path) -> None:
    _mark_grades_sent(app)
    out = tmp_path / "export"
    _export(app, world, out)
    grades = {row["Participant"]: row for row in _rows((out / "grades.csv").read_text())}
    assert grades[AUTHOR]["Status"] == "Graded" and grades[AUTHOR]["Versions"] == "2"
    assert grades[AUTHOR]["Score"] == "8" and grades[AUTHOR]["Points possible"] == "10"
    assert grades[AUTHOR]["Grade synced to Canvas"] == "sent"
    assert grades[AUTHOR]["Feedback messages received"] == "1"
    assert grades[PEER]["Status"] == "Draft" and grades[PEER]["Score"] == ""
    completion = _rows((out / "completion.csv").read_text())
    assert [row["Participant"] for row in completion] == [AUTHOR, PEER]
    for path in [out / "grades.csv", out / "completion.csv", *out.glob("reflections/*")]:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path


class _Document(HTMLParser):
    """The document's visible text, its language and every element used."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.lang: str | None = None
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        if tag == "html":
            self.lang = dict(attrs).get("lang")

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def test_documents_are_readable_and_escaped(world: World, app: Flask, tmp_path: Path) -> None:
    _export(app, world, tmp_path)
    documents = sorted((tmp_path / "reflections").glob("participant-*.html"))
    index = (tmp_path / "reflections" / "index.html").read_text()
    assert all(f'href="{path.name}"' in index for path in documents)
    author = next(p.read_text() for p in documents if AUTHOR in p.read_text())
    parsed = _Document()
    parsed.feed(author)
    text = "".join(parsed.text)
    assert parsed.lang == "en" and "script" not in parsed.tags and "b" not in parsed.tags
    for passage in (FIRST, SECOND, FEEDBACK, REPLY, GRADE_COMMENT, "The driver & I talked."):
        assert passage in text
    assert "&lt;b&gt;calmly&lt;/b&gt;" in author and "Version 1" in text and "Version 2" in text
    assert "@media print" in author and "Draft not submitted" not in text
    peer = next(p.read_text() for p in documents if PEER in p.read_text())
    assert "Draft not submitted" in peer and DRAFT in peer


def test_export_is_recorded_and_unknown_course_refused(
    world: World, app: Flask, tmp_path: Path
) -> None:
    _export(app, world, tmp_path)
    with app.app_context(), session_scope(app) as session:
        event = session.scalars(select(AuditEvent).order_by(AuditEvent.id.desc())).first()
    assert event is not None and event.action == AuditAction.COURSE_EXPORTED
    assert event.actor_role == "admin" and event.detail == "2 participants"
    missing = app.test_cli_runner().invoke(
        args=["course", "export", "--course-id", "999", "--out", str(tmp_path / "x")]
    )
    assert missing.exit_code != 0 and "No course 999" in missing.output


def test_instructor_downloads_the_completion_report(world: World, app: Flask) -> None:
    workspace = text_of(world.teacher.get("/instructor/workspace"))
    assert "Download the completion report (CSV)" in workspace
    response = world.teacher.get("/instructor/completion.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="completion-course-{world.course_id}.csv"'
    )
    rows = {row["Participant"]: row for row in _rows(text_of(response))}
    assert rows[AUTHOR] == {
        "Participant": AUTHOR,
        "Canvas user id": "student-a",
        "Week 1 submitted (of 1)": "1",
        "Reflections submitted": "1",
        "Prompts": "1",
        "Reflections with feedback": "1",
        "Feedback messages received": "1",
        "Grades synced to Canvas": "0",
        "All submitted": "yes",
    }
    assert rows[PEER]["Reflections submitted"] == "0" and rows[PEER]["All submitted"] == "no"
    _mark_grades_sent(app)
    again = _rows(text_of(world.teacher.get("/instructor/completion.csv")))
    assert again[0]["Grades synced to Canvas"] == "1"
    assert "Downloaded the completion report" in text_of(world.teacher.get("/instructor/activity"))
    assert world.author.get("/instructor/completion.csv").status_code == 403


def test_report_leaves_out_student_view_and_neutralises_formulas(
    world: World, canvas: Canvas, app: Flask
) -> None:
    world.placed.launch(canvas, "student-view", name="Test Student", test_user=True)
    world.placed.launch(canvas, "student-c", name='=HYPERLINK("http://evil")')
    rows = _rows(text_of(world.teacher.get("/instructor/completion.csv")))
    names = [row["Participant"] for row in rows]
    assert "Test Student" not in names and '\'=HYPERLINK("http://evil")' in names


def test_report_command(world: World, app: Flask, tmp_path: Path) -> None:
    runner = app.test_cli_runner()
    listing = runner.invoke(args=["course", "list"]).output
    assert f"{world.course_id:>5}  CTX-OFFICERS  Course ctx-officers" in listing
    args = ["course", "report", "--course-id", str(world.course_id)]
    printed = runner.invoke(args=args)
    assert printed.exit_code == 0 and printed.output.startswith("Participant,Canvas user id,")
    target = tmp_path / "report.csv"
    written = runner.invoke(args=[*args, "--out", str(target)])
    assert (
        written.exit_code == 0
        and _rows(target.read_text(encoding="utf-8"))[0]["Participant"] == AUTHOR
    )
