"""Every prompt placed in a course is known from the start: read from Canvas's line items over
real HTTP (the demo Canvas), not learned one link at a time as people open them."""

from __future__ import annotations

import csv
import io

from flask import Flask
from sqlalchemy import select

from lti_tool.models import AuditAction, AuditEvent, Prompt
from lti_tool.web import session_scope
from tests.demo_browser import DemoBrowser, DemoSite, Page


def _tool_page(browser: DemoBrowser, landing: Page, link_text: str) -> Page:
    return browser.get(landing.link(link_text))


def _choose_program(browser: DemoBrowser, landing: Page, program: str) -> Page:
    form = landing.form(action="/instructor/program")
    return browser.submit(landing, form, program=program)


def test_a_prompt_never_opened_appears_in_all_four_places(site: DemoSite, app: Flask) -> None:
    """Nobody has opened Week 2's link; instructors see it anyway, with Canvas's own title.
    Participants see a placed prompt once Canvas has launched a learner into it (the assignment
    may still be an unpublished draft until then: issue 12's privacy rule)."""
    participant = site.browser("participant1")
    mine = participant.launch_item("Officers", "Course reflections")
    assert mine.response.status_code == 200, mine.text[:500]
    assert "Week 2 reflection" not in mine.text
    assert "open a reflection from your course's modules" in mine.text

    instructor = site.browser("instructor")
    landing = instructor.launch_item("Officers", "Course reflections")
    workspace = _choose_program(instructor, landing, "officers")
    assert workspace.response.status_code == 200, workspace.text[:500]
    assert "Week 2 reflection" in workspace.text

    prompt_table = _tool_page(instructor, workspace, "Week 2 reflection")
    assert prompt_table.response.status_code == 200
    assert "Amara Okafor" in prompt_table.text  # every participant, none started

    assert "Participants do not see this prompt yet" in prompt_table.text
    mine = participant.launch_item("Officers", "Course reflections")
    assert "Week 2 reflection" not in mine.text  # the title of a possible draft stays private
    assert "Not open yet" in mine.text  # the week itself is the program's, known to everyone

    report = instructor.http.get(workspace.link("Download the completion report"), timeout=30)
    header = next(csv.reader(io.StringIO(report.text)))
    assert "Week 1 submitted (of 1)" in header and "Week 2 submitted (of 1)" in header

    with app.app_context(), session_scope(app) as session:
        week_two = session.scalars(select(Prompt).where(Prompt.week == 2)).one()
        assert week_two.canvas_title == "Week 2 reflection"
        assert week_two.resource_link_id is not None  # tied to the link Canvas reported

    site.browser("participant2").launch_item("Officers", "Week 2 reflection")
    mine = participant.launch_item("Officers", "Course reflections")
    assert "Week 2 reflection" in mine.text and "Week 1 reflection" not in mine.text


def test_an_instructor_shows_a_placed_prompt_before_anyone_opened_it(
    site: DemoSite, app: Flask
) -> None:
    """The instructor knows the assignment is published; one click shows it to participants."""
    instructor = site.browser("instructor")
    landing = instructor.launch_item("Officers", "Course reflections")
    workspace = _choose_program(instructor, landing, "officers")
    prompt_table = _tool_page(instructor, workspace, "Week 1 reflection")
    release = next(f for f in prompt_table.forms if f.attrs.get("action", "").endswith("/release"))
    shown = instructor.submit(prompt_table, release)
    assert shown.response.status_code == 200
    assert "Participants now see this prompt" in shown.text
    assert not any(f.attrs.get("action", "").endswith("/release") for f in shown.forms)

    mine = site.browser("participant3").launch_item("Officers", "Course reflections")
    assert "Week 1 reflection" in mine.text
    with app.app_context(), session_scope(app) as session:
        week_one = session.scalars(select(Prompt).where(Prompt.week == 1)).one()
        assert week_one.released_at is not None
        actions = session.scalars(select(AuditEvent.action)).all()
    assert AuditAction.PROMPT_RELEASED in actions


def test_opening_a_known_prompt_uses_it_instead_of_making_another(
    site: DemoSite, app: Flask
) -> None:
    participant = site.browser("participant2")
    participant.launch_item("Officers", "Course reflections")
    page = participant.launch_item("Officers", "Week 2 reflection")
    assert page.response.status_code == 200 and "<textarea" in page.text
    with app.app_context(), session_scope(app) as session:
        assert len(session.scalars(select(Prompt)).all()) == 2
