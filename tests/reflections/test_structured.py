"""The Leaders' week-6 assessment, written one section at a time: headings kept in the text,
words counted per section, earlier reflections beside it, and the sections kept in exports."""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask
from sqlalchemy import select

from lti_tool.models import Course, ReflectionVersion
from lti_tool.services.programs import get_program
from lti_tool.services.sections import compose, split, written_words
from lti_tool.web import session_scope
from tests.reflections.conftest import Canvas, Person, Placed, submit, text_of

CONTEXT = "ctx-leaders"


def _outline() -> tuple[str, ...]:
    program = get_program("leaders")
    assert program is not None
    item = program.prompt("leaders-change-assessment")
    assert item is not None
    return item.outline


def _place(canvas: Canvas, source: str, link: str) -> Placed:
    item = canvas.place({"source": source}, program="leaders", context=CONTEXT)
    return Placed(int(item["custom"]["prompt_id"]), dict(item["custom"]), link=link)


def _revision(person: Person, placed: Placed) -> str:
    page = text_of(person.get(placed.page))
    return re.search(r'name="revision" value="(\d+)"', page).group(1)  # type: ignore[union-attr]


def test_compose_and_split_are_inverse_and_keep_stray_text() -> None:
    outline = ("First", "Second")
    text = compose(outline, ["One two.", "- a list\n- of items"])
    assert text == "## First\n\nOne two.\n\n## Second\n\n- a list\n- of items\n"
    assert [s.body for s in split(outline, text)] == ["One two.", "- a list\n- of items"]
    assert written_words(outline, text) == 8
    assert split(outline, "Written before the outline.")[0].body == "Written before the outline."
    assert compose(outline, ["", "  "]) == ""


def test_the_assessment_is_written_section_by_section(canvas: Canvas, app: Flask) -> None:
    outline = _outline()
    week_one = _place(canvas, "leaders-rights-culture", "rl-w1")
    assessment = _place(canvas, "leaders-change-assessment", "rl-w6")
    leader = week_one.launch(canvas, "leader-1", context=CONTEXT)
    submit(leader, week_one, "My team watches how I talk about stops.")

    page = text_of(assessment.launch(canvas, "leader-1", context=CONTEXT).landing)
    for number, heading in enumerate(outline):
        assert f'<label for="section-{number}">{number + 1}. {heading}</label>' in page
    assert "Your earlier reflections" in page  # the side panel, read-only
    assert "My team watches how I talk about stops." in page
    assert "Cover these sections" not in page

    bodies = {
        f"section-{n}": f"Point {n} about {heading.lower()}." for n, heading in enumerate(outline)
    }
    answer = leader.post(
        f"{assessment.page}/submit", {**bodies, "revision": _revision(leader, assessment)}
    )
    assert answer.status_code == 303, text_of(answer)[:500]
    with app.app_context(), session_scope(app) as session:
        version = session.scalars(
            select(ReflectionVersion).order_by(ReflectionVersion.id.desc())
        ).first()
        assert version is not None
        for heading in outline:
            assert f"## {heading}\n" in version.text
        assert version.word_count == written_words(outline, version.text)
        assert version.word_count == sum(len(b.split()) for b in bodies.values())

    page = text_of(leader.get(assessment.page))
    assert f'<h3 class="section-heading">{outline[0]}</h3>' in page
    assert "Print your submitted reflection" in page
    assert f">{bodies['section-1']}</textarea>" in page  # the new draft starts from it


def test_the_export_keeps_the_sections(canvas: Canvas, app: Flask, tmp_path: Path) -> None:
    outline = _outline()
    assessment = _place(canvas, "leaders-change-assessment", "rl-w6")
    leader = assessment.launch(canvas, "leader-1", context=CONTEXT)
    text = compose(outline, [f"Body {n}." for n in range(len(outline))])
    submit(leader, assessment, text)
    with app.app_context(), session_scope(app) as session:
        course_id = session.scalars(select(Course.id)).one()
    out = tmp_path / "export"
    result = app.test_cli_runner().invoke(
        args=["course", "export", "--course-id", str(course_id), "--out", str(out)]
    )
    assert result.exit_code == 0, result.output
    documents = [p for p in (out / "reflections").glob("*.html") if p.name != "index.html"]
    document = documents[0].read_text()
    for number, heading in enumerate(outline):
        assert f'<h4 class="section">{heading}</h4>' in document
        assert f"Body {number}." in document
    assert "## " not in document
