"""The walk-through in a real headless Chromium, for both programs at desktop (1280 px) and
phone (390 px) width: every step from the link to the last page, axe clean (nothing serious or
critical), and nothing a visitor can do there changes anything.

Screenshots go to SCREENSHOT_DIR (default test-artifacts/screenshots)/tour-<program>-<width>/.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import Browser, Page, expect, sync_playwright
from sqlalchemy import func, select
from werkzeug.serving import make_server

from lti_tool.db import Base, utcnow
from lti_tool.services.walkthroughs import WalkthroughService
from lti_tool.tour.steps import for_program
from lti_tool.web import session_scope
from tests.browser.harness import screenshot_root, serious_violations
from tests.chromium import browser_unavailable, chromium_path

pytestmark = pytest.mark.browser


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    executable = chromium_path()
    if executable is None:
        browser_unavailable("no chromium on PATH and CHROMIUM not set to an existing file")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(
            executable_path=executable,
            args=["--no-sandbox", "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1"],
        )
        yield launched
        launched.close()


def _rows(app: Flask) -> dict[str, int]:
    with session_scope(app) as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


def _check(page: Page, folder: Path, name: str) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=folder / f"{name}.png", full_page=True)
    found = serious_violations(Axe(), page.main_frame, None)
    assert not found, f"axe on {name}:\n" + "\n".join(found)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"] + 1, f"{name} scrolls sideways ({width}px)"  # type: ignore[index]


SEND_FIRST_FORM = """async () => {
    const form = document.querySelector("main form");
    const data = new FormData();
    for (const field of form.elements) { if (field.name) data.append(field.name, field.value); }
    const response = await fetch(form.getAttribute("action"), {method: "POST", body: data});
    return [response.status, await response.text()];
}"""
"""Every field of the page's first form, disabled ones too, sent as the form would send them."""


PROVOKE_AUTOSAVE = """() => {
    const area = document.getElementById("text");
    if (!area) { return false; }
    area.value += " more";
    area.dispatchEvent(new Event("input"));
    window.dispatchEvent(new Event("online"));
    return true;
}"""
"""What would make the editor save at once (new text, then the browser back online)."""


def _try_to_change_things(page: Page) -> None:
    """Everything a visitor could reach for is switched off; a form sent anyway is refused."""
    for control in page.locator("main form :is(input, textarea, select, button)").all():
        if control.get_attribute("type") != "hidden":
            expect(control).to_be_disabled()
    if page.locator("main form").count():
        answer = page.evaluate(SEND_FIRST_FORM)
        assert answer[0] == 403 and "Nothing can be changed" in answer[1]


@pytest.mark.parametrize("width", [1280, 390])
@pytest.mark.parametrize("program", ["officers", "leaders"])
def test_the_tour_end_to_end(
    app: Flask, served: str, browser: Browser, program: str, width: int
) -> None:
    with session_scope(app) as session:
        secret = (
            WalkthroughService(session).create(program, "A visiting chief", 14, utcnow()).secret
        )
    before = _rows(app) | {"audit_event": _rows(app)["audit_event"] + 1, "walkthrough": 1}
    folder = screenshot_root() / f"tour-{program}-{width}"
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    refused: list[str] = []
    page.on(
        "response",
        lambda r: (
            refused.append(f"{r.request.method} {r.url} {r.status}")
            if r.status >= 400 and r.request.resource_type != "fetch"
            else None
        ),
    )
    scripted: list[str] = []
    page.on(
        "request",
        lambda r: scripted.append(r.url) if r.url.endswith("/draft") else None,
    )
    try:
        page.goto(f"{served}/walkthrough/{secret}")
        expect(page.get_by_role("heading", level=1)).to_contain_text("Walk-through")
        expect(page.locator("main")).to_contain_text("Everything here is fictional")
        _check(page, folder, "00-overview")
        page.get_by_role("link", name="Start the tour").click()
        steps = for_program(program, app.view_functions)
        for number, step in enumerate(steps, start=1):
            guide = page.get_by_role("complementary", name="Walk-through guide")
            expect(guide).to_contain_text(f"Step {number} of {len(steps)}: {step.title}")
            viewer = "an instructor" if step.perspective == "instructor" else "a participant"
            expect(guide).to_contain_text(f"viewing as {viewer}")
            assert "/walkthrough/" not in page.url
            _check(page, folder, f"{number:02d}-{step.perspective}")
            _try_to_change_things(page)
            if page.evaluate(PROVOKE_AUTOSAVE):
                page.wait_for_timeout(300)
            if number < len(steps):
                guide.get_by_role("link", name="Next step").click()
        expect(page.get_by_role("link", name="Next step")).to_have_count(0)
        assert not refused, "a page or resource of the tour was refused"
        assert not scripted, "the editor tried to autosave in the tour"
    finally:
        context.close()
    after = _rows(app)
    assert after == {**before, "walkthrough": 1}, "the tour changed something"
