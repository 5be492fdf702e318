"""Chromium, people signed in to the demo Canvas, screenshots and axe checks for the walkthroughs.

Cookie modes (the site is HTTPS, so the tool's state cookie is `SameSite=None; Secure;
Partitioned`, as in production):

- ``ALLOWED``: Chromium's defaults. The state cookie comes back at `/lti/launch`: the cookie path.
- ``BLOCKED``: Chromium with third-party cookies phased out (`--test-third-party-cookie-phaseout`).
  CHIPS still keeps the tool's *partitioned* cookie there, so this mode also forgets every tool
  cookie before each request to the tool's `/lti/` paths (a route that clears them, then lets the
  request go on unchanged): no state cookie ever comes back, and launches must finish through LTI
  Platform Storage (`/lti/launch/verify`). Rewriting responses instead (dropping `Set-Cookie`)
  does not work: a response Playwright fulfils has no loopback address, and Chromium's Local
  Network Access checks then refuse the frame's next navigation to 127.0.0.1.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import (
    Browser,
    BrowserContext,
    Frame,
    FrameLocator,
    Page,
    Playwright,
    Request,
    Route,
    expect,
)
from playwright.sync_api import (
    Error as PlaywrightError,
)
from playwright.sync_api import (
    TimeoutError as PlaywrightTimeoutError,
)

from tests.browser.site import BrowserSite

BASE_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--ignore-certificate-errors",
    # Nothing but loopback: every other host name fails to resolve.
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1 , "
    "EXCLUDE 127.0.0.2 , EXCLUDE 127.0.0.3",
]
BLOCKING_ARGS = ["--test-third-party-cookie-phaseout"]
TIMEOUT_MS = 15_000
SERIOUS = ("serious", "critical")
RECORD_MESSAGES = """
if (window.top === window) {
  window.__messages = [];
  window.addEventListener("message", function (event) {
    window.__messages.push({ origin: event.origin, data: event.data });
  });
}
"""


expect.set_options(timeout=TIMEOUT_MS)


class CookieMode(StrEnum):
    ALLOWED = "cookies-allowed"
    BLOCKED = "cookies-blocked"
    """Third-party cookies blocked by Chromium, and the tool's dropped before each `/lti/` step."""
    NONE = "no-tool-cookies"
    """No cookie of the tool ever reaches it (dropped before every request to it): a browser or
    privacy setting that keeps none, so launches depend on Platform Storage alone."""


class Browsers:
    """One Chromium per cookie mode for the whole session, launched when first needed."""

    def __init__(self, playwright: Playwright, executable: str) -> None:
        self.playwright = playwright
        self.executable = executable
        self._browsers: dict[CookieMode, Browser] = {}

    def get(self, mode: CookieMode) -> Browser:
        if mode not in self._browsers:
            args = BASE_ARGS + (BLOCKING_ARGS if mode is CookieMode.BLOCKED else [])
            self._browsers[mode] = self.playwright.chromium.launch(
                executable_path=self.executable, args=args
            )
        return self._browsers[mode]

    def close(self) -> None:
        for browser in self._browsers.values():
            browser.close()


def _forget_tool_cookies(context: BrowserContext, tool_host: str) -> Callable[[Route], None]:
    """Before each request to the tool's `/lti/` paths, drop every cookie the tool has set."""

    def handler(route: Route) -> None:
        context.clear_cookies(domain=tool_host)
        route.continue_()

    return handler


@dataclass
class Camera:
    """Numbered screenshots of each step in one folder per test, and axe on every page shot."""

    folder: Path
    audited: set[str] = field(default_factory=set)
    """Pages already checked, shared by the session: demo pages seen again are not re-run."""
    count: int = 0
    axe: Axe = field(default_factory=Axe)

    def shot(self, page: Page, name: str) -> Path:
        """The whole page. Chromium paints a cross-site iframe only where it is inside the
        viewport, so the viewport grows to the page's height for the shot."""
        self.count += 1
        path = self.folder / f"{self.count:02d}-{name}.png"
        viewport = page.viewport_size
        assert viewport is not None
        height = page.evaluate("document.documentElement.scrollHeight")
        page.set_viewport_size({"width": viewport["width"], "height": max(height, 1)})
        try:
            page.screenshot(path=path, animations="disabled", caret="initial")
        finally:
            page.set_viewport_size(viewport)
        return path

    def record_failure(self, person: Person, name: str) -> None:
        """What the person saw when the test failed: a screenshot and the frames' text."""
        try:
            self.shot(person.page, name)
            texts = [f"== {f.url}\n{f.locator('body').inner_text()}" for f in person.page.frames]
            (self.folder / f"{name}.txt").write_text("\n".join(texts + person.requests))
        except PlaywrightError as error:
            (self.folder / f"{name}.txt").write_text(f"could not record: {error.message}")

    def check(self, page: Page, name: str) -> None:
        """Screenshot, then axe on the demo page and on the tool's frame when there is one."""
        self.shot(page, name)
        self.audit(page, name)

    def audit_once(self, page: Page, key: str) -> None:
        """Axe on a page the walkthrough only passes through (sign-in, course home)."""
        if key not in self.audited:
            self.audit(page, key)
            self.audited.add(key)

    def audit(self, page: Page, name: str) -> None:
        found = serious_violations(self.axe, page.main_frame, {"iframes": False})
        tool = page.frame(name="tool_content")
        if tool is not None and tool.url.startswith("http"):
            found += serious_violations(self.axe, tool, None)
        assert not found, f"axe on {name}:\n" + "\n".join(found)


def serious_violations(axe: Axe, frame: Frame, options: dict[str, Any] | None) -> list[str]:
    """axe-core (shipped by axe-playwright-python) in one frame; its serious/critical findings."""
    if not frame.evaluate("typeof window.axe === 'object'"):
        frame.evaluate(axe.axe_script)
    opts = {"resultTypes": ["violations"], **(options or {})}
    result = frame.evaluate("opts => axe.run(document, opts)", opts)
    lines = []
    for violation in result["violations"]:
        if violation.get("impact") in SERIOUS:
            targets = [node["target"] for node in violation["nodes"]][:5]
            lines.append(f"  {frame.url}: {violation['id']} ({violation['impact']}) {targets}")
    return lines


class Person:
    """Someone in their own browser context, signed in to the demo Canvas."""

    def __init__(
        self,
        browser: Browser,
        mode: CookieMode,
        camera: Camera,
        canvas_url: str,
        tool_url: str,
        *,
        viewport: tuple[int, int] = (1100, 900),
        timezone_id: str | None = None,
    ) -> None:
        self.mode = mode
        self.camera = camera
        self.login_id = ""
        self.canvas_url = canvas_url
        self.tool_url = tool_url
        self.context: BrowserContext = browser.new_context(
            ignore_https_errors=True,
            locale="en-US",
            viewport={"width": viewport[0], "height": viewport[1]},
            timezone_id=timezone_id,
        )
        self.context.set_default_timeout(TIMEOUT_MS)
        self.context.add_init_script(RECORD_MESSAGES)
        if mode is not CookieMode.ALLOWED:
            paths = r"/lti/.*" if mode is CookieMode.BLOCKED else r"/.*"
            tool_paths = re.compile(re.escape(tool_url) + paths)
            host = urlsplit(tool_url).hostname or ""
            self.context.route(tool_paths, _forget_tool_cookies(self.context, host))
        self.requests: list[str] = []
        self.launches: list[Request] = []
        self.since_launch = 0
        self.context.on("request", self._record)
        self.page: Page = self.context.new_page()

    def _record(self, request: Request) -> None:
        self.requests.append(f"{request.method} {request.url.split('?')[0]}")
        if request.url == self.tool_url + "/lti/launch":
            self.launches.append(request)
            self.since_launch = len(self.requests) - 1

    def close(self) -> None:
        self.context.close()

    def control_timers(self) -> None:
        """Fake timers in every page this person opens from now on (time still flows), so
        `skip` can run the editor's autosave and retry delays at once."""
        self.context.clock.install()

    def skip(self, milliseconds: int) -> None:
        self.page.clock.fast_forward(milliseconds)

    # The demo Canvas

    def sign_in(self, login_id: str) -> None:
        self.page.goto(self.canvas_url + "/demo/")
        self.camera.audit_once(self.page, "signed out")
        self.page.locator("#switch-user").select_option(login_id)
        self.page.locator("form.user-switcher").get_by_role("button").click()
        expect(self.page.locator("#switch-user")).to_have_value(login_id)
        self.login_id = login_id
        self.camera.audit_once(self.page, f"dashboard as {login_id}")

    def open_course(self, name: str) -> None:
        self.page.goto(self.canvas_url + "/demo/")
        self.page.get_by_role("link", name=re.compile("^" + re.escape(name))).click()
        expect(self.page.get_by_role("heading", level=1)).to_contain_text(name)
        self.camera.audit_once(self.page, f"{self.page.url} as {self.login_id}")

    def open_item(self, course: str, title: str) -> FrameLocator:
        """Open a module item and wait for the tool's first page inside the iframe."""
        self.open_course(course)
        self.page.get_by_role("link", name=title, exact=True).click()
        return self.wait_for_tool()

    def wait_for_tool(self) -> FrameLocator:
        tool = self.tool()
        expect(tool.locator("main h1").first).to_be_visible()
        expect(tool.locator("main h1").first).not_to_have_text(re.compile("^(Opening|Checking)"))
        return tool

    def tool(self) -> FrameLocator:
        return self.page.frame_locator("#tool_content")

    def tool_frame(self) -> Frame:
        frame = self.page.frame(name="tool_content")
        assert frame is not None, "no tool_content frame on " + self.page.url
        return frame

    # What happened

    def tool_requests(self, path: str, start: int = 0) -> list[str]:
        return [r for r in self.requests[start:] if r.endswith(self.tool_url + path)]

    def messages(self, subject: str) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = self.page.evaluate(
            "s => (window.__messages || []).filter(m => m.data && m.data.subject === s)", subject
        )
        return found

    def wait_for_message(self, subject: str) -> None:
        self.page.wait_for_function(
            "s => (window.__messages || []).some(m => m.data && m.data.subject === s)",
            arg=subject,
        )

    def assert_launch_path(self) -> None:
        """Allowed: the last launch brought the state cookie back and needed no Platform Storage
        check; blocked: it came without one and was verified through Platform Storage."""
        assert self.launches, "no launch reached the tool"
        cookie = self.launches[-1].all_headers().get("cookie", "")
        verified = self.tool_requests("/lti/launch/verify", self.since_launch)
        if self.mode is not CookieMode.ALLOWED:
            assert "lti1p3-" not in cookie, "a state cookie reached the tool with cookies blocked"
            assert verified, "no /lti/launch/verify: the launch did not use Platform Storage"
        else:
            assert "lti1p3-" in cookie, "no state cookie came back with cookies allowed"
            assert not verified, "the launch fell back to Platform Storage with cookies allowed"


SiteFactory = Callable[..., BrowserSite]
PersonFactory = Callable[[BrowserSite, CookieMode, str], Person]


def screenshot_root() -> Path:
    return Path(os.environ.get("SCREENSHOT_DIR") or "test-artifacts/screenshots")


FOCUS_HANDED_OVER_JS = "() => document.activeElement && document.activeElement !== document.body"

FOCUS_JS = """() => {
  let doc = document, el = doc.activeElement;
  if (el && el.id === "tool_content") { return null; }
  if (!el || el === doc.body) { return { tag: "body", visible: false }; }
  const style = getComputedStyle(el);
  const ring = (style.outlineStyle !== "none" && parseFloat(style.outlineWidth) > 0)
    || style.boxShadow !== "none";
  return {
    tag: el.tagName.toLowerCase(), id: el.id, name: el.getAttribute("name") || "",
    text: (el.innerText || el.value || "").trim().slice(0, 40), visible: ring,
  };
}"""


def focused(person: Person) -> dict[str, Any]:
    """The element with keyboard focus, looking inside the tool's frame when focus is there.

    The tool runs cross-site, so Chromium puts its frame in another process and hands focus
    over asynchronously: for a moment after Tab neither Canvas's page (whose active element is
    `body` until the frame reports focus) nor the frame's document (still on `body`) shows it.
    Give that hand-over a moment on both sides before reading; focus that really stays on
    `body` is still reported (and fails the visible-ring check).
    """
    found = _settled(person.page.main_frame)
    if found is None:
        found = _settled(person.tool_frame())
        assert found is not None
        found["in_tool"] = True
    return found


def _settled(frame: Frame) -> dict[str, Any] | None:
    """FOCUS_JS in one document, after waiting (briefly) for focus to leave its `body`."""
    with contextlib.suppress(PlaywrightTimeoutError):
        frame.wait_for_function(FOCUS_HANDED_OVER_JS, timeout=2_000)
    found: dict[str, Any] | None = frame.evaluate(FOCUS_JS)
    return found


def tab_until(person: Person, wanted: dict[str, object], limit: int = 60) -> list[dict[str, Any]]:
    """Press Tab until the focused element matches `wanted`; every stop must show a focus ring."""
    stops: list[dict[str, Any]] = []
    for _ in range(limit):
        person.page.keyboard.press("Tab")
        now = focused(person)
        stops.append(now)
        assert now["visible"], f"no visible focus on {now}; the stops before: {stops[-5:-1]}"
        if all(now.get(key) == value for key, value in wanted.items()):
            return stops
    raise AssertionError(f"Tab never reached {wanted}; stops: {stops}")
