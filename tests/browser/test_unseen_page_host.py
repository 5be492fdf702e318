"""Canvas as deployed: the course page is on a host the tool was never told of (the demo's pages
host, as an institution's own Canvas domain is; neither the issuer nor the login host). Launches
pass for participants and instructors with third-party cookies allowed, blocked, and with no tool
cookie at all (Platform Storage); a page of an unrelated site framing a tool page is refused.
"""

from __future__ import annotations

from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect
from sqlalchemy import delete, select

from lti_tool.models import FramingOrigin, Registration
from lti_tool.web import session_scope
from tests.browser.harness import Camera, CookieMode, PersonFactory, SiteFactory
from tests.browser.site import BrowserSite
from tests.servers import serving

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

pytestmark = pytest.mark.browser

SEEDED_PROMPTS = {
    "OFFICERS": {1: {"program": "officers", "prompt_bank": "officers-rights-prevention"}}
}
UNRELATED_ADDRESS = "127.0.0.3"
"""A loopback site no launch names."""


@pytest.fixture(scope="module")
def site(new_site: SiteFactory) -> BrowserSite:
    site = new_site(DEMO_CANVAS_SEED_PROMPTS=SEEDED_PROMPTS)
    site.install_seeded_key()
    return site


def one_page(html: str) -> WSGIApplication:
    """A site that answers every request with `html`."""

    def answer(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        start_response("200 OK", [("Content-Type", "text/html; charset=utf-8")])
        return [html.encode()]

    return answer


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def forget_vouched_origins(site: BrowserSite) -> None:
    """The tool has seen no launch from any page host yet."""
    with session_scope(site.app) as session:
        session.execute(delete(FramingOrigin))


def vouched_origins(site: BrowserSite) -> set[str]:
    with session_scope(site.app) as session:
        return set(session.scalars(select(FramingOrigin.origin)))


def test_the_page_host_is_neither_the_issuer_nor_the_login_host(site: BrowserSite) -> None:
    with session_scope(site.app) as session:
        (registration,) = session.scalars(select(Registration)).all()
        registered = {origin(registration.issuer), origin(registration.auth_login_url)}
    pages, tool = origin(site.pages_url), origin(site.tool_url)
    assert len(registered | {pages, tool}) == 4, "issuer, login, pages and tool share a site"


@pytest.mark.parametrize("mode", list(CookieMode))
@pytest.mark.parametrize(
    ("login_id", "landing"),
    [
        pytest.param("participant1", "participant", id="participant"),
        pytest.param("instructor", "instructor", id="instructor"),
    ],
)
def test_a_launch_from_a_page_host_never_seen_before_opens(
    site: BrowserSite,
    people: PersonFactory,
    camera: Camera,
    mode: CookieMode,
    login_id: str,
    landing: str,
) -> None:
    forget_vouched_origins(site)
    person = people(site, mode, login_id)
    tool = person.open_item("Officers", "Week 1 reflection")
    expect(tool.get_by_role("heading", level=1)).to_contain_text("Week 1 reflection")
    person.assert_launch_path()
    assert urlsplit(person.page.url).netloc == urlsplit(site.pages_url).netloc
    assert f"/{landing}/" in person.tool_frame().url
    assert origin(site.pages_url) in vouched_origins(site)
    camera.check(person.page, f"{login_id}-{mode}")


def test_a_tool_page_framed_by_an_unrelated_site_is_refused(
    site: BrowserSite, people: PersonFactory, camera: Camera
) -> None:
    person = people(site, CookieMode.ALLOWED, "participant2")
    tool = person.open_item("Officers", "Week 1 reflection")
    expect(tool.get_by_role("heading", level=1)).to_contain_text("Week 1 reflection")
    tool_page = person.tool_frame().url

    page = person.context.new_page()
    framer = f'<!doctype html><title>Elsewhere</title><iframe name="stolen" src="{tool_page}">'
    with serving(one_page(framer), UNRELATED_ADDRESS) as unrelated_host:
        with page.expect_response(lambda response: response.url == tool_page) as answer:
            page.goto(f"http://{unrelated_host}/")
    stolen = page.frame(name="stolen")
    assert stolen is not None
    expect(page.frame_locator("iframe").locator("main h1")).to_have_count(0)
    assert stolen.url.startswith("chrome-error://"), f"the frame shows {stolen.url}"
    policy = answer.value.headers.get("content-security-policy", "")
    assert "frame-ancestors" in policy and UNRELATED_ADDRESS not in policy
    assert origin(site.pages_url) in policy, "the course page's own host is not allowed"
    camera.shot(page, "unrelated-site-refused")
