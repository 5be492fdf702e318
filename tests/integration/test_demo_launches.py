"""Launches through the demo Canvas over real HTTP: Canvas's login form, its authorize checks and
its id_token, into the tool, for each kind of person in both demo courses."""

from __future__ import annotations

import html

import pytest
from flask import Flask
from sqlalchemy import select

from demo_canvas.seed import SEEDED_BANK_PROMPTS
from lti_tool.models import CourseRole, Enrollment, Person
from lti_tool.services.programs import find_bank_prompt
from lti_tool.web import session_scope
from tests.demo_browser import DemoSite, landing_path


@pytest.mark.parametrize(
    ("login_id", "course", "landing"),
    [
        ("participant1", "Officers", "/participant/"),
        ("participant5", "Leaders", "/participant/"),
        ("instructor", "Officers", "/instructor/"),
        ("instructor", "Leaders", "/instructor/"),
        ("ta", "Officers", "/instructor/"),
        ("test_student", "Officers", "/participant/"),
    ],
)
def test_launch_from_a_module_item(
    site: DemoSite, login_id: str, course: str, landing: str
) -> None:
    page = site.browser(login_id).launch_item(course, "Week 1 reflection")
    assert page.response.status_code == 200, page.text[:500]
    assert landing_path(page) == landing


def test_an_instructor_launch_brings_in_the_roster(site: DemoSite, app: Flask) -> None:
    """Names and roles of people who never opened the tool arrive with the instructor's launch."""
    page = site.browser("instructor").launch_item("Officers", "Week 1 reflection")
    assert page.response.status_code == 200
    with app.app_context(), session_scope(app) as session:
        enrolled = dict(
            session.execute(
                select(Person.name, Enrollment.role).join(
                    Enrollment, Enrollment.person_id == Person.id
                )
            ).all()
        )
    assert enrolled["Dana Novak"] == CourseRole.PARTICIPANT  # participant4, never launched
    assert enrolled["Tomas Reyes"] == CourseRole.INSTRUCTOR  # the TA


def test_a_second_launch_needs_a_new_message_hint(site: DemoSite) -> None:
    browser = site.browser("participant1")
    home = browser.get(site.demo_url + "/demo/")
    item = browser.get(browser.get(home.link("Officers")).link("Week 1 reflection"))
    assert landing_path(browser.launch_from(item)) == "/participant/"
    replay = browser.launch_from(item)
    assert replay.response.status_code == 400 and "Canvas could not start the tool" in replay.text
    assert "The launch has either expired or already been consumed" in replay.text


def test_someone_else_signed_in_to_canvas_is_refused(site: DemoSite) -> None:
    browser = site.browser("participant1")
    home = browser.get(site.demo_url + "/demo/")
    item = browser.get(browser.get(home.link("Officers")).link("Week 1 reflection"))
    browser.sign_in("participant2")
    refused = browser.launch_from(item)
    assert refused.response.status_code == 400 and "Canvas could not start the tool" in refused.text
    assert "Must have an active user session" in refused.text


@pytest.mark.parametrize(("course", "week"), [("Officers", 1), ("Leaders", 6)])
def test_seeded_courses_come_with_prompts(site: DemoSite, course: str, week: int) -> None:
    found = find_bank_prompt(SEEDED_BANK_PROMPTS[course.upper()][week]["prompt_bank"])
    assert found is not None
    page = site.browser("participant3").launch_item(course, f"Week {week} reflection")
    assert page.response.status_code == 200
    assert html.escape(found[1].title) in page.text and "<textarea" in page.text
