"""The client-credentials token endpoint and the bearer check of the services."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from demo_canvas import tool_keys
from tests.fake_jwks import ToolJwks

from .conftest import ALL_SCOPES, ASSERTION_TYPE, TOKEN_URL, TOOL_JWKS, World

TOKEN = "/demo/login/oauth2/token"


def post_token(client: FlaskClient, assertion: str, **overrides: str) -> TestResponse:
    data = {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": assertion,
        "scope": ALL_SCOPES,
    }
    data.update(overrides)
    return client.post(TOKEN, data=data)


def test_token_success(client: FlaskClient, assertion: Callable[..., str], http: ToolJwks) -> None:
    response = post_token(client, assertion())
    assert response.status_code == 200
    body: dict[str, Any] = response.json  # type: ignore[assignment]
    assert body["token_type"] == "Bearer"
    assert body["expires_in"] == 3600
    assert body["scope"] == ALL_SCOPES
    assert http.calls == [TOOL_JWKS]


def test_aud_may_be_a_list_containing_the_token_url(
    client: FlaskClient, assertion: Callable[..., str]
) -> None:
    assert post_token(client, assertion(aud=["other", TOKEN_URL])).status_code == 200


@pytest.mark.parametrize(
    "aud", [TOKEN_URL + "/", TOKEN_URL.replace(":5000", ""), "https://canvas.instructure.com"]
)
def test_aud_must_be_the_exact_token_url(
    client: FlaskClient, assertion: Callable[..., str], aud: str
) -> None:
    response = post_token(client, assertion(aud=aud))
    assert response.status_code == 400
    assert response.json == {
        "error": "invalid_request",
        "error_description": "the 'aud' is invalid",
    }


@pytest.mark.parametrize(("iat_offset", "status"), [(-301, 400), (-300, 200), (30, 200), (31, 400)])
def test_iat_window(
    client: FlaskClient,
    assertion: Callable[..., str],
    monkeypatch: pytest.MonkeyPatch,
    iat_offset: int,
    status: int,
) -> None:
    """Five minutes back, thirty seconds ahead, on the demo's clock (held still, so a slow
    machine cannot move the edge)."""
    now = int(time.time())
    monkeypatch.setattr(tool_keys, "utcnow", lambda: datetime.fromtimestamp(now, UTC))
    response = post_token(client, assertion(iat=now + iat_offset, exp=now + 600))
    assert response.status_code == status
    if status == 400:
        assert response.json["error_description"] == "the 'iat' is invalid"  # type: ignore[index]


def test_expired_assertion(client: FlaskClient, assertion: Callable[..., str]) -> None:
    now = int(time.time())
    response = post_token(client, assertion(iat=now - 100, exp=now - 10))
    assert response.status_code == 400
    assert response.json["error_description"] == "the 'exp' is invalid"  # type: ignore[index]


@pytest.mark.parametrize("claim", ["exp", "iat", "jti", "aud"])
def test_required_claims(client: FlaskClient, assertion: Callable[..., str], claim: str) -> None:
    response = post_token(client, assertion(**{claim: None}))
    assert response.status_code == 400
    assert response.json["error"] == "invalid_request"  # type: ignore[index]


def test_signature_must_match_the_tool_jwks(
    client: FlaskClient, sign_tool_jwt: Callable[..., str], assertion: Callable[..., str]
) -> None:
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    good = assertion()
    forged = sign_tool_jwt(jwt.decode(good, options={"verify_signature": False}), key=other)
    response = post_token(client, forged)
    assert response.status_code == 400
    assert response.json["error_description"] == "JWS signature invalid."  # type: ignore[index]


@pytest.mark.parametrize("kid", [None, "unknown-kid"])
def test_kid_must_name_a_tool_key(
    client: FlaskClient, sign_tool_jwt: Callable[..., str], kid: str | None
) -> None:
    now = int(time.time())
    claims = {
        "iss": "10000000000002",
        "sub": "10000000000002",
        "aud": TOKEN_URL,
        "iat": now,
        "exp": now + 60,
        "jti": "x",
    }
    response = post_token(client, sign_tool_jwt(claims, kid=kid))
    assert response.status_code == 400


def test_unknown_client_is_401(client: FlaskClient, assertion: Callable[..., str]) -> None:
    response = post_token(client, assertion(sub="999", iss="999"))
    assert response.status_code == 401
    assert response.json["error"] == "invalid_client"  # type: ignore[index]
    assert "WWW-Authenticate" in response.headers


def test_unsupported_grant_type(client: FlaskClient, assertion: Callable[..., str]) -> None:
    response = post_token(client, assertion(), grant_type="authorization_code")
    assert response.status_code == 400
    assert response.json["error"] == "unsupported_grant_type"  # type: ignore[index]


def test_scope_not_on_the_key(client: FlaskClient, assertion: Callable[..., str]) -> None:
    response = post_token(client, assertion(), scope="https://canvas.instructure.com/auth/users")
    assert response.status_code == 400
    assert response.json["error"] == "invalid_scope"  # type: ignore[index]


def test_services_need_a_bearer_token(client: FlaskClient, world: World) -> None:
    response = client.get(f"/demo/api/lti/courses/{world.course_id()}/line_items")
    assert response.status_code == 401
    assert response.json["errors"]["type"] == "unauthorized"  # type: ignore[index]


def test_services_check_the_token_scope(
    client: FlaskClient, access_token: Callable[..., str], world: World
) -> None:
    token = access_token("https://purl.imsglobal.org/spec/lti-ags/scope/score")
    response = client.get(
        f"/demo/api/lti/courses/{world.course_id()}/line_items",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401
    assert response.json["errors"]["message"] == "Insufficient permissions"  # type: ignore[index]


def test_forged_access_token_is_refused(client: FlaskClient, world: World) -> None:
    response = client.get(
        f"/demo/api/lti/courses/{world.course_id()}/line_items",
        headers={"Authorization": "Bearer not-a-token"},
    )
    assert response.status_code == 401
