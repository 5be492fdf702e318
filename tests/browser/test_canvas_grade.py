"""A grade typed in SpeedGrader, then another in the tool, in Chromium against the demo Canvas with
no worker started by the test: the tool shows both values (never "Synced"), the participant sees
Canvas's grade, and the instructor sends the tool's grade over Canvas's.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from tests.browser.harness import Camera, CookieMode, Person, PersonFactory
from tests.browser.site import BrowserSite

pytestmark = pytest.mark.browser

PROMPT = "Week 1 reflection"
PARTICIPANT = "Amara Okafor"


def test_a_speedgrader_grade_then_a_tool_grade(
    fresh_site: BrowserSite, people: PersonFactory, camera: Camera
) -> None:
    site = fresh_site
    site.install_seeded_key()
    participant = people(site, CookieMode.ALLOWED, "participant1")
    tool = participant.open_item("Officers", PROMPT)
    tool.get_by_role("textbox", name=re.compile("^Your reflection")).fill("I slowed down.")
    tool.get_by_role("button", name="Submit reflection").click()
    expect(tool.get_by_role("status").first).to_contain_text("Your reflection is submitted")

    instructor = people(site, CookieMode.ALLOWED, "instructor")
    grade_in_speedgrader(instructor, "7")
    review = open_review(instructor)
    expect(review.locator("#canvas-sync-state")).to_contain_text("Graded in Canvas")
    review.get_by_label(re.compile(r"^Points for version 1")).fill("6")
    review.get_by_role("button", name="Save", exact=True).click()
    expect(review.get_by_role("status").first).to_contain_text("Your review is saved")

    reload_review_until(instructor, lambda tool: tool.locator(".canvas-grade"), "Canvas holds: 7")
    review = instructor.tool()
    differs = review.get_by_role("group").filter(has_text="Canvas has another grade")
    expect(differs).to_contain_text("The tool's grade: 6 / 10. Canvas holds: 7 / 10.")
    expect(review.locator("#canvas-sync-state")).not_to_contain_text("Synced")
    camera.check(instructor.page, "canvas-has-another-grade")

    tool = participant.open_item("Officers", PROMPT)
    expect(tool.locator("#canvas-grade-status")).to_contain_text(
        "The Canvas gradebook shows 7 / 10: that is the grade that counts."
    )
    camera.check(participant.page, "participant-sees-canvas-grade")

    review = open_review(instructor)
    review.get_by_role("button", name="Send the tool's grade (6 / 10) to Canvas").click()
    reload_review_until(instructor, lambda tool: tool.locator("#canvas-sync-state"), "Synced")
    expect(instructor.tool().locator("#canvas-sync-state")).to_have_text(
        "In Canvas: Synced (6 / 10)."
    )
    instructor.open_course("Officers")
    instructor.page.get_by_role("link", name="Grades").click()
    cell = instructor.page.get_by_role("cell").filter(
        has=instructor.page.get_by_role("link", name=f"Submission of {PARTICIPANT} for {PROMPT}")
    )
    expect(cell).to_have_text(re.compile(r"^\s*6\b"))


def grade_in_speedgrader(instructor: Person, points: str) -> None:
    page = instructor.page
    instructor.open_course("Officers")
    page.get_by_role("link", name="Grades").click()
    link = page.get_by_role("link", name=f"Submission of {PARTICIPANT} for {PROMPT}")
    reload_until(page, link)
    link.click()
    page.get_by_label("Grade by hand").fill(points)
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text(f"Score: {points} out of 10")).to_be_visible()


def open_review(instructor: Person) -> FrameLocator:
    tool = instructor.open_item("Officers", PROMPT)
    tool.get_by_role("link", name=PARTICIPANT).click()
    expect(tool.get_by_role("heading", level=1)).to_contain_text(f"{PARTICIPANT}: ")
    return tool


def reload_until(page: Page, locator: Locator, attempts: int = 40) -> None:
    for _ in range(attempts):
        if locator.count():
            return
        page.wait_for_timeout(250)
        page.reload()
    expect(locator).to_be_visible()


def reload_review_until(instructor: Person, find: object, text: str, attempts: int = 40) -> None:
    """Delivery and read-back happen after the answer: open the page again until it shows."""
    for _ in range(attempts):
        located = find(instructor.tool())  # type: ignore[operator]
        if located.count() and text in located.first.inner_text():
            return
        instructor.page.wait_for_timeout(250)
        open_review(instructor)
    expect(find(instructor.tool()).first).to_contain_text(text)  # type: ignore[operator]
