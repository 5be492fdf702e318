"""Framing follows the launch: a tool page may be framed by the course page a signed launch of
the current registration named (return URL, `$Canvas.api.domain`, deep-link return URL), the
login and launch transit pages by the page that posted to them, and nothing else. The header
names the current registration's origins only and stays under 1 KB."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from lti_tool.db import utcnow
from lti_tool.models import Registration
from lti_tool.services.audit import ADMIN
from lti_tool.services.framing import FramingService, canonical_origin
from lti_tool.services.registrations import RegistrationService
from lti_tool.web import session_scope
from tests.platform import CLIENT_ID, INSTRUCTOR, ISSUER, LTI, TestPlatform, _data_attr

COURSE_PAGE = "https://learn.agency.gov"
"""An institution's own Canvas domain: not the issuer's, not the login host's."""
LAUNCH_PRESENTATION = LTI + "launch_presentation"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"


def ancestors(response: TestResponse) -> list[str]:
    policy = response.headers["Content-Security-Policy"]
    directive = next(d for d in policy.split("; ") if d.startswith("frame-ancestors "))
    return directive.split()[1:]


def signed_in(client: FlaskClient, platform: TestPlatform, **claims: Any) -> TestResponse:
    """The landing page of a launch (following the tool's redirect)."""
    launched = platform.launch(client, **claims)
    assert launched.status_code == 303, launched.get_data(as_text=True)
    return client.get(launched.headers["Location"])


def presentation(url: str) -> dict[str, Any]:
    return {LAUNCH_PRESENTATION: {"document_target": "iframe", "return_url": url}}


def test_a_course_page_on_an_institution_domain_may_frame_the_tool(
    client: FlaskClient, platform: TestPlatform
) -> None:
    page = signed_in(client, platform, **presentation(COURSE_PAGE + "/courses/42/modules"))
    assert page.status_code == 200
    assert ancestors(page) == ["'self'", ISSUER, platform.base_url, COURSE_PAGE]


def test_the_api_domain_custom_field_and_deep_link_return_url_vouch_too(
    client: FlaskClient, platform: TestPlatform
) -> None:
    custom = {"canvas_api_domain": "canvas.state.edu:8443"}
    page = signed_in(client, platform, **{LTI + "custom": custom})
    assert "https://canvas.state.edu:8443" in ancestors(page)
    settings = {
        "deep_link_return_url": "https://other.school.edu/courses/1/deep_linking_response",
        "accept_types": ["ltiResourceLink"],
        "accept_presentation_document_targets": ["iframe", "window"],
        "accept_media_types": "application/vnd.ims.lti.v1.ltilink",
    }
    placing = signed_in(
        client,
        platform,
        role=INSTRUCTOR,
        **{LTI + "message_type": "LtiDeepLinkingRequest", DL_SETTINGS: settings},
        **{LTI + "resource_link": None},
    )
    assert "https://other.school.edu" in ancestors(placing)


def test_a_site_no_launch_vouched_for_is_refused(
    client: FlaskClient, platform: TestPlatform
) -> None:
    page = signed_in(client, platform, **presentation(COURSE_PAGE + "/courses/42"))
    assert "https://evil.example" not in ancestors(page)
    assert not any("*" in source for source in ancestors(page))
    # A page that belongs to no session or login: only the tool itself.
    assert ancestors(client.get("/no-such-page")) == ["'self'"]


def test_the_login_page_may_be_framed_by_the_page_that_posted_it(
    client: FlaskClient, platform: TestPlatform
) -> None:
    form = {
        "iss": ISSUER,
        "login_hint": "x",
        "client_id": CLIENT_ID,
        "target_link_uri": "http://localhost/lti/launch",
    }
    login = client.post("/lti/login", data=form, headers={"Origin": COURSE_PAGE})
    assert login.status_code == 200 and COURSE_PAGE in ancestors(login)
    linked = client.get(
        "/lti/login", query_string=form, headers={"Referer": COURSE_PAGE + "/courses/42"}
    )
    assert linked.status_code == 200 and COURSE_PAGE in ancestors(linked)
    forged = client.post(
        "/lti/login", data=form, headers={"Origin": "https://x.example; script-src *"}
    )
    assert forged.status_code == 200 and ancestors(forged) == ["'self'", ISSUER, platform.base_url]


def test_the_cookieless_launch_transit_page_names_the_launch_pages(
    client: FlaskClient, platform: TestPlatform
) -> None:
    state, nonce, _ = platform.login(client)
    client.delete_cookie(f"lti1p3-{state}", path="/lti")
    token = platform.sign(platform.claims(nonce, **presentation(COURSE_PAGE + "/courses/42")))
    transit = client.post(
        "/lti/launch",
        data={"id_token": token, "state": state, "lti_storage_target": "post_message_forwarding"},
        headers={"Origin": "https://sso.example.edu"},
    )
    assert transit.status_code == 200 and _data_attr(
        transit.get_data(as_text=True), 'name="ticket" value'
    )
    assert {COURSE_PAGE, "https://sso.example.edu"} <= set(ancestors(transit))


def test_another_registrations_origins_are_never_named(
    app: Flask, client: FlaskClient, platform: TestPlatform
) -> None:
    with app.app_context(), session_scope(app) as session:
        other = RegistrationService(session).add(
            actor=ADMIN,
            issuer="https://canvas.other.example",
            client_id="1",
            auth_login_url="https://sso.other.example/authorize",
            auth_token_url="https://sso.other.example/token",
            key_set_url="https://sso.other.example/jwks",
            deployment_ids=["1:x"],
        )
        FramingService(session).vouch(other, ["https://customer.other.example/c/1"], utcnow())
    page = signed_in(client, platform, **presentation(COURSE_PAGE + "/courses/42"))
    assert not any("other.example" in source for source in ancestors(page))
    assert not any("other.example" in source for source in ancestors(client.get("/missing")))


def test_the_header_stays_under_a_kilobyte(
    app: Flask, client: FlaskClient, platform: TestPlatform
) -> None:
    with app.app_context(), session_scope(app) as session:
        service, now = FramingService(session), utcnow()
        for number in range(200):
            registration = RegistrationService(session).add(
                actor=ADMIN,
                issuer=f"https://platform-{number}.example",
                client_id=str(number),
                auth_login_url=f"https://sso-{number}.example/authorize",
                auth_token_url=f"https://sso-{number}.example/token",
                key_set_url=f"https://sso-{number}.example/jwks",
                deployment_ids=[f"{number}:x"],
            )
            service.vouch(registration, [f"https://campus-{number}.example/c"], now)
        ours = session.query(Registration).filter_by(issuer=ISSUER).one()
        many = [f"https://campus-{n}.institution-with-a-long-name.example" for n in range(200)]
        for offset, url in enumerate(many):
            service.vouch(ours, [url], now - timedelta(seconds=offset))
    page = signed_in(client, platform, **presentation(COURSE_PAGE + "/courses/42"))
    for answer in (page, client.get("/missing")):
        assert len(answer.headers["Content-Security-Policy"].encode()) < 1024
    # the newest vouched origin (this launch's) is kept ahead of older ones
    assert COURSE_PAGE in ancestors(page) and many[0] in ancestors(page)
    assert many[-1] not in ancestors(page)


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://Learn.Agency.GOV/courses/1?x=1", "https://learn.agency.gov"),
        ("http://127.0.0.2:5001/courses/1", "http://127.0.0.2:5001"),
        ("http://[::1]:8080/", "http://[::1]:8080"),
        ("https://a.example;script-src/", None),
        ("https://user:pw@a.example/", None),
        ("javascript:alert(1)", None),
        ("https://*.example", None),
        ("https://a b.example", None),
        ("https://a.example:99999", None),
        ("", None),
    ],
)
def test_only_plain_origins_reach_the_header(url: str, origin: str | None) -> None:
    assert canonical_origin(url) == origin
