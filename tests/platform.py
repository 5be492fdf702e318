"""A minimal signing platform over loopback HTTP: its JWKS, dynamic-registration endpoints and
id_tokens, so protocol tests exercise real RS256 signatures and real key fetching."""

from __future__ import annotations

import json
import threading
import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from lti_tool.services.audit import ADMIN
from lti_tool.services.invites import InviteService
from lti_tool.services.registrations import RegistrationService
from lti_tool.web import session_scope

ISSUER = "https://canvas.test.example"
CLIENT_ID = "10000000000042"
DEPLOYMENT_ID = "7:8865aa05b4b79b64a91a86042e43af5ea8ae79eb"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"


def new_key() -> tuple[rsa.RSAPrivateKey, str]:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048), uuid.uuid4().hex


def invite_path(app: Flask, note: str = "") -> str:
    """The operator's step before a dynamic registration: a single-use installation link."""
    with app.app_context(), session_scope(app) as session:
        issued = InviteService(session).issue(note)
        return urlsplit(issued.url(app.config["LTI_TOOL_BASE_URL"])).path


class TestPlatform:
    __test__ = False

    def __init__(self) -> None:
        self.server = make_server("127.0.0.1", 0, self._wsgi, threaded=True)
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.reset()

    def start(self) -> None:
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()

    def reset(self) -> None:
        self.keys = [new_key()]
        self.requests: list[str] = []
        self.registrations: list[dict[str, Any]] = []
        self.roster: list[dict[str, Any]] = []
        """NRPS members served at `memberships_url` (one page)."""

    @property
    def memberships_url(self) -> str:
        return self.base_url + "/memberships"

    def enrol(self, sub: str, *roles: str) -> None:
        """List `sub` in the course roster with `roles` (replacing an earlier entry)."""
        self.unenrol(sub)
        self.roster.append({"user_id": sub, "status": "Active", "roles": list(roles)})

    def unenrol(self, sub: str) -> None:
        self.roster = [member for member in self.roster if member["user_id"] != sub]

    @property
    def key(self) -> rsa.RSAPrivateKey:
        return self.keys[0][0]

    @property
    def kid(self) -> str:
        return self.keys[0][1]

    def registration_params(self, token: str = "reg-token") -> dict[str, str]:  # noqa: S107
        """What Canvas adds to the tool's registration URL in a dynamic registration."""
        return {
            "openid_configuration": self.base_url + "/openid-configuration",
            "registration_token": token,
        }

    def register_with(self, app: Flask) -> None:
        with app.app_context(), session_scope(app) as session:
            RegistrationService(session).add(
                actor=ADMIN,
                issuer=ISSUER,
                client_id=CLIENT_ID,
                auth_login_url=self.base_url + "/authorize_redirect",
                auth_token_url=self.base_url + "/token",
                key_set_url=self.base_url + "/jwks",
                deployment_ids=[DEPLOYMENT_ID],
            )

    def jwks(self) -> dict[str, Any]:
        keys = []
        for private_key, kid in self.keys:
            jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key()))
            keys.append({**jwk, "kid": kid, "alg": "RS256", "use": "sig"})
        return {"keys": keys}

    def claims(self, nonce: str, role: str = LEARNER, **overrides: Any) -> dict[str, Any]:
        now = int(time.time())
        body: dict[str, Any] = {
            "iss": ISSUER,
            "aud": CLIENT_ID,
            "azp": CLIENT_ID,
            "iat": now,
            "exp": now + 3600,
            "nonce": nonce,
            "sub": "a6d5c443-1f51-4783-ba1a-7686ffe3b54a",
            "name": "Jordan Rivera",
            LTI + "message_type": "LtiResourceLinkRequest",
            LTI + "version": "1.3.0",
            LTI + "deployment_id": DEPLOYMENT_ID,
            LTI + "target_link_uri": "http://localhost/lti/launch",
            LTI + "resource_link": {"id": "rl-1", "title": "Week 1 reflection"},
            LTI + "context": {"id": "ctx-officers", "label": "OFF-1", "title": "Officers"},
            LTI + "roles": [role],
            LTI + "custom": {
                "due_at": "$Canvas.assignment.dueAt.iso8601",
                "canvas_course_id": "42",
            },
        }
        body.update(overrides)
        return {k: v for k, v in body.items() if v is not None}

    def sign(
        self, body: dict[str, Any], *, kid: str | None = None, key: Any = None, alg: str = "RS256"
    ) -> str:
        return jwt.encode(body, key or self.key, algorithm=alg, headers={"kid": kid or self.kid})

    def login(self, client: FlaskClient, **params: str) -> tuple[str, str, dict[str, list[str]]]:
        """Start an OIDC login like Canvas; returns (state, nonce, auth query)."""
        form = {
            "iss": ISSUER,
            "login_hint": "b0d7a3f9e2c14d5a8e6f7a9b1c3d5e7f9a1b3c5d",
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
            "target_link_uri": "http://localhost/lti/launch",
            "lti_message_hint": "hint",
            **params,
        }
        response = client.post("/lti/login", data=form)
        assert response.status_code in (200, 302), response.get_data(as_text=True)
        html = response.get_data(as_text=True)
        location = response.headers.get("Location") or _data_attr(html, "data-auth-url")
        query = parse_qs(urlsplit(location).query)
        return query["state"][0], query["nonce"][0], query

    def launch(self, client: FlaskClient, role: str = LEARNER, **overrides: Any) -> Any:
        state, nonce, _ = self.login(client)
        token = self.sign(self.claims(nonce, role=role, **overrides))
        return client.post("/lti/launch", data={"id_token": token, "state": state})

    def _wsgi(self, environ: dict[str, Any], start_response: Any) -> Any:
        request = Request(environ)
        self.requests.append(request.path)
        if request.path == "/jwks":
            response = Response(json.dumps(self.jwks()), mimetype="application/json")
        elif request.path == "/openid-configuration":
            response = self._openid_configuration(request)
        elif request.path == "/registrations" and request.method == "POST":
            response = self._register(request)
        elif request.path == "/token" and request.method == "POST":
            token = {"access_token": uuid.uuid4().hex, "token_type": "Bearer", "expires_in": 3600}
            response = Response(json.dumps(token), mimetype="application/json")
        elif request.path == "/memberships":
            members = {"id": self.memberships_url, "members": self.roster}
            response = Response(
                json.dumps(members),
                mimetype="application/vnd.ims.lti-nrps.v2.membershipcontainer+json",
            )
        else:
            response = Response("not found", status=404)
        return response(environ, start_response)

    def _openid_configuration(self, request: Request) -> Response:
        if request.headers.get("Authorization") != "Bearer reg-token":
            return Response("{}", status=401, mimetype="application/json")
        config = {
            "issuer": ISSUER,
            "authorization_endpoint": self.base_url + "/authorize_redirect",
            "registration_endpoint": self.base_url + "/registrations",
            "jwks_uri": self.base_url + "/jwks",
            "token_endpoint": self.base_url + "/token",
        }
        return Response(json.dumps(config), mimetype="application/json")

    def _register(self, request: Request) -> Response:
        if request.headers.get("Authorization") != "Bearer reg-token":
            return Response("{}", status=401, mimetype="application/json")
        body = request.get_json()
        self.registrations.append(body)
        answer = {**body, "client_id": "20000000000007", "deployment_id": "9:dynamic"}
        return Response(json.dumps(answer), mimetype="application/json")


def _data_attr(html: str, name: str) -> str:
    start = html.index(name + '="') + len(name) + 2
    return html[start : html.index('"', start)].replace("&amp;", "&")
