"""The whole story in Chromium, once with third-party cookies allowed and once blocked: an admin
installs the tool by dynamic registration (pasting the operator's installation link), the
instructor places an Officers week-1 prompt by deep linking, a participant writes (autosave,
reload, a server restart mid-draft) and submits, the instructor comments and grades, the demo
gradebook shows the score and the submission, and the participant's reply reaches the instructor
as unread.

Every page is screenshotted and checked by axe (no serious or critical violation).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import FrameLocator, Locator, Page, expect

from tests.browser.harness import Camera, CookieMode, Person, PersonFactory, tab_until
from tests.browser.site import BrowserSite
from tests.platform import invite_path

pytestmark = pytest.mark.browser

PROGRAM = "Officers: Rights-Based Policing (introductory)"
PROMPT = "The first impression you acted on"
PARTICIPANT = "Amara Okafor"
DRAFT = "At a routine stop I judged the driver by his car before he said a word."
AFTER_RESTART = " Then I slowed down and asked what he needed."
FEEDBACK = "You noticed the moment your judgement formed. What did slowing down change?"
REPLY = "It gave him room to explain, and the stop ended calmly."
SAVED = re.compile(r"^Saved ")
UNREACHABLE = re.compile(r"^Not saved: the server cannot be reached")
AUTOSAVE_MS = 4_000
RETRY_MS = 10_000
"""The editor's delays (static/js/editor.js): autosave after typing, retry after a failure."""


@pytest.mark.parametrize("mode", [CookieMode.ALLOWED, CookieMode.BLOCKED])
def test_walkthrough(
    fresh_site: BrowserSite, people: PersonFactory, camera: Camera, mode: CookieMode
) -> None:
    site = fresh_site
    site.turn_off_seeded_key()
    admin = people(site, mode, "instructor")
    install_by_dynamic_registration(admin, camera, admin.tool_url + invite_path(site.app))
    place_week_one_prompt(admin, camera)

    participant = people(site, mode, "participant1")
    participant.control_timers()
    write_through_a_restart(site, participant, camera)
    submit(participant, camera)

    comment_and_grade(admin, camera)
    gradebook_shows_the_grade(admin, camera)

    read_feedback_and_reply(participant, camera)
    unread_reply_reaches_the_instructor(admin, camera)


def install_by_dynamic_registration(admin: Person, camera: Camera, invite_url: str) -> None:
    """The Canvas admin pastes the installation link the tool's operator made for them."""
    page = admin.page
    page.get_by_role("link", name="Admin").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Account admin")
    page.get_by_label("Tool registration URL").fill(invite_url)
    camera.check(page, "admin")
    page.get_by_role("button", name="Install").click()
    tool = admin.tool()
    expect(tool.get_by_role("heading", level=1)).to_have_text("Install the reflections tool")
    camera.check(page, "registration")
    tool.get_by_role("button", name="Install").click()
    expect(page.get_by_role("status")).to_contain_text("The tool finished registering")
    keys = page.get_by_role("region", name="Developer keys")
    turned_on = keys.get_by_role("row").filter(has=page.get_by_role("cell", name="On", exact=True))
    expect(turned_on).to_have_count(1)
    expect(turned_on).to_contain_text("assignment_selection")
    camera.check(page, "registered")


def place_week_one_prompt(instructor: Person, camera: Camera) -> None:
    page = instructor.page
    instructor.open_course("Officers")
    week_one = page.get_by_role("region", name="Week 1")
    week_one.get_by_role("button", name=re.compile("^Add a link from Reflections")).click()
    tool = instructor.wait_for_tool()
    instructor.assert_launch_path()
    expect(tool.get_by_role("heading", level=1)).to_contain_text("Choose the program")
    camera.check(page, "choose-program")
    tool.get_by_role("radio", name=PROGRAM).check()
    tool.get_by_role("button", name="Use this program").click()
    expect(tool.get_by_role("heading", level=1)).to_have_text("Place a reflection prompt")
    camera.check(page, "deep-link")
    tool.get_by_role("radio", name=PROMPT).check()
    tool.get_by_role("button", name="Place in Canvas").click()
    expect(page).to_have_url(re.compile(r"/demo/courses/\d+$"))
    item = page.get_by_role("region", name="Week 1").get_by_role("listitem").filter(has_text=PROMPT)
    item.get_by_role("button", name=f"Publish {PROMPT}").click()
    expect(item.get_by_role("button", name=f"Unpublish {PROMPT}")).to_be_visible()
    camera.check(page, "placed-and-published")


def editor(tool: FrameLocator) -> Locator:
    return tool.get_by_role("textbox", name=re.compile("^Your reflection"))


def write_through_a_restart(site: BrowserSite, participant: Person, camera: Camera) -> None:
    tool = participant.open_item("Officers", PROMPT)
    participant.assert_launch_path()
    expect(tool.get_by_role("heading", level=1)).to_have_text(PROMPT)
    status = tool.locator("#save-status[role=status]")
    editor(tool).press_sequentially(DRAFT)
    expect(status).to_have_text("Unsaved changes")
    participant.skip(AUTOSAVE_MS)
    expect(status).to_have_text(SAVED)
    camera.check(participant.page, "draft-autosaved")

    participant.page.reload()
    tool = participant.wait_for_tool()
    expect(editor(tool)).to_have_value(DRAFT)
    expect(status).to_contain_text("Draft saved")
    camera.check(participant.page, "draft-after-reload")

    site.stop()
    editor(tool).press("End")
    editor(tool).press_sequentially(AFTER_RESTART)
    participant.skip(AUTOSAVE_MS)
    expect(status).to_have_text(UNREACHABLE)
    camera.check(participant.page, "server-down")
    site.start()
    participant.skip(RETRY_MS)
    expect(status).to_have_text(SAVED)

    participant.page.reload()
    tool = participant.wait_for_tool()
    expect(editor(tool)).to_have_value(DRAFT + AFTER_RESTART)


def submit(participant: Person, camera: Camera) -> None:
    tool = participant.tool()
    tool.get_by_role("button", name="Submit reflection").click()
    expect(tool.get_by_role("status").first).to_contain_text("Your reflection is submitted")
    expect(tool.get_by_role("region", name="Your submitted reflection")).to_contain_text(DRAFT)
    expect(tool.get_by_text("Revise: write version 2")).to_be_visible()  # a new draft, closed
    camera.check(participant.page, "submitted")


def comment_and_grade(instructor: Person, camera: Camera) -> None:
    tool = instructor.open_item("Officers", PROMPT)
    instructor.assert_launch_path()
    camera.check(instructor.page, "instructor-prompt")
    tool.get_by_role("link", name="Feedback queue").click()
    expect(tool.get_by_role("heading", level=1)).to_have_text("Feedback queue")
    camera.check(instructor.page, "feedback-queue")
    tool.get_by_role("row").filter(has_text=PROMPT).get_by_role("link", name=PARTICIPANT).click()
    expect(tool.get_by_role("heading", level=1)).to_have_text(f"{PARTICIPANT}: {PROMPT}")
    expect(tool.locator(".saved-text").first).to_contain_text(DRAFT + AFTER_RESTART)
    tool.get_by_label("Feedback for the participant").fill(FEEDBACK)
    tool.get_by_label("Ask the participant to reply").check()
    tool.get_by_label(re.compile(r"^Points for version 1")).fill("8")
    tool.get_by_role("button", name="Save", exact=True).click()
    expect(tool.get_by_role("status").first).to_contain_text("Your review is saved")
    camera.check(instructor.page, "commented-and-graded")


def gradebook_shows_the_grade(instructor: Person, camera: Camera) -> None:
    page = instructor.page
    instructor.open_course("Officers")
    page.get_by_role("link", name="Grades").click()
    link = page.get_by_role("link", name=f"Submission of {PARTICIPANT} for {PROMPT}")
    cell = page.get_by_role("cell").filter(has=link)
    reload_until(page, cell, re.compile(r"^\s*8\b"))
    camera.check(page, "gradebook")
    link.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"{PROMPT}: {PARTICIPANT}")
    tool = instructor.wait_for_tool()
    expect(tool.get_by_role("heading", level=1)).to_have_text(f"{PARTICIPANT}: {PROMPT}")
    expect(tool.locator(".saved-text").first).to_contain_text(DRAFT + AFTER_RESTART)
    instructor.assert_launch_path()
    camera.check(page, "speedgrader")


def reload_until(page: Page, cell: Locator, text: re.Pattern[str], attempts: int = 20) -> None:
    """The grade reaches Canvas just after the response that saved it: reload until it shows."""
    for _ in range(attempts):
        if cell.count() and text.search(cell.inner_text()):
            return
        page.wait_for_timeout(250)
        page.reload()
    expect(cell).to_have_text(text)


def read_feedback_and_reply(participant: Person, camera: Camera) -> None:
    tool = participant.open_item("Officers", PROMPT)
    thread = tool.get_by_role("region", name=re.compile("^Feedback and replies"))
    expect(thread).to_contain_text(FEEDBACK)
    expect(thread).to_contain_text("Reply requested")
    expect(tool.get_by_role("region", name="Grade", exact=True)).to_contain_text("8 / 10")
    camera.check(participant.page, "feedback-received")
    participant.page.locator("body").focus()  # by keyboard alone, from the top of Canvas's page
    tab_until(participant, {"id": "body", "in_tool": True}, limit=150)
    participant.page.keyboard.type(REPLY)
    tab_until(participant, {"text": "Send reply", "in_tool": True}, limit=3)
    participant.page.keyboard.press("Enter")
    expect(tool.get_by_role("status").first).to_contain_text("Your reply is sent")
    expect(thread).to_contain_text(REPLY)
    camera.check(participant.page, "replied")


def unread_reply_reaches_the_instructor(instructor: Person, camera: Camera) -> None:
    tool = instructor.open_item("Officers", PROMPT)
    row = tool.get_by_role("row").filter(has_text=PARTICIPANT)
    expect(row).to_contain_text("1 unread")
    camera.check(instructor.page, "unread-reply")
    row.get_by_role("link", name=PARTICIPANT).click()
    expect(tool.get_by_role("region", name=re.compile("^Feedback thread"))).to_contain_text(REPLY)
    camera.check(instructor.page, "reply-read")
