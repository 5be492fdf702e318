"""Dynamic registration, platform side."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient

from demo_canvas import registration
from demo_canvas.db import demo_session

from .conftest import DEMO, TOOL, World

TOOL_CONFIGURATION = "https://purl.imsglobal.org/spec/lti-tool-configuration"


@pytest.fixture
def token(app: Flask, world: World) -> str:
    with app.app_context(), demo_session(app) as session:
        return registration.registration_token(session, world.user("instructor").id)


def registration_body() -> dict[str, Any]:
    return {
        "application_type": "web",
        "grant_types": ["implicit", "client_credentials"],
        "response_types": ["id_token"],
        "initiate_login_uri": f"{TOOL}/lti/login",
        "redirect_uris": [f"{TOOL}/lti/launch"],
        "client_name": "Reflections (registered)",
        "jwks_uri": f"{TOOL}/lti/jwks",
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": "https://purl.imsglobal.org/spec/lti-ags/scope/score https://example.com/unknown",
        TOOL_CONFIGURATION: {
            "domain": "localhost:5000",
            "target_link_uri": f"{TOOL}/lti/launch",
            "custom_parameters": {"canvas_course_id": "$Canvas.course.id"},
            "messages": [
                {
                    "type": "LtiDeepLinkingRequest",
                    "target_link_uri": f"{TOOL}/lti/launch",
                    "placements": ["https://canvas.instructure.com/lti/link_selection"],
                }
            ],
            "https://canvas.instructure.com/lti/privacy_level": "name_only",
        },
    }


def test_openid_configuration_needs_the_registration_token(client: FlaskClient, token: str) -> None:
    assert client.get("/demo/api/lti/security/openid-configuration").status_code == 401
    response = client.get(
        "/demo/api/lti/security/openid-configuration", headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert body["registration_endpoint"] == f"{DEMO}/demo/api/lti/registrations"
    assert body["token_endpoint"] == f"{DEMO}/demo/login/oauth2/token"
    assert (
        body["https://purl.imsglobal.org/spec/lti-platform-configuration"]["product_family_code"]
        == "canvas"
    )


def test_registration_creates_a_key_and_deployment(
    client: FlaskClient, token: str, world: World
) -> None:
    response = client.post(
        "/demo/api/lti/registrations",
        json=registration_body(),
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    body = response.json
    assert body is not None
    assert body["client_id"] == "10000000000003"
    assert body["deployment_id"].startswith("6:")
    key = world.developer_key("10000000000003")
    assert key.public_jwk_url == f"{TOOL}/lti/jwks"
    assert key.scopes == ["https://purl.imsglobal.org/spec/lti-ags/scope/score"]
    assert key.privacy_level == "name_only"
    assert key.placement("link_selection") is not None


def test_a_registration_token_registers_once(client: FlaskClient, token: str) -> None:
    headers = {"Authorization": f"Bearer {token}"}
    assert (
        client.post(
            "/demo/api/lti/registrations", json=registration_body(), headers=headers
        ).status_code
        == 200
    )
    assert (
        client.post(
            "/demo/api/lti/registrations", json=registration_body(), headers=headers
        ).status_code
        == 422
    )


@pytest.mark.parametrize(
    "field", ["jwks_uri", "redirect_uris", "initiate_login_uri", TOOL_CONFIGURATION]
)
def test_registration_requires_fields(client: FlaskClient, token: str, field: str) -> None:
    body = registration_body()
    del body[field]
    response = client.post(
        "/demo/api/lti/registrations", json=body, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422


def test_registration_without_token_is_401(client: FlaskClient) -> None:
    assert client.post("/demo/api/lti/registrations", json=registration_body()).status_code == 401


def test_launch_url_carries_canvas_parameters(app: Flask, token: str) -> None:
    with app.app_context():
        url = registration.registration_launch_url(f"{TOOL}/lti/register", token)
    query = parse_qs(urlsplit(url).query)
    assert query["registration_token"] == [token]
    assert query["openid_configuration"] == [f"{DEMO}/demo/api/lti/security/openid-configuration"]
