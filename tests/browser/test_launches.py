"""Launches for every kind of person from the demo Canvas's modules, with third-party cookies
allowed and blocked; accessibility (axe, keyboard alone, focus, 320 px) and `lti.frameResize`.

The demo's seeded developer key is installed (as `make run` does), and the seeded Officers week-1
item carries a bank prompt, so launching it opens the writing page directly.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.harness import (
    Camera,
    CookieMode,
    Person,
    PersonFactory,
    SiteFactory,
    focused,
    tab_until,
)
from tests.browser.site import BrowserSite

pytestmark = pytest.mark.browser

BANK_PROMPT = "officers-rights-prevention"
PROMPT_TITLE = "Week 1 reflection"
"""The tool shows the Canvas assignment's name (the bank prompt is "Rights as prevention on an
ordinary shift")."""
SEEDED_PROMPTS = {"OFFICERS": {1: {"program": "officers", "prompt_bank": BANK_PROMPT}}}
MODES = [CookieMode.ALLOWED, CookieMode.BLOCKED]


@pytest.fixture(scope="module")
def site(new_site: SiteFactory) -> BrowserSite:
    site = new_site(DEMO_CANVAS_SEED_PROMPTS=SEEDED_PROMPTS)
    site.install_seeded_key()
    return site


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize(
    ("login_id", "course", "heading"),
    [
        pytest.param("participant1", "Officers", PROMPT_TITLE, id="participant"),
        pytest.param("test_student", "Officers", PROMPT_TITLE, id="student-view"),
        pytest.param("instructor", "Officers", PROMPT_TITLE, id="instructor"),
        pytest.param("ta", "Officers", PROMPT_TITLE, id="ta"),
        pytest.param("participant5", "Leaders", "My reflections", id="participant-no-prompt"),
        pytest.param("instructor", "Leaders", "Choose the program for", id="instructor-no-program"),
    ],
)
def test_a_module_item_launches_for_each_role(
    site: BrowserSite,
    people: PersonFactory,
    camera: Camera,
    mode: CookieMode,
    login_id: str,
    course: str,
    heading: str,
) -> None:
    person = people(site, mode, login_id)
    tool = person.open_item(course, "Week 1 reflection")
    expect(tool.get_by_role("heading", level=1)).to_contain_text(heading)
    person.assert_launch_path()
    camera.check(person.page, f"{login_id}-{course.lower()}-week-1")
    assert_frame_resized(person)


def assert_frame_resized(person: Person) -> None:
    """The tool asked the demo page to size its iframe, and the demo did."""
    person.wait_for_message("lti.frameResize")
    sizes = [m for m in person.messages("lti.frameResize") if m["origin"] == person.tool_url]
    assert sizes, "lti.frameResize came from somewhere else than the tool"
    height = int(sizes[-1]["data"]["height"])
    frame_style = person.page.locator("#tool_content").get_attribute("style") or ""
    assert f"height: {height}px" in frame_style


def test_the_frame_follows_the_page_height_both_ways(
    site: BrowserSite, people: PersonFactory
) -> None:
    person = people(site, CookieMode.ALLOWED, "participant1")
    tool = person.open_item("Officers", "Week 1 reflection")
    tall = frame_fitted_to_page(person)
    tool.get_by_role("link", name="My reflections", exact=True).click()
    expect(tool.get_by_role("heading", level=1)).to_have_text("My reflections")
    short = frame_fitted_to_page(person)
    assert short < tall - 200, f"the frame stayed {short}px after a {tall}px page"


def frame_fitted_to_page(person: Person, attempts: int = 100) -> int:
    """Wait (polling) until the demo has sized the iframe to the tool page's content height."""
    frame, sizes = person.tool_frame(), (0, 0)
    for _ in range(attempts):
        content = frame.evaluate("() => document.documentElement.getBoundingClientRect().height")
        style = person.page.locator("#tool_content").evaluate("f => f.style.height")
        sizes = (int(style.removesuffix("px") or 0), round(content))
        if abs(sizes[0] - sizes[1]) <= 4:
            return sizes[0]
        person.page.wait_for_timeout(50)
    raise AssertionError(f"the frame is {sizes[0]}px for {sizes[1]}px of content")


@pytest.mark.parametrize(
    ("mode", "script", "heading", "fallback"),
    [
        (CookieMode.ALLOWED, "login.js", "Opening the reflections tool", None),
        (CookieMode.BLOCKED, "launch-verify.js", "Checking your launch", "#verify-failed"),
    ],
)
def test_the_pages_a_launch_passes_through_are_accessible(
    site: BrowserSite,
    people: PersonFactory,
    camera: Camera,
    mode: CookieMode,
    script: str,
    heading: str,
    fallback: str | None,
) -> None:
    """They flash by when all goes well; held here (their script blocked), with the text they
    show when it does not, for axe."""
    person = people(site, mode, "participant4")
    person.page.route(f"**/static/js/{script}", lambda route: route.abort())
    person.open_course("Officers")
    person.page.get_by_role("link", name="Week 1 reflection", exact=True).click()
    expect(person.tool().locator("main h1")).to_contain_text(heading)
    if fallback:
        person.tool_frame().evaluate(f"document.querySelector('{fallback}').hidden = false")
        expect(person.tool().locator(fallback)).to_be_visible()
    camera.check(person.page, f"held-{script.removesuffix('.js')}")


def test_a_participant_writes_and_submits_by_keyboard_alone(
    site: BrowserSite, people: PersonFactory, camera: Camera
) -> None:
    person = people(site, CookieMode.ALLOWED, "participant2")
    person.open_course("Officers")
    person.page.locator("body").focus()
    tab_until(person, {"tag": "a", "text": "Week 1 reflection"})
    person.page.keyboard.press("Enter")
    tool = person.wait_for_tool()
    person.page.locator("body").focus()
    tab_until(person, {"id": "text", "in_tool": True})
    person.page.keyboard.type("On a night shift I stopped to ask before I assumed.")
    status = tool.locator("#save-status")
    expect(status).to_have_attribute("role", "status")
    expect(status).to_contain_text(re.compile(r"^Saved "), timeout=10_000)
    camera.check(person.page, "keyboard-draft-saved")
    tab_until(person, {"id": "submit-button", "in_tool": True}, limit=10)
    person.page.keyboard.press("Enter")
    notice = tool.locator("#status")
    expect(notice).to_contain_text("Your reflection is submitted")
    person.tool_frame().wait_for_function("() => document.activeElement.id === 'status'")
    assert focused(person)["visible"], "the focused result notice shows no focus ring"
    camera.check(person.page, "keyboard-submitted")


def test_the_writing_page_is_usable_320_px_wide(
    site: BrowserSite, people: PersonFactory, camera: Camera
) -> None:
    person = people(site, CookieMode.ALLOWED, "participant3")
    person.page.set_viewport_size({"width": 320, "height": 720})
    tool = person.open_item("Officers", "Week 1 reflection")
    editor = tool.get_by_role("textbox", name=re.compile("^Your reflection"))
    expect(editor).to_be_visible()
    frame = person.tool_frame()
    overflow = frame.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 0, f"the tool scrolls sideways by {overflow}px at 320 px"
    box, frame_box = editor.bounding_box(), person.page.locator("#tool_content").bounding_box()
    assert box is not None and frame_box is not None
    assert box["width"] <= frame_box["width"]
    editor.fill("Narrow screens still work.")
    expect(tool.locator("#word-count")).to_contain_text("4 words")
    camera.check(person.page, "write-320px")
    assert_frame_resized(person)


def test_a_refused_submission_is_announced_and_focused(
    site: BrowserSite, people: PersonFactory, camera: Camera
) -> None:
    person = people(site, CookieMode.BLOCKED, "participant4")
    tool = person.open_item("Officers", "Week 1 reflection")
    tool.get_by_role("button", name="Submit reflection").click()
    alert = tool.get_by_role("alert")
    expect(alert).to_contain_text("There is a problem")
    person.tool_frame().wait_for_function("() => document.activeElement.id === 'error-summary'")
    editor = tool.get_by_role("textbox", name=re.compile("^Your reflection"))
    expect(editor).to_have_attribute("aria-invalid", "true")
    alert.get_by_role("link").first.click()
    expect(editor).to_be_focused()
    camera.check(person.page, "refused-submission")
