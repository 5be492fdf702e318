"""Canvas's checks at ``authorize_redirect`` and ``authorize``."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from demo_canvas import login_initiation_for
from demo_canvas.db import demo_session, utcnow
from demo_canvas.models import DeveloperKey, LaunchCache

from .conftest import CLIENT_ID, DEMO, TOOL_LAUNCH, auth_params, form_action, form_fields, sign_in

AUTHORIZE = "/demo/api/lti/authorize"


@pytest.fixture
def fields(app: Flask, client: FlaskClient) -> dict[str, str]:
    sign_in(client, app, "participant1")
    return login_initiation_for(app, "participant1", "OFFICERS", "Week 1 reflection").fields


def authorize(client: FlaskClient, fields: dict[str, str], **overrides: str) -> dict[str, str]:
    response = client.get(AUTHORIZE, query_string=auth_params(fields, **overrides), base_url=DEMO)
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert form_action(response.text) == TOOL_LAUNCH
    return form_fields(response.text)


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_authorize_redirect_keeps_parameters(
    client: FlaskClient, fields: dict[str, str], method: str
) -> None:
    params = auth_params(fields)
    if method == "GET":
        response = client.get("/demo/api/lti/authorize_redirect", query_string=params)
    else:
        response = client.post("/demo/api/lti/authorize_redirect", data=params)
    assert response.status_code == 302
    location = urlsplit(response.headers["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == DEMO + AUTHORIZE
    assert dict(parse_qsl(location.query)) == params


def test_unregistered_redirect_uri_is_refused_without_posting(
    client: FlaskClient, fields: dict[str, str]
) -> None:
    for bad in (TOOL_LAUNCH + "/", "https://evil.example/launch"):
        response = client.get(
            AUTHORIZE, query_string=auth_params(fields, redirect_uri=bad), base_url=DEMO
        )
        assert response.status_code == 400
        assert "<form" not in response.text


def test_unknown_client_id_is_refused(client: FlaskClient, fields: dict[str, str]) -> None:
    response = client.get(
        AUTHORIZE, query_string=auth_params(fields, client_id="999"), base_url=DEMO
    )
    assert response.status_code == 400


@pytest.mark.parametrize(
    "missing",
    [
        "login_hint",
        "lti_message_hint",
        "nonce",
        "prompt",
        "response_mode",
        "response_type",
        "scope",
    ],
)
def test_missing_parameter(client: FlaskClient, fields: dict[str, str], missing: str) -> None:
    answer = authorize(client, fields, **{missing: ""})
    assert answer["error"] == "invalid_request_object"
    assert missing in answer["error_description"]
    assert answer["state"] == "state-1"
    assert "id_token" not in answer


def test_scope_must_be_openid(client: FlaskClient, fields: dict[str, str]) -> None:
    assert authorize(client, fields, scope="profile")["error"] == "invalid_request_object"


def test_login_hint_must_match_the_signed_in_user(
    app: Flask, client: FlaskClient, fields: dict[str, str]
) -> None:
    sign_in(client, app, "participant2")
    answer = authorize(client, fields)
    assert answer["error"] == "login_required"
    assert answer["error_description"] == "Must have an active user session"


def test_no_session_is_login_required(fields: dict[str, str], app: Flask) -> None:
    assert authorize(app.test_client(), fields)["error"] == "login_required"


def test_message_hint_is_single_use(client: FlaskClient, fields: dict[str, str]) -> None:
    assert "id_token" in authorize(client, fields)
    again = authorize(client, fields)
    assert again["error"] == "launch_no_longer_valid"
    assert "id_token" not in again


def test_expired_launch_is_no_longer_valid(
    app: Flask, client: FlaskClient, fields: dict[str, str]
) -> None:
    with demo_session(app) as session:
        session.execute(update(LaunchCache).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert authorize(client, fields)["error"] == "launch_no_longer_valid"


def test_tampered_hint_is_no_longer_valid(client: FlaskClient, fields: dict[str, str]) -> None:
    hint = fields["lti_message_hint"]
    answer = authorize(
        client, fields, lti_message_hint=hint[:-2] + ("A" if hint[-2] != "A" else "B") + hint[-1]
    )
    assert answer["error"] == "launch_no_longer_valid"


def test_disabled_key_is_unauthorized_client(
    app: Flask, client: FlaskClient, fields: dict[str, str]
) -> None:
    with demo_session(app) as session:
        session.execute(
            update(DeveloperKey).where(DeveloperKey.client_id == CLIENT_ID).values(enabled=False)
        )
    assert authorize(client, fields)["error"] == "unauthorized_client"
