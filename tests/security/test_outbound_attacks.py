"""SSRF as an attacker tried it, against a production-configured app: service URLs from a launch
or a `Link` header that the registration does not vouch for are never called. A recording loopback
server stands in for the internal service; it proves no request arrived.

The operator allowed exactly the test platforms' loopback origins (LTI_TOOL_OUTBOUND_ALLOWED_HOSTS),
so everything else on loopback, private and metadata addresses stays refused. On main, every one
of these URLs was called with the registration's bearer token."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool import create_app
from lti_tool.lti.advantage.client import ServiceClient
from lti_tool.lti.advantage.http import ServiceError
from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.lti.claims import NRPS
from lti_tool.models import Course, Registration
from lti_tool.services.audit import ADMIN
from lti_tool.services.registrations import RegistrationService
from lti_tool.web import session_scope, wiring
from tests.hostile import HostileServer, hostile_server
from tests.platform import CLIENT_ID, DEPLOYMENT_ID, INSTRUCTOR, ISSUER, TestPlatform

TOOL = "https://tool.example"


@pytest.fixture
def canvas_like() -> Iterator[HostileServer]:
    """The registered platform's service host (answers tokens and roster pages)."""
    with hostile_server() as served:
        yield served


@pytest.fixture
def internal() -> Iterator[HostileServer]:
    """An internal service the attacker points the tool at."""
    with hostile_server() as served:
        yield served


@pytest.fixture
def production(
    app: Flask,
    migrated: str,
    keys_dir: Path,
    platform_server: TestPlatform,
    canvas_like: HostileServer,
) -> Iterator[Flask]:
    platform_server.reset()
    config: dict[str, Any] = {
        "LTI_TOOL_ENV": "production",
        "SECRET_KEY": "production-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": migrated,
        "LTI_TOOL_BASE_URL": TOOL,
        "LTI_TOOL_KEYS_DIR": str(keys_dir),
        "LTI_TOOL_OUTBOUND_ALLOWED_HOSTS": f"{platform_server.base_url} {canvas_like.url}",
    }
    instance = create_app(config)
    with session_scope(instance) as session:
        service = RegistrationService(session, destinations=wiring(instance).http.policy)
        service.add(
            actor=ADMIN,
            issuer=ISSUER,
            client_id=CLIENT_ID,
            auth_login_url=platform_server.base_url + "/authorize_redirect",
            auth_token_url=canvas_like.url + "/token",
            key_set_url=platform_server.base_url + "/jwks",
            deployment_ids=[DEPLOYMENT_ID],
            service_url=canvas_like.url,
        )
    yield instance
    wiring(instance).dispose()


def _credentials(app: Flask) -> Credentials:
    with session_scope(app) as session:
        return Credentials.of(session.scalars(select(Registration)).one())


def _refused_urls(internal: HostileServer) -> list[str]:
    return [
        f"{internal.url}/secret",
        f"http://localhost:{internal.server_port}/secret",
        "http://169.254.169.254/latest/meta-data/iam/security-credentials/",
        "https://10.0.0.1/api/lti/courses/1/line_items/7",
        "https://other-host.example/api/lti/courses/1/names_and_roles",
    ]


def test_ags_and_nrps_urls_off_the_registration_are_never_called(
    production: Flask, canvas_like: HostileServer, internal: HostileServer
) -> None:
    client: ServiceClient = wiring(production).service_client
    credentials = _credentials(production)
    calls: list[Callable[[str], object]] = [
        lambda url: client.line_item(credentials, url),
        lambda url: client.results(credentials, url),
        lambda url: client.post_score(credentials, url, {"userId": "u1"}),
        lambda url: client.members(credentials, url),
    ]
    for url in _refused_urls(internal):
        for call in calls:
            with pytest.raises(ServiceError, match="does not vouch for"):
                call(url)
    assert internal.requests == []
    assert canvas_like.requests == []  # not even a token was asked for


def test_a_roster_next_page_on_another_host_is_not_followed(
    production: Flask, canvas_like: HostileServer, internal: HostileServer
) -> None:
    client: ServiceClient = wiring(production).service_client
    first_page = f"{canvas_like.url}/members?next={internal.url}/secret"
    with pytest.raises(ServiceError, match="does not vouch for"):
        client.members(_credentials(production), first_page)
    assert canvas_like.requests == ["/token", "/members"]
    assert internal.requests == []


def test_an_instructor_launch_naming_an_internal_roster_url_works_and_calls_nothing(
    production: Flask, platform_server: TestPlatform, internal: HostileServer
) -> None:
    browser: FlaskClient = production.test_client()
    browser.environ_base.update({"wsgi.url_scheme": "https", "HTTP_HOST": "tool.example"})
    state, nonce, _ = platform_server.login(browser, target_link_uri=TOOL + "/lti/launch")
    claims = platform_server.claims(nonce, role=INSTRUCTOR)
    claims["https://purl.imsglobal.org/spec/lti/claim/target_link_uri"] = TOOL + "/lti/launch"
    claims[NRPS] = {
        "context_memberships_url": f"{internal.url}/secret",
        "service_versions": ["2.0"],
    }
    token = platform_server.sign(claims)
    launched = browser.post("/lti/launch", data={"id_token": token, "state": state})
    assert launched.status_code == 303, launched.get_data(as_text=True)
    assert internal.requests == []
    with session_scope(production) as session:
        course = session.scalars(select(Course)).one()
        assert course.roster_synced_at is None
