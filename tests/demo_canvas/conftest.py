"""Fixtures for the demo Canvas: its own app (no tool), and a tool-side RSA key.

The seeded database is built once per session and copied for each test (RSA key generation is the
slow part). The demo fetches the tool's JWKS through ``tests.fake_jwks.ToolJwks``, so no test
touches the network.
"""

from __future__ import annotations

import html
import json
import re
import shutil
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from demo_canvas import create_app, login_initiation_for, session_cookie_for
from demo_canvas.db import EXTENSION_KEY, demo_session
from demo_canvas.models import Course, DeveloperKey, LineItem, User
from tests.fake_jwks import ToolJwks

DEMO = "http://127.0.0.1:5000"
TOOL = "http://localhost:5000"
ISSUER = "https://canvas.instructure.com"
CLIENT_ID = "10000000000002"
TOOL_JWKS = f"{TOOL}/lti/jwks"
TOOL_LAUNCH = f"{TOOL}/lti/launch"
TOKEN_URL = f"{DEMO}/demo/login/oauth2/token"
TOOL_KID = "tool-key-1"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
ALL_SCOPES = " ".join(
    [AGS + "lineitem", AGS + "lineitem.readonly", AGS + "result.readonly", AGS + "score", NRPS]
)


@pytest.fixture(scope="session")
def tool_private_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="session")
def tool_public_jwk(tool_private_key: rsa.RSAPrivateKey) -> dict[str, Any]:
    jwk: dict[str, Any] = json.loads(
        jwt.algorithms.RSAAlgorithm.to_jwk(tool_private_key.public_key())
    )
    jwk.update(kid=TOOL_KID, alg="RS256", use="sig")
    return jwk


def _make_app(db_path: Path, http: ToolJwks) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DEMO_CANVAS_DATABASE_URL": f"sqlite:///{db_path}",
            "DEMO_CANVAS_HTTP": http,
            "DEMO_CANVAS_BASE_URL": DEMO,
            "LTI_TOOL_BASE_URL": TOOL,
        }
    )


def _dispose(app: Flask) -> None:
    app.extensions[EXTENSION_KEY]["engine"].dispose()


@pytest.fixture(scope="session")
def seeded_db(tmp_path_factory: pytest.TempPathFactory, tool_public_jwk: dict[str, Any]) -> Path:
    folder = tmp_path_factory.mktemp("demo_canvas_seed")
    path = folder / "seeded.db"
    _dispose(_make_app(path, _http(tool_public_jwk)))
    return path


def _http(public_jwk: dict[str, Any]) -> ToolJwks:
    return ToolJwks(TOOL_JWKS, lambda: {"keys": [public_jwk]})


@pytest.fixture
def http(tool_public_jwk: dict[str, Any]) -> ToolJwks:
    return _http(tool_public_jwk)


@pytest.fixture
def app(tmp_path: Path, seeded_db: Path, http: ToolJwks) -> Iterator[Flask]:
    db_path = tmp_path / "demo.db"
    shutil.copy(seeded_db, db_path)
    app = _make_app(db_path, http)
    yield app
    _dispose(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def sign_tool_jwt(tool_private_key: rsa.RSAPrivateKey) -> Callable[..., str]:
    """Sign claims as the tool does (RS256, kid in the header)."""

    def sign(claims: dict[str, Any], *, kid: str | None = TOOL_KID, key: Any = None) -> str:
        headers = {"kid": kid} if kid else {}
        return jwt.encode(claims, key or tool_private_key, algorithm="RS256", headers=headers)

    return sign


@pytest.fixture
def assertion(sign_tool_jwt: Callable[..., str]) -> Callable[..., str]:
    """A client-credentials assertion; keyword arguments override or (with None) drop claims."""

    def make(**overrides: Any) -> str:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": CLIENT_ID,
            "sub": CLIENT_ID,
            "aud": TOKEN_URL,
            "iat": now,
            "exp": now + 300,
            "jti": uuid.uuid4().hex,
        }
        claims.update(overrides)
        return sign_tool_jwt({k: v for k, v in claims.items() if v is not None})

    return make


@pytest.fixture
def access_token(client: FlaskClient, assertion: Callable[..., str]) -> Callable[..., str]:
    def get(scope: str = ALL_SCOPES) -> str:
        response = client.post(
            "/demo/login/oauth2/token",
            data={
                "grant_type": "client_credentials",
                "client_assertion_type": ASSERTION_TYPE,
                "client_assertion": assertion(),
                "scope": scope,
            },
        )
        assert response.status_code == 200, response.text
        token: str = response.json["access_token"]  # type: ignore[index]
        return token

    return get


@pytest.fixture
def bearer(access_token: Callable[..., str]) -> dict[str, str]:
    return {"Authorization": f"Bearer {access_token()}"}


def form_fields(page: str) -> dict[str, str]:
    """The hidden fields of an auto-posted form page."""
    pairs = re.findall(r'<input type="hidden" name="([^"]*)" value="([^"]*)">', page)
    return {html.unescape(name): html.unescape(value) for name, value in pairs}


def form_action(page: str, form_id: str | None = None) -> str:
    """The first form's action, or that of the form with ``form_id``."""
    marker = f'id="{form_id}"[^>]*' if form_id else ""
    match = re.search(rf'<form[^>]*{marker}action="([^"]*)"', page)
    assert match is not None
    return html.unescape(match.group(1))


def sign_in(client: FlaskClient, app: Flask, login_id: str) -> None:
    name, value = session_cookie_for(app, login_id)
    client.set_cookie(name, value, domain="127.0.0.1", path="/demo")


def auth_params(fields: dict[str, str], **overrides: str) -> dict[str, str]:
    """The tool's authentication request for a login initiation."""
    params = {
        "client_id": fields["client_id"],
        "login_hint": fields["login_hint"],
        "lti_message_hint": fields["lti_message_hint"],
        "nonce": "nonce-1",
        "prompt": "none",
        "redirect_uri": TOOL_LAUNCH,
        "response_mode": "form_post",
        "response_type": "id_token",
        "scope": "openid",
        "state": "state-1",
    }
    params.update(overrides)
    return {k: v for k, v in params.items() if v != ""}


@pytest.fixture
def launch(client: FlaskClient, app: Flask) -> Callable[..., dict[str, str]]:
    """Run login initiation and ``authorize`` as a seeded user; return the posted form's fields."""

    def run(
        login_id: str, course: str = "OFFICERS", item: str = "Week 1 reflection"
    ) -> dict[str, str]:
        sign_in(client, app, login_id)
        initiation = login_initiation_for(app, login_id, course, item)
        response = client.get(
            "/demo/api/lti/authorize", query_string=auth_params(initiation.fields), base_url=DEMO
        )
        assert response.status_code == 200, response.text
        return form_fields(response.text)

    return run


@pytest.fixture
def platform_keys(client: FlaskClient) -> dict[str, Any]:
    body: dict[str, Any] = client.get("/demo/api/lti/security/jwks").json  # type: ignore[assignment]
    return {key["kid"]: jwt.PyJWK(key) for key in body["keys"]}


@pytest.fixture
def decode_id_token(platform_keys: dict[str, Any]) -> Callable[[str], dict[str, Any]]:
    def decode(token: str) -> dict[str, Any]:
        key = platform_keys[jwt.get_unverified_header(token)["kid"]]
        claims: dict[str, Any] = jwt.decode(token, key, algorithms=["RS256"], audience=CLIENT_ID)
        return claims

    return decode


class World:
    """Lookups into the seeded demo database."""

    def __init__(self, app: Flask) -> None:
        self.app = app

    def course_id(self, code: str = "OFFICERS") -> int:
        with demo_session(self.app) as session:
            return session.scalars(select(Course.id).where(Course.course_code == code)).one()

    def user(self, login_id: str) -> User:
        with demo_session(self.app) as session:
            user = session.scalars(select(User).where(User.login_id == login_id)).one()
            session.expunge(user)
            return user

    def line_item_id(self, code: str = "OFFICERS", label: str = "Week 1 reflection") -> int:
        with demo_session(self.app) as session:
            return session.scalars(
                select(LineItem.id).where(
                    LineItem.course_id == self.course_id(code), LineItem.label == label
                )
            ).one()

    def developer_key(self, client_id: str = CLIENT_ID) -> DeveloperKey:
        with demo_session(self.app) as session:
            key = session.scalars(
                select(DeveloperKey).where(DeveloperKey.client_id == client_id)
            ).one()
            session.expunge(key)
            return key


@pytest.fixture
def world(app: Flask) -> World:
    return World(app)
