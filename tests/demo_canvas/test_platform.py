"""Platform basics: production refusal, JWKS, login initiation and the id_token claim set."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient

from demo_canvas import create_app, login_initiation_for

from .conftest import CLIENT_ID, ISSUER, TOOL, TOOL_LAUNCH, World

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"


@pytest.mark.parametrize("by_environment", [True, False], ids=["environment", "config"])
def test_refuses_production(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, by_environment: bool
) -> None:
    config = {"DEMO_CANVAS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}"}
    if by_environment:
        monkeypatch.setenv("LTI_TOOL_ENV", "production")
    else:
        config["LTI_TOOL_ENV"] = "production"
    with pytest.raises(RuntimeError, match="cannot run in production"):
        create_app(config)
    assert not (tmp_path / "demo.db").exists()


def test_jwks_publishes_past_present_future_keys(client: FlaskClient) -> None:
    response = client.get("/demo/api/lti/security/jwks")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    keys = response.json["keys"]  # type: ignore[index]
    assert len(keys) == 3
    for key in keys:
        assert {"kty", "e", "n", "kid", "alg", "use"} <= key.keys()
        assert (key["alg"], key["use"]) == ("RS256", "sig")
        assert key["kid"].endswith("Z") and "T" in key["kid"]


def test_login_initiation_has_canvas_parameters(app: Flask) -> None:
    initiation = login_initiation_for(app, "participant1", "OFFICERS", "Week 1 reflection")
    fields = initiation.fields
    assert initiation.action == f"{TOOL}/lti/login"
    assert fields["iss"] == ISSUER
    assert fields["client_id"] == CLIENT_ID
    assert len(fields["login_hint"]) == 40 and int(fields["login_hint"], 16) >= 0
    assert fields["lti_deployment_id"] == fields["deployment_id"]
    assert fields["deployment_id"].startswith("5:") and len(fields["deployment_id"]) == 42
    assert fields["target_link_uri"] == TOOL_LAUNCH
    assert fields["lti_storage_target"] == "post_message_forwarding"
    assert fields["canvas_environment"] == "prod"
    assert fields["canvas_region"] == "not_configured"
    hint = jwt.decode(fields["lti_message_hint"], options={"verify_signature": False})
    assert jwt.get_unverified_header(fields["lti_message_hint"])["alg"] == "HS256"
    assert 0 < hint["exp"] - time.time() <= 300
    assert {"verifier", "canvas_domain", "context_type", "context_id"} <= hint.keys()


def test_student_launch_claims(
    launch: Callable[..., dict[str, str]],
    decode_id_token: Callable[[str], dict[str, Any]],
    world: World,
) -> None:
    fields = launch("participant1")
    assert fields["state"] == "state-1"
    assert fields["lti_storage_target"] == "post_message_forwarding"
    assert {"utf8", "authenticity_token"} <= fields.keys()
    claims = decode_id_token(fields["id_token"])
    user, course_id = world.user("participant1"), world.course_id()
    assert claims["iss"] == ISSUER and claims["azp"] == CLIENT_ID
    assert claims["nonce"] == "nonce-1"
    assert claims["exp"] - claims["iat"] == 3600
    assert claims["sub"] == user.lti_id
    assert claims[LTI + "lti11_legacy_user_id"] == user.opaque_id
    assert claims[LTI + "message_type"] == "LtiResourceLinkRequest"
    assert claims[LTI + "version"] == "1.3.0"
    assert MEMBERSHIP + "Learner" in claims[LTI + "roles"]
    assert claims["https://www.instructure.com/placement"] is None
    assert claims[LTI + "resource_link"]["title"] == "Week 1 reflection"
    assert claims[LTI + "context"]["label"] == "OFFICERS"
    assert claims[LTI + "launch_presentation"]["document_target"] == "iframe"
    assert claims[LTI + "tool_platform"]["product_family_code"] == "canvas"
    custom = claims[LTI + "custom"]
    assert custom["canvas_course_id"] == str(course_id)
    assert custom["canvas_user_id"] == str(user.id)
    assert custom["canvas_assignment_id"].isdigit()
    assert custom["due_at"].endswith("Z")
    assert custom["person_name"] == user.name
    ags = claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert ags["lineitem"] == f"{ags['lineitems']}/{world.line_item_id()}"
    nrps = claims["https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"]
    assert nrps["service_versions"] == ["2.0"]


def test_ungraded_link_has_no_lineitem_and_literal_unknown_variables(
    launch: Callable[..., dict[str, str]], decode_id_token: Callable[[str], dict[str, Any]]
) -> None:
    claims = decode_id_token(launch("instructor", item="Course reflections")["id_token"])
    assert "lineitem" not in claims["https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"]
    assert claims[LTI + "custom"]["due_at"] == "$Canvas.assignment.dueAt.iso8601"
    assert MEMBERSHIP + "Instructor" in claims[LTI + "roles"]


def test_ta_and_test_student_roles(
    launch: Callable[..., dict[str, str]], decode_id_token: Callable[[str], dict[str, Any]]
) -> None:
    ta_roles = decode_id_token(launch("ta")["id_token"])[LTI + "roles"]
    assert MEMBERSHIP + "Instructor" in ta_roles
    assert (
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant" in ta_roles
    )
    test_roles = decode_id_token(launch("test_student")["id_token"])[LTI + "roles"]
    assert MEMBERSHIP + "Learner" in test_roles
    assert "http://purl.imsglobal.org/vocab/lti/system/person#TestUser" in test_roles


def test_leaders_course_has_six_weekly_reflections(
    launch: Callable[..., dict[str, str]], decode_id_token: Callable[[str], dict[str, Any]]
) -> None:
    claims = decode_id_token(launch("participant5", "LEADERS", "Week 6 reflection")["id_token"])
    assert claims[LTI + "context"]["label"] == "LEADERS"
