"""Installing the tool: settings, keys, developer-key JSON, dynamic registration and the CLI."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool import create_app
from lti_tool.config import ConfigurationError, load_settings
from lti_tool.lti.canvas.environments import ENVIRONMENTS
from lti_tool.lti.keys import KeyStore
from lti_tool.models import AuditAction, AuditEvent, Deployment, Registration
from lti_tool.services.audit import ADMIN
from lti_tool.services.invites import InviteService
from lti_tool.services.registrations import RegistrationError, RegistrationService
from lti_tool.web import session_scope, wiring
from tests.platform import TestPlatform, invite_path


class TestSettings:
    def test_embedded_defaults(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        for name in ("DATABASE_URL", "SECRET_KEY", "LTI_TOOL_ENV", "LTI_TOOL_BASE_URL"):
            monkeypatch.delenv(name, raising=False)
        settings = load_settings(tmp_path)
        assert settings.database_url == f"sqlite:///{tmp_path / 'lti_tool.db'}"
        assert settings.base_url == "http://localhost:5000"
        assert load_settings(tmp_path).secret_key == settings.secret_key
        assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600

    @pytest.mark.parametrize(
        ("overrides", "message"),
        [
            ({}, "missing: SECRET_KEY, DATABASE_URL, LTI_TOOL_BASE_URL"),
            (
                {
                    "SECRET_KEY": "x" * 40,
                    "DATABASE_URL": "postgresql://db/x",
                    "LTI_TOOL_BASE_URL": "http://tool",
                },
                "https://",
            ),
            (
                {
                    "SECRET_KEY": "short",
                    "DATABASE_URL": "postgresql://db/x",
                    "LTI_TOOL_BASE_URL": "https://t",
                },
                "at least 32",
            ),
        ],
    )
    def test_production_refuses_to_start_without_explicit_settings(
        self,
        tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
        overrides: dict[str, str],
        message: str,
    ) -> None:
        for name in ("DATABASE_URL", "SECRET_KEY", "LTI_TOOL_BASE_URL"):
            monkeypatch.delenv(name, raising=False)
        with pytest.raises(ConfigurationError, match=message):
            load_settings(tmp_path, {"LTI_TOOL_ENV": "production", **overrides})

    @pytest.mark.parametrize("env", [None, "production"], ids=["unset", "production"])
    def test_create_app_alone_never_serves_the_demo_canvas(
        self, env: str | None, tmp_path: Path, keys_dir: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Only `python -m demo_canvas serve` (make run) puts the demo next to the tool; no
        setting of the tool's own app mounts it, whatever `DEMO_CANVAS_*` says."""
        monkeypatch.delenv("LTI_TOOL_ENV", raising=False)
        monkeypatch.setenv("DEMO_CANVAS_BASE_URL", "http://127.0.0.1:5000")
        config = {
            "SECRET_KEY": "s" * 40,
            "DATABASE_URL": f"sqlite:///{tmp_path / 'p.db'}",
            "LTI_TOOL_BASE_URL": "https://tool.example",
            "LTI_TOOL_KEYS_DIR": str(keys_dir),
        }
        app = create_app({**config, "LTI_TOOL_ENV": env} if env else config)
        assert app.config["LTI_TOOL_ENV"] == (env or "development")
        assert not any(rule.rule.startswith("/demo") for rule in app.url_map.iter_rules())
        assert not any(name.startswith("DEMO_CANVAS") for name in app.config)
        assert "demo" not in app.cli.commands
        wiring(app).engine.dispose()


class TestKeys:
    def test_jwks_publishes_public_keys_only(self, client: FlaskClient) -> None:
        keys = client.get("/lti/jwks").get_json()["keys"]
        assert keys and all({"kid", "alg", "use", "n", "e"} <= set(k) for k in keys)
        assert all(k["alg"] == "RS256" and k["use"] == "sig" and "d" not in k for k in keys)

    def test_rotation_keeps_previous_key_for_the_overlap(self, tmp_path: Path) -> None:
        store = KeyStore(tmp_path, timedelta(hours=72))
        first = store.generate()
        second, removed = store.rotate()
        assert removed == [] and store.signing_key().kid == second.kid != first.kid
        assert {k["kid"] for k in store.jwks()["keys"]} == {first.kid, second.kid}
        later = datetime.now(UTC) + timedelta(hours=73)
        assert [k.kid for k in store.published(later)] == [second.kid]
        third, removed = store.rotate(now=later)
        assert [k.kid for k in removed] == [first.kid]
        assert {k.kid for k in store.keys()} == {second.kid, third.kid}
        assert (third.path.stat().st_mode & 0o777) == 0o600

    def test_cli_generate_rotate_list(self, app: Flask) -> None:
        runner = app.test_cli_runner()
        assert "already exists" in runner.invoke(args=["keys", "generate"]).output
        rotated = runner.invoke(args=["keys", "rotate"]).output
        assert "Now signing with" in rotated
        listing = runner.invoke(args=["keys", "list"]).output
        assert "signing" in listing and "published" in listing


class TestCanvasConfiguration:
    def test_developer_key_json(self, client: FlaskClient) -> None:
        config = client.get("/lti/config.json").get_json()
        assert config["oidc_initiation_url"] == "http://localhost/lti/login"
        assert config["target_link_uri"] == "http://localhost/lti/launch"
        assert config["public_jwk_url"] == "http://localhost/lti/jwks"
        assert "https://purl.imsglobal.org/spec/lti-ags/scope/score" in config["scopes"]
        assert (
            "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
            in config["scopes"]
        )
        assert config["custom_fields"]["due_at"] == "$Canvas.assignment.dueAt.iso8601"
        assert config["custom_fields"]["canvas_course_id"] == "$Canvas.course.id"
        extension = config["extensions"][0]
        assert extension["privacy_level"] == "public"
        placements = {p["placement"]: p for p in extension["settings"]["placements"]}
        assert placements["link_selection"]["message_type"] == "LtiDeepLinkingRequest"
        assert placements["assignment_selection"]["message_type"] == "LtiDeepLinkingRequest"
        assert placements["course_navigation"]["message_type"] == "LtiResourceLinkRequest"

    def test_answers_that_are_not_pages_may_not_be_framed_or_run_anything(
        self, client: FlaskClient
    ) -> None:
        for path in ("/health", "/lti/jwks", "/static/js/editor.js", "/static/css/app.css"):
            with client.get(path) as response:
                policy = response.headers["Content-Security-Policy"]
            assert policy == "default-src 'none'; frame-ancestors 'none'", path


class TestDynamicRegistration:
    def test_registers_with_the_platform_through_an_invite_and_closes(
        self, app: Flask, client: FlaskClient, platform_server: TestPlatform
    ) -> None:
        platform_server.reset()
        params = platform_server.registration_params()
        invite = invite_path(app)
        page = client.get(invite, query_string=params)
        assert page.status_code == 200 and "Install" in page.get_data(as_text=True)
        done = client.post(invite, data=params)
        assert done.status_code == 200 and "register-close.js" in done.get_data(as_text=True)
        sent = platform_server.registrations[0]
        assert sent["initiate_login_uri"] == "http://localhost/lti/login"
        assert sent["jwks_uri"] == "http://localhost/lti/jwks"
        assert (
            sent["https://purl.imsglobal.org/spec/lti-tool-configuration"][
                "https://canvas.instructure.com/lti/privacy_level"
            ]
            == "public"
        )
        with app.app_context(), session_scope(app) as session:
            registration = session.scalars(select(Registration)).one()
            assert registration.client_id == "20000000000007"
            assert registration.service_origin == platform_server.base_url
            assert [d.deployment_id for d in session.scalars(select(Deployment))] == ["9:dynamic"]
        again = client.post(invite, data=params)
        assert again.status_code == 410
        assert "already used" in again.get_data(as_text=True)

    def test_refused_token_is_reported_and_the_invite_kept(
        self, app: Flask, client: FlaskClient, platform_server: TestPlatform
    ) -> None:
        params = platform_server.registration_params("wrong")
        invite = invite_path(app)
        response = client.post(invite, data=params)
        assert response.status_code == 400 and "HTTP 401" in response.get_data(as_text=True)
        assert client.get(invite, query_string=params).status_code == 200

    def test_without_parameters(self, app: Flask, client: FlaskClient) -> None:
        response = client.get(invite_path(app))
        assert response.status_code == 400 and "Open this page from Canvas" in response.get_data(
            as_text=True
        )

    def test_anonymous_registration_is_refused_and_nothing_is_fetched(
        self, app: Flask, client: FlaskClient, platform_server: TestPlatform
    ) -> None:
        """On main, anyone could POST /lti/register and be trusted."""
        platform_server.reset()
        params = platform_server.registration_params()
        for answer in (
            client.get("/lti/register", query_string=params),
            client.post("/lti/register", data=params),
            client.post("/lti/register/made-up-token", data=params),
        ):
            assert answer.status_code == 403
            assert "installation link" in answer.get_data(as_text=True)
        assert platform_server.requests == []
        with app.app_context(), session_scope(app) as session:
            assert session.scalars(select(Registration)).all() == []

    def test_an_expired_or_revoked_invite_is_refused(self, app: Flask, client: FlaskClient) -> None:
        with app.app_context(), session_scope(app) as session:
            issued = InviteService(session).issue()
            issued.invite.expires_at = datetime.now(UTC) - timedelta(seconds=1)
            path = urlsplit(issued.url("")).path
        expired = client.get(path, query_string={"openid_configuration": "https://x.test/c"})
        assert expired.status_code == 410 and "expired" in expired.get_data(as_text=True)
        runner = app.test_cli_runner()
        made = runner.invoke(args=["registration", "invite", "--note", "State Academy"])
        assert made.exit_code == 0, made.output
        link = made.output.strip().splitlines()[-1]
        assert link.startswith("http://localhost/lti/register/")
        number = made.output.split("#")[1].split(",")[0]
        assert "open until" in runner.invoke(args=["registration", "list"]).output
        assert runner.invoke(args=["registration", "revoke-invite", number]).exit_code == 0
        revoked = client.get(urlsplit(link).path, query_string={"openid_configuration": "x"})
        assert revoked.status_code == 410

    @pytest.mark.parametrize(
        "config_url",
        ("javascript:alert(1)", "http://10.0.0.1/config", "https://x.test;script-src *"),
    )
    def test_a_bad_configuration_url_is_a_readable_400(
        self, app: Flask, client: FlaskClient, config_url: str
    ) -> None:
        answer = client.get(invite_path(app), query_string={"openid_configuration": config_url})
        if answer.status_code == 200:  # a well-formed URL is refused when it is fetched
            answer = client.post(invite_path(app), data={"openid_configuration": config_url})
        assert answer.status_code == 400
        policy = answer.headers["Content-Security-Policy"]
        assert policy.count("script-src") == 1 and "x.test" not in policy

    def test_a_conflict_is_an_error_the_operator_must_resolve(
        self, app: Flask, client: FlaskClient, platform_server: TestPlatform
    ) -> None:
        """On main, registering an (issuer, client id) again answered a page reading as success."""
        platform_server.reset()
        params = platform_server.registration_params()
        assert client.post(invite_path(app), data=params).status_code == 200
        platform_server.reset()
        second = invite_path(app)
        conflict = client.post(second, data=params)
        page = conflict.get_data(as_text=True)
        assert conflict.status_code == 409
        assert "already registered" in page and "registration list" in page
        assert "register-close.js" not in page
        assert client.get(second, query_string=params).status_code == 200  # link still usable


class TestKnownIssuers:
    @pytest.mark.parametrize("environment", sorted(ENVIRONMENTS))
    def test_canvas_cloud_issuers_must_use_canvas_endpoints(
        self, app: Flask, environment: str
    ) -> None:
        """The squatting chain: Canvas's real issuer with a stranger's key set is refused."""
        env = ENVIRONMENTS[environment]
        with app.app_context(), session_scope(app) as session:
            service = RegistrationService(session)
            for login, token, keys in (
                (env.auth_login_url, env.auth_token_url, "https://attacker.example/jwks"),
                ("https://attacker.example/auth", env.auth_token_url, env.key_set_url),
                (
                    env.auth_login_url,
                    env.auth_token_url,
                    env.key_set_url.replace(".com/", ".com.attacker.example/"),
                ),
                (env.auth_login_url, "https://10.0.0.1/token", env.key_set_url),
            ):
                with pytest.raises(RegistrationError, match="not one of Canvas's own"):
                    service.add(
                        actor=ADMIN,
                        issuer=env.issuer + "/",
                        client_id="10000000000001",
                        auth_login_url=login,
                        auth_token_url=token,
                        key_set_url=keys,
                    )
            honest = service.add(
                actor=ADMIN,
                issuer=env.issuer,
                client_id="10000000000001",
                auth_login_url=env.auth_login_url,
                auth_token_url=env.issuer + "/login/oauth2/token",
                key_set_url=env.key_set_url,
            )
            assert honest.id


class TestRegistrationCli:
    def test_add_list_remove(self, app: Flask) -> None:
        runner = app.test_cli_runner()
        added = runner.invoke(
            args=[
                "registration",
                "add",
                "--issuer",
                "http://127.0.0.1:8000",
                "--client-id",
                "abc",
                "--auth-login-url",
                "http://127.0.0.1:8000/auth",
                "--auth-token-url",
                "http://127.0.0.1:8000/token",
                "--key-set-url",
                "http://127.0.0.1:8000/jwks",
                "--deployment-id",
                "1:a",
                "--deployment-id",
                "2:b",
            ]
        )
        assert added.exit_code == 0, added.output
        listing = runner.invoke(args=["registration", "list"]).output
        assert "client_id=abc" in listing and "1:a, 2:b" in listing
        duplicate = runner.invoke(
            args=[
                "registration",
                "add",
                "--canvas",
                "prod",
                "--client-id",
                "abc",
                "--issuer",
                "http://127.0.0.1:8000",
            ]
        )
        assert duplicate.exit_code != 0 and "already registered" in duplicate.output
        assert (
            runner.invoke(
                args=[
                    "registration",
                    "remove",
                    "--issuer",
                    "http://127.0.0.1:8000",
                    "--client-id",
                    "abc",
                ]
            ).exit_code
            == 0
        )
        assert "No registrations" in runner.invoke(args=["registration", "list"]).output

    def test_exist_ok_leaves_a_registration_as_it_is(self, app: Flask) -> None:
        """What a provisioning script (and the demo's `make run`) repeats at every start."""
        runner = app.test_cli_runner()
        add = ["registration", "add", "--canvas", "beta", "--client-id", "170000000000559"]
        assert runner.invoke(args=[*add, "--deployment-id", "1:a"]).exit_code == 0
        again = runner.invoke(args=[*add, "--deployment-id", "2:b", "--exist-ok"])
        assert again.exit_code == 0 and "already registered" in again.output
        assert runner.invoke(args=add).exit_code != 0
        listing = runner.invoke(args=["registration", "list"]).output
        assert "1:a" in listing and "2:b" not in listing
        with session_scope(app) as session:
            events = session.scalars(select(AuditEvent.action)).all()
        assert events == [AuditAction.REGISTRATION_ADDED]

    def test_canvas_preset_fills_urls(self, app: Flask) -> None:
        runner = app.test_cli_runner()
        assert (
            runner.invoke(
                args=["registration", "add", "--canvas", "beta", "--client-id", "170000000000559"]
            ).exit_code
            == 0
        )
        listing = runner.invoke(args=["registration", "list"]).output
        assert "https://canvas.beta.instructure.com" in listing
        assert "https://sso.beta.canvaslms.com/api/lti/authorize_redirect" in listing

    def test_plain_http_platform_is_refused(self, app: Flask) -> None:
        result = app.test_cli_runner().invoke(
            args=[
                "registration",
                "add",
                "--issuer",
                "http://lms.example",
                "--client-id",
                "1",
                "--auth-login-url",
                "http://lms.example/a",
                "--auth-token-url",
                "https://lms.example/t",
                "--key-set-url",
                "https://lms.example/k",
            ]
        )
        assert result.exit_code != 0 and "must be reached over https://" in result.output

    def test_missing_urls_are_named(self, app: Flask) -> None:
        result = app.test_cli_runner().invoke(args=["registration", "add", "--client-id", "1"])
        assert result.exit_code != 0 and "--issuer" in result.output


def test_health(client: FlaskClient) -> None:
    assert client.get("/health").get_json() == {"status": "ok", "database": "ok"}


def test_unknown_page_is_readable(client: FlaskClient) -> None:
    response = client.get("/no/such/page")
    assert response.status_code == 404 and "This page does not exist" in response.get_data(
        as_text=True
    )


def test_too_large_request(client: FlaskClient) -> None:
    response = client.post("/lti/launch", data={"id_token": "x" * (3 * 1024 * 1024)})
    assert response.status_code == 413
