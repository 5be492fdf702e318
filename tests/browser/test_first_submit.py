"""Autosave, then a first submit, in Chromium against the demo Canvas, with no worker started by
the test: the submission reaches the Canvas gradebook.

Chromium resets the submit's connection when an autosave is still on its way (what the bug
report's participants hit): delivery must not depend on that connection ending cleanly.
"""

from __future__ import annotations

import re
import time

import pytest
from playwright.sync_api import Route, expect

from tests.browser.harness import CookieMode, PersonFactory
from tests.browser.site import BrowserSite

pytestmark = pytest.mark.browser

PROMPT = "Week 1 reflection"
PARTICIPANT = "Amara Okafor"
AUTOSAVE_DELAY_S = 1.0


def test_autosave_then_a_first_submit_reaches_the_gradebook(
    fresh_site: BrowserSite, people: PersonFactory
) -> None:
    site = fresh_site
    site.install_seeded_key()
    participant = people(site, CookieMode.ALLOWED, "participant1")
    tool = participant.open_item("Officers", PROMPT)
    editor = tool.get_by_role("textbox", name=re.compile("^Your reflection"))
    status = tool.locator("#save-status")
    editor.press_sequentially("At a routine stop I judged the driver by his car.")
    expect(status).to_have_text(re.compile("^Saved "))

    def slow_autosave(route: Route) -> None:
        time.sleep(AUTOSAVE_DELAY_S)
        route.continue_()

    participant.page.route(re.compile(r".*/draft$"), slow_autosave)
    editor.press_sequentially(" Then I asked what he needed.")
    expect(status).to_have_text("Saving…")
    tool.get_by_role("button", name="Submit reflection").click()
    expect(tool.get_by_role("status").first).to_contain_text("Your reflection is submitted")

    instructor = people(site, CookieMode.ALLOWED, "instructor")
    instructor.open_course("Officers")
    instructor.page.get_by_role("link", name="Grades").click()
    submission = instructor.page.get_by_role(
        "link", name=f"Submission of {PARTICIPANT} for {PROMPT}"
    )
    for _ in range(40):
        if submission.count():
            break
        instructor.page.wait_for_timeout(250)
        instructor.page.reload()
    expect(submission).to_be_visible()
