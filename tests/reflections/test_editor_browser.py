"""The editor in a real headless Chromium: autosave status, offline retry, a conflict with
another window, the browser copy restored after the server went away, and no axe violations."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from flask import Flask
from playwright.sync_api import sync_playwright
from sqlalchemy import func, select

from lti_tool.models import ReflectionVersion
from lti_tool.web import session_scope
from tests.chromium import browser_unavailable, chromium_path
from tests.reflections.conftest import Canvas, Placed
from tests.servers import serving

pytestmark = pytest.mark.browser


@pytest.fixture
def served(app: Flask) -> Iterator[str]:
    with serving(app) as host:
        yield f"http://{host}"


@pytest.fixture
def browser() -> Iterator[Any]:
    executable = chromium_path()
    if executable is None:
        browser_unavailable("no chromium on PATH and CHROMIUM not set to an existing file")
    with sync_playwright() as driver:
        launched = driver.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


def _wait_status(page: Any, expected: str, timeout: float = 20) -> str:
    """Poll the status text (the page's CSP forbids Playwright's injected eval)."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        status = page.text_content("#save-status") or ""
        if expected in status:
            return status
        time.sleep(0.1)
    raise AssertionError(f"status never said {expected!r}: {page.text_content('#save-status')!r}")


def test_editor_keeps_every_word(
    app: Flask, canvas: Canvas, placed: Placed, served: str, browser: Any
) -> None:
    student = placed.launch(canvas, "student-1")
    url = f"{served}{placed.page}?st={student.token}"
    page = browser.new_page(viewport={"width": 320, "height": 800})
    page.goto(url)
    page.fill("#text", "First words")
    _wait_status(page, "Saved")
    assert "2 words of about 30" in (page.text_content("#word-count") or "")

    page.context.set_offline(True)
    page.type("#text", " offline")
    _wait_status(page, "offline, retrying")
    page.context.set_offline(False)
    _wait_status(page, "Saved")

    other = browser.new_page()
    other.goto(url)
    other.fill("#text", "Other window")
    _wait_status(other, "Saved")
    page.type("#text", " mine")
    page.wait_for_selector("#conflict-panel:not([hidden])")
    assert page.input_value("#conflict-text") == "Other window"
    page.click("#keep-mine")
    _wait_status(page, "Saved")

    page.route("**/draft", lambda route: route.abort())
    page.type("#text", " tail")
    _wait_status(page, "cannot be reached")
    page.reload()
    page.wait_for_selector("#restore-panel:not([hidden])")
    page.unroute("**/draft")
    page.click("#restore-button")
    _wait_status(page, "Saved")
    assert page.input_value("#text") == "First words offline mine tail"
    assert page.evaluate("document.documentElement.scrollWidth") <= 320  # no sideways scrolling
    assert Axe().run(page).violations_count == 0

    page.dblclick("#submit-button")  # one submit, however eager the click
    page.wait_for_selector("#status:has-text('Your reflection is submitted')")
    with app.app_context(), session_scope(app) as session:
        assert session.scalar(select(func.count()).select_from(ReflectionVersion)) == 1


def test_an_ended_session_keeps_the_text_for_the_next_launch(
    canvas: Canvas, placed: Placed, served: str, browser: Any
) -> None:
    """The server refuses the session (401): the editor stops saving, says how to go on, and
    the next launch of the item offers the text kept in the browser."""
    student = placed.launch(canvas, "student-2")
    page = browser.new_page()
    page.goto(f"{served}{placed.page}?st={student.token}")
    page.fill("#text", "Words before")
    _wait_status(page, "Saved")
    page.route(
        "**/draft",
        lambda route: route.fulfill(
            status=401, content_type="application/json", body='{"error": "Your session has ended"}'
        ),
    )
    page.type("#text", " and after")
    _wait_status(page, "your session has ended")
    page.unroute("**/draft")
    again = placed.launch(canvas, "student-2")  # opening the item from Canvas again
    page.goto(f"{served}{placed.page}?st={again.token}")
    page.wait_for_selector("#restore-panel:not([hidden])")
    page.click("#restore-button")
    _wait_status(page, "Saved")
    assert page.input_value("#text") == "Words before and after"
