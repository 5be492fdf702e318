"""OIDC login and launch with real RS256 tokens, and every refusal answering a readable 4xx."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool import create_app
from lti_tool.lti import claims
from lti_tool.models import Course, Deployment, Enrollment, Person
from lti_tool.web import session_scope, wiring
from tests.platform import CLIENT_ID, INSTRUCTOR, LTI, TestPlatform, _data_attr, new_key
from tests.servers import instance_config

pytestmark = pytest.mark.usefixtures("platform")


def _refused(response: Any, status: int, text: str) -> None:
    body = response.get_data(as_text=True)
    assert response.status_code == status, body
    assert "<h1" in body and text in body
    assert "Traceback" not in body


class TestLogin:
    def test_login_redirects_to_platform_with_state_and_nonce(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        state, nonce, query = platform.login(client)
        assert query["redirect_uri"] == ["http://localhost/lti/launch"]
        assert query["response_mode"] == ["form_post"] and query["prompt"] == ["none"]
        assert query["lti_message_hint"] == ["hint"] and state.startswith("state-") and nonce

    def test_get_login_and_deployment_id_alias(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        response = client.get(
            "/lti/login",
            query_string={
                "iss": "https://canvas.test.example",
                "login_hint": "x",
                "client_id": CLIENT_ID,
                "deployment_id": "7:x",
                "target_link_uri": "http://localhost/lti/launch",
                "new_window": "1",
            },
        )
        assert response.status_code == 302
        assert response.headers["Location"].startswith(platform.base_url + "/authorize_redirect?")

    def test_storage_target_renders_platform_storage_page(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        state, _, _ = platform.login(client, lti_storage_target="post_message_forwarding")
        response = client.post(
            "/lti/login",
            data={
                "iss": "https://canvas.test.example",
                "login_hint": "x",
                "client_id": CLIENT_ID,
                "target_link_uri": "http://localhost/lti/launch",
                "lti_storage_target": "post_message_forwarding",
            },
        )
        html = response.get_data(as_text=True)
        assert 'data-storage-target="post_message_forwarding"' in html
        assert f'data-storage-origin="{platform.base_url}"' in html

    def test_without_platform_storage_the_login_checks_cookies_and_offers_a_new_tab(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        params = {
            "iss": "https://canvas.test.example",
            "login_hint": "x",
            "client_id": CLIENT_ID,
            "target_link_uri": "http://localhost/lti/launch",
        }
        page = client.post("/lti/login", data=params)
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and "Open in a new tab" in html
        assert f'data-auth-url="{platform.base_url}/authorize_redirect?' in html
        form = html[html.index('<form method="post" action="/lti/login" target="_blank">') :]
        for name, value in {**params, "new_window": "1"}.items():
            assert f'name="{name}" value="{value}"' in form
        new_tab = client.post("/lti/login", data={**params, "new_window": "1"})
        assert new_tab.status_code == 302
        assert new_tab.headers["Location"].startswith(platform.base_url + "/authorize_redirect?")

    def test_unknown_client_id_is_refused(self, client: FlaskClient) -> None:
        response = client.post(
            "/lti/login",
            data={
                "iss": "https://canvas.test.example",
                "login_hint": "x",
                "client_id": "999",
                "target_link_uri": "http://localhost/lti/launch",
            },
        )
        _refused(response, 400, "not registered")
        # readable inside the unknown platform's iframe too: no registration names its origin
        assert "frame-ancestors *" in response.headers["Content-Security-Policy"]

    @pytest.mark.parametrize("missing", ["iss", "login_hint"])
    def test_incomplete_login_is_explained(self, client: FlaskClient, missing: str) -> None:
        params = {
            "iss": "https://canvas.test.example",
            "login_hint": "x",
            "client_id": CLIENT_ID,
            "target_link_uri": "http://localhost/lti/launch",
        }
        del params[missing]
        _refused(client.post("/lti/login", data=params), 400, f"did not send &#39;{missing}&#39;")

    def test_foreign_target_link_uri_is_refused(self, client: FlaskClient) -> None:
        response = client.post(
            "/lti/login",
            data={
                "iss": "https://canvas.test.example",
                "login_hint": "x",
                "client_id": CLIENT_ID,
                "target_link_uri": "https://evil.example/phish",
            },
        )
        _refused(response, 400, "outside this tool")

    def test_state_cookie_is_httponly_and_scoped(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        response = client.post(
            "/lti/login",
            data={
                "iss": "https://canvas.test.example",
                "login_hint": "x",
                "client_id": CLIENT_ID,
                "target_link_uri": "http://localhost/lti/launch",
                "new_window": "1",
            },
        )
        cookie = response.headers["Set-Cookie"]
        assert "HttpOnly" in cookie and "Path=/lti" in cookie

    def test_https_state_cookie_is_partitioned(
        self, app: Flask, platform: TestPlatform, keys_dir: Path
    ) -> None:
        https_app = create_app(
            instance_config(wiring(app).settings.database_url, keys_dir, "https://tool.example")
        )
        client = https_app.test_client()
        response = client.post(
            "/lti/login",
            base_url="https://tool.example",
            data={
                "iss": "https://canvas.test.example",
                "login_hint": "x",
                "client_id": CLIENT_ID,
                "target_link_uri": "https://tool.example/lti/launch",
                "new_window": "1",
            },
        )
        wiring(https_app).dispose()
        cookie = response.headers["Set-Cookie"]
        assert "SameSite=None" in cookie and "Secure" in cookie and "Partitioned" in cookie


class TestLaunch:
    def test_learner_launch_lands_on_participant_page(
        self, client: FlaskClient, platform: TestPlatform, app: Flask
    ) -> None:
        response = platform.launch(client)
        assert response.status_code == 303
        landing = urlsplit(response.headers["Location"])
        assert landing.path == "/participant/"
        page = client.get(landing.path, query_string=parse_qs(landing.query))
        assert page.status_code == 200 and "Officers" in page.get_data(as_text=True)
        with app.app_context(), session_scope(app) as session:
            enrollment = session.scalars(select(Enrollment)).one()
            assert (
                enrollment.role == "participant" and enrollment.course.context_id == "ctx-officers"
            )

    def test_state_cookie_is_removed_after_use(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        state, nonce, _ = platform.login(client)
        token = platform.sign(platform.claims(nonce))
        response = client.post("/lti/launch", data={"id_token": token, "state": state})
        assert response.status_code == 303
        assert client.get_cookie(f"lti1p3-{state}", path="/lti") is None

    def test_instructor_launch_lands_on_instructor_page(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        response = platform.launch(client, role=INSTRUCTOR)
        assert urlsplit(response.headers["Location"]).path == "/instructor/"

    def test_clock_skew_within_leeway_is_accepted(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        now = int(time.time())
        assert platform.launch(client, iat=now + 45).status_code == 303

    def test_new_deployment_is_recorded(
        self, client: FlaskClient, platform: TestPlatform, app: Flask
    ) -> None:
        assert (
            platform.launch(client, **{LTI + "deployment_id": "12:new-course-install"}).status_code
            == 303
        )
        with app.app_context(), session_scope(app) as session:
            ids = set(session.scalars(select(Deployment.deployment_id)))
        assert "12:new-course-install" in ids

    def test_several_audiences_with_the_tool_as_azp(
        self, client: FlaskClient, platform: TestPlatform, app: Flask
    ) -> None:
        response = platform.launch(client, aud=["another-tool", CLIENT_ID], azp=CLIENT_ID)
        assert response.status_code == 303, response.get_data(as_text=True)
        with app.app_context(), session_scope(app) as session:
            assert session.scalars(select(Course.context_id)).all() == ["ctx-officers"]

    def test_long_names_and_titles_are_cut_to_fit(
        self, client: FlaskClient, platform: TestPlatform, app: Flask
    ) -> None:
        context = {"id": "ctx-long", "title": "T" * 400, "label": "L" * 300}
        response = platform.launch(
            client, name="N" * 300, email="e" * 300 + "@example.org", **{LTI + "context": context}
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        with app.app_context(), session_scope(app) as session:
            course = session.scalars(select(Course)).one()
            person = session.scalars(select(Person)).one()
        assert (course.title, course.label) == ("T" * 255, "L" * 255)
        assert (person.name, person.email) == ("N" * 255, None)

    def test_canvas_error_answer_is_explained(self, client: FlaskClient) -> None:
        response = client.post(
            "/lti/launch",
            data={
                "error": "login_required",
                "error_description": "Must have an active user session",
                "state": "s",
            },
        )
        _refused(response, 400, "active user session")

    def test_cookieless_launch_finishes_through_platform_storage(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        state, nonce, _ = platform.login(client)
        client.delete_cookie(f"lti1p3-{state}", path="/lti")
        token = platform.sign(platform.claims(nonce))
        page = client.post(
            "/lti/launch",
            data={
                "id_token": token,
                "state": state,
                "lti_storage_target": "post_message_forwarding",
            },
        )
        html = page.get_data(as_text=True)
        assert page.status_code == 200 and f'data-state="{state}"' in html
        ticket = _data_attr(html, 'name="ticket" value')
        finished = client.post(
            "/lti/launch/verify",
            data={"ticket": ticket},
            headers={"Origin": "http://localhost", "Sec-Fetch-Site": "same-origin"},
        )
        assert finished.status_code == 303
        again = client.post("/lti/launch/verify", data={"ticket": ticket})
        _refused(again, 400, "expired")

    def test_cross_site_verify_is_refused(self, client: FlaskClient) -> None:
        response = client.post(
            "/lti/launch/verify",
            data={"ticket": "x"},
            headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
        )
        _refused(response, 403, "did not come from the tool")

    def test_observer_is_refused(self, client: FlaskClient, platform: TestPlatform) -> None:
        response = platform.launch(
            client, role="http://purl.imsglobal.org/vocab/lis/v2/membership#Mentor"
        )
        _refused(response, 403, "participants and instructors")

    def test_launch_data_is_kept_server_side(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        location = platform.launch(client).headers["Location"]
        token = parse_qs(urlsplit(location).query)["st"][0]
        payload = jwt.decode(token, options={"verify_signature": False})
        assert set(payload) == {"lid", "sub", "ctx", "role", "iat", "exp", "cap", "aud"}


class TestRefusals:
    def test_replayed_id_token(self, client: FlaskClient, platform: TestPlatform) -> None:
        state, nonce, _ = platform.login(client)
        token = platform.sign(platform.claims(nonce))
        assert (
            client.post("/lti/launch", data={"id_token": token, "state": state}).status_code == 303
        )
        _refused(
            client.post("/lti/launch", data={"id_token": token, "state": state}), 400, "cookie"
        )
        client.set_cookie(f"lti1p3-{state}", state, path="/lti")  # even with the browser's cookie
        _refused(
            client.post("/lti/launch", data={"id_token": token, "state": state}),
            400,
            "already used",
        )

    def test_bad_signature(self, client: FlaskClient, platform: TestPlatform) -> None:
        state, nonce, _ = platform.login(client)
        other_key, _ = new_key()
        token = platform.sign(platform.claims(nonce), key=other_key)
        _refused(
            client.post("/lti/launch", data={"id_token": token, "state": state}),
            400,
            "signature is not valid",
        )

    @pytest.mark.parametrize("alg", ["none", "HS256"])
    def test_weak_algorithms(self, client: FlaskClient, platform: TestPlatform, alg: str) -> None:
        state, nonce, _ = platform.login(client)
        key = None if alg == "none" else "a-shared-secret-an-attacker-picked-123456"
        token = jwt.encode(
            platform.claims(nonce), key, algorithm=alg, headers={"kid": platform.kid}
        )
        _refused(
            client.post("/lti/launch", data={"id_token": token, "state": state}),
            400,
            "not signed correctly",
        )

    def test_unknown_kid_refetches_once_then_refuses(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        assert platform.launch(client).status_code == 303
        state, nonce, _ = platform.login(client)
        token = platform.sign(platform.claims(nonce), kid="never-published")
        before = platform.requests.count("/jwks")
        _refused(
            client.post("/lti/launch", data={"id_token": token, "state": state}), 400, "unknown key"
        )
        assert platform.requests.count("/jwks") == before + 1
        state, nonce, _ = platform.login(client)  # again within the minute: no second fetch
        token = platform.sign(platform.claims(nonce), kid="never-published")
        _refused(
            client.post("/lti/launch", data={"id_token": token, "state": state}), 400, "unknown key"
        )
        assert platform.requests.count("/jwks") == before + 1

    def test_platform_keys_are_fetched_once_for_many_launches(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        before = platform.requests.count("/jwks")
        for _ in range(4):
            assert platform.launch(client).status_code == 303
        assert platform.requests.count("/jwks") == before + 1

    def test_rotated_platform_key_is_picked_up(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        assert platform.launch(client).status_code == 303
        platform.keys.insert(0, new_key())
        assert platform.launch(client).status_code == 303

    @pytest.mark.parametrize(
        "overrides",
        [
            {"aud": "someone-else"},
            {"aud": ["a", "b"]},
            {"azp": "someone-else"},
            {"aud": [CLIENT_ID, "b"], "azp": "b"},
        ],
    )
    def test_wrong_audience(
        self, client: FlaskClient, platform: TestPlatform, overrides: dict[str, Any]
    ) -> None:
        response = platform.launch(client, **overrides)
        assert response.status_code == 400 and "Traceback" not in response.get_data(as_text=True)

    def test_expired(self, client: FlaskClient, platform: TestPlatform) -> None:
        now = int(time.time())
        _refused(platform.launch(client, iat=now - 7200, exp=now - 3600), 400, "expired")

    def test_issued_in_the_future(self, client: FlaskClient, platform: TestPlatform) -> None:
        now = int(time.time())
        _refused(platform.launch(client, iat=now + 600, exp=now + 4200), 400, "future")

    def test_state_mismatch(self, client: FlaskClient, platform: TestPlatform) -> None:
        _, nonce, _ = platform.login(client)
        token = platform.sign(platform.claims(nonce))
        _refused(
            client.post("/lti/launch", data={"id_token": token, "state": "state-forged"}),
            400,
            "does not match",
        )

    def test_missing_state_cookie_without_storage(self, app: Flask, platform: TestPlatform) -> None:
        state, nonce, _ = platform.login(app.test_client())
        token = platform.sign(platform.claims(nonce))
        response = app.test_client().post("/lti/launch", data={"id_token": token, "state": state})
        _refused(response, 400, "blocked the tool")

    def test_unknown_client_id(self, client: FlaskClient, platform: TestPlatform) -> None:
        _refused(platform.launch(client, aud="999", azp="999"), 400, "not registered")

    @pytest.mark.parametrize(
        "claim", ["nonce", "sub", LTI + "deployment_id", LTI + "roles", LTI + "context", "exp"]
    )
    def test_missing_claims(self, client: FlaskClient, platform: TestPlatform, claim: str) -> None:
        state, nonce, _ = platform.login(client)
        body = platform.claims(nonce)
        del body[claim]
        response = client.post(
            "/lti/launch", data={"id_token": platform.sign(body), "state": state}
        )
        assert 400 <= response.status_code < 500
        assert "<h1" in response.get_data(as_text=True)
        assert "Traceback" not in response.get_data(as_text=True)

    def test_wrong_version_and_message_type(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        _refused(platform.launch(client, **{LTI + "version": "1.1"}), 400, "version")
        _refused(
            platform.launch(client, **{LTI + "message_type": "LtiSubmissionReviewRequest"}),
            400,
            "Unsupported",
        )

    @pytest.mark.parametrize(
        "form",
        [
            {},
            {"state": "s"},
            {"state": "s", "id_token": "garbage"},
            {"state": "s", "id_token": "a.b.c"},
            {"state": "s", "id_token": "e30.W10.x"},
            {"state": "s", "id_token": "\u00ff" * 5000},
        ],
    )
    def test_malformed_bodies(
        self, client: FlaskClient, platform: TestPlatform, form: dict[str, str]
    ) -> None:
        state, _, _ = platform.login(client)
        form = {**form, "state": state} if "state" in form else form
        response = client.post("/lti/launch", data=form)
        assert 400 <= response.status_code < 500
        assert "<h1" in response.get_data(as_text=True)
        assert "Traceback" not in response.get_data(as_text=True)

    @pytest.mark.parametrize(
        ("claim", "value"),
        [
            (LTI + "custom", "prompt_id=1"),
            (LTI + "custom", ["prompt_id"]),
            (LTI + "resource_link", "rl-1"),
            (claims.AGS_ENDPOINT, "https://canvas.test.example/api/lti/courses/1/line_items"),
            (claims.AGS_ENDPOINT, {"lineitems": ["a"], "scope": []}),
            (claims.AGS_ENDPOINT, {"scope": "https://purl.imsglobal.org/spec/lti-ags/scope/score"}),
            (claims.NRPS, "https://canvas.test.example/names"),
            (claims.DEEP_LINKING_SETTINGS, "settings"),
            ("name", {"given": "Jordan"}),
            ("email", ["jordan@example.org"]),
            ("sub", 42),
            ("sub", "s" * 256),
            (LTI + "deployment_id", {"id": "1"}),
            (LTI + "deployment_id", "d" * 256),
            (LTI + "roles", "Learner"),
            (LTI + "context", {"id": 42, "title": "Officers"}),
            (LTI + "context", {"id": "c" * 256}),
            (LTI + "context", {"id": "ctx", "title": ["Officers"]}),
            (claims.AGS_ENDPOINT, {"lineitems": "https://canvas.test.example/" + "a" * 1024}),
        ],
    )
    def test_malformed_claims(
        self, app: Flask, client: FlaskClient, platform: TestPlatform, claim: str, value: Any
    ) -> None:
        """Signed by the platform yet unreadable: a readable refusal, and nothing is stored."""
        _refused(platform.launch(client, **{claim: value}), 400, "cannot read")
        with app.app_context(), session_scope(app) as session:
            assert session.scalars(select(Course)).all() == []
            deployments = session.scalars(select(Deployment.deployment_id)).all()
            assert all(isinstance(d, str) and len(d) < 256 for d in deployments)

    def test_launch_by_get_and_json(self, client: FlaskClient) -> None:
        assert client.get("/lti/launch").status_code == 405
        response = client.post("/lti/launch", json={"id_token": "x"})
        assert 400 <= response.status_code < 500


class TestSessionToken:
    def _token(self, client: FlaskClient, platform: TestPlatform, role: str = "learner") -> str:
        response = platform.launch(
            client, role=INSTRUCTOR if role == "instructor" else platform_learner()
        )
        return parse_qs(urlsplit(response.headers["Location"]).query)["st"][0]

    def test_pages_work_without_cookies(
        self, app: Flask, client: FlaskClient, platform: TestPlatform
    ) -> None:
        token = self._token(client, platform)
        fresh = app.test_client()
        assert fresh.get("/participant/", query_string={"st": token}).status_code == 200
        assert (
            fresh.get("/participant/", headers={"Authorization": f"Bearer {token}"}).status_code
            == 200
        )

    def test_missing_forged_or_expired_token(
        self, app: Flask, client: FlaskClient, platform: TestPlatform
    ) -> None:
        token = self._token(client, platform)
        payload = jwt.decode(token, options={"verify_signature": False})
        forged = jwt.encode(
            {**payload, "role": "instructor"},
            "an-attacker-guessed-secret-0123456789",
            algorithm="HS256",
        )
        expired = jwt.encode(
            {**payload, "exp": int(time.time()) - 10}, app.config["SECRET_KEY"], algorithm="HS256"
        )
        for value in (None, forged, expired, "nonsense"):
            response = client.get("/participant/", query_string={"st": value} if value else {})
            _refused(response, 401, "session has ended")

    def test_participant_cannot_open_instructor_pages(
        self, client: FlaskClient, platform: TestPlatform
    ) -> None:
        token = self._token(client, platform)
        _refused(client.get("/instructor/", query_string={"st": token}), 403, "do not have access")

    def test_json_callers_get_json_errors(self, client: FlaskClient) -> None:
        response = client.get("/participant/", headers={"Accept": "application/json"})
        assert response.status_code == 401 and response.get_json()["status"] == 401


def platform_learner() -> str:
    return "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


def test_course_is_created_once(app: Flask, client: FlaskClient, platform: TestPlatform) -> None:
    platform.launch(client)
    platform.launch(client, role=INSTRUCTOR, sub="teacher-1")
    with app.app_context(), session_scope(app) as session:
        assert len(list(session.scalars(select(Course)))) == 1
