"""Browser fixtures: Debian's Chromium driven by Playwright, and the tool + demo Canvas served over
loopback HTTPS in a background thread.

Without a browser the tests skip, saying why; with the environment variable ``CI`` set, a missing
browser fails the run instead. ``CHROMIUM`` may name another Chromium binary.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Generator, Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

from lti_tool.db import Base
from lti_tool.web import wiring
from tests.browser.harness import (
    Browsers,
    Camera,
    CookieMode,
    Person,
    PersonFactory,
    SiteFactory,
    screenshot_root,
)
from tests.browser.site import BrowserSite
from tests.browser.tls import write_certificate
from tests.chromium import browser_unavailable, chromium_path


@pytest.fixture(scope="package")
def browsers() -> Iterator[Browsers]:
    """Chromium for this package's tests, closed after them: Playwright's sync API allows one
    driver at a time in a process, and other packages may start their own."""
    executable = chromium_path()
    if executable is None:
        browser_unavailable("no chromium on PATH and CHROMIUM not set to an existing file")
    assert executable is not None
    with sync_playwright() as playwright:
        found = Browsers(playwright, executable)
        try:
            found.get(CookieMode.ALLOWED)
        except PlaywrightError as error:
            browser_unavailable(f"{executable} did not start: {error.message.splitlines()[0]}")
        yield found
        found.close()


@pytest.fixture(scope="session")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    return write_certificate(tmp_path_factory.mktemp("tls"))


@pytest.fixture(scope="module")
def new_site(
    migrated: str,
    keys_dir: Path,
    certificate: tuple[Path, Path],
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[SiteFactory]:
    """Makes one demo world for a module (a fresh demo database each); the tool's tables are
    emptied after the module, as the `app` fixture does after each of the other tests."""
    sites: list[BrowserSite] = []

    def make(**extra: Any) -> BrowserSite:
        demo_db = tmp_path_factory.mktemp("demo") / "demo.db"
        sites.append(BrowserSite(migrated, keys_dir, demo_db, certificate, **extra))
        return sites[-1]

    yield make
    for site in sites:
        _close(site)


@pytest.fixture
def fresh_site(
    migrated: str, keys_dir: Path, certificate: tuple[Path, Path], tmp_path: Path
) -> Iterator[BrowserSite]:
    """A demo world for one test, the tool's tables emptied afterwards."""
    site = BrowserSite(migrated, keys_dir, tmp_path / "demo.db", certificate)
    yield site
    _close(site)


def _close(site: BrowserSite) -> None:
    engine = wiring(site.app).engine
    site.stop()
    with engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())
    engine.dispose()


@pytest.fixture(scope="session")
def audited() -> set[str]:
    return set()


@pytest.fixture
def camera(request: pytest.FixtureRequest, audited: set[str]) -> Camera:
    folder = screenshot_root() / re.sub(r"[^\w.-]+", "-", request.node.name).strip("-")
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Camera(folder, audited)


FAILED = pytest.StashKey[bool]()


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    report = yield
    if report.when == "call" and report.failed:
        item.stash[FAILED] = True
    return report


@pytest.fixture
def people(
    browsers: Browsers, camera: Camera, request: pytest.FixtureRequest
) -> Iterator[PersonFactory]:
    """Signs people in, each in their own browser context; all closed after the test, with a
    screenshot and the tool frame's text of each when the test failed."""
    opened: list[Person] = []

    def sign_in(site: BrowserSite, mode: CookieMode, login_id: str) -> Person:
        person = Person(browsers.get(mode), mode, camera, site.pages_url, site.tool_url)
        opened.append(person)
        person.sign_in(login_id)
        return person

    yield sign_in
    for number, person in enumerate(opened, 1):
        if request.node.stash.get(FAILED, False):
            camera.record_failure(person, f"failure-person-{number}")
        person.close()
