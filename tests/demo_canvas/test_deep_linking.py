"""Deep linking: the request's settings, and the return endpoint's checks and item placement."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from demo_canvas.db import demo_session
from demo_canvas.models import Assignment, LineItem, Module, ModuleItem

from .conftest import CLIENT_ID, DEMO, ISSUER, TOOL, World, auth_params, form_fields, sign_in

DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def module_id(app: Flask, world: World, name: str = "Week 1") -> int:
    with demo_session(app) as session:
        return session.scalars(
            select(Module.id).where(Module.course_id == world.course_id(), Module.name == name)
        ).one()


@pytest.fixture
def dl_launch(
    app: Flask, client: FlaskClient, world: World, decode_id_token: Callable[[str], dict[str, Any]]
) -> Callable[[str], dict[str, Any]]:
    """An instructor's deep-linking launch from a module; returns the id_token claims."""

    def run(placement: str) -> dict[str, Any]:
        sign_in(client, app, "instructor")
        page = client.post(
            f"/demo/courses/{world.course_id()}/modules/{module_id(app, world)}/deep_link",
            data={"developer_key_id": world.developer_key().id, "placement": placement},
            base_url=DEMO,
        )
        assert page.status_code == 200
        answer = client.get(
            "/demo/api/lti/authorize",
            query_string=auth_params(form_fields(page.text)),
            base_url=DEMO,
        )
        return decode_id_token(form_fields(answer.text)["id_token"])

    return run


@pytest.fixture
def respond(client: FlaskClient, sign_tool_jwt: Callable[..., str]) -> Callable[..., Any]:
    def post(return_url: str, items: list[dict[str, Any]], **overrides: Any) -> Any:
        now = int(time.time())
        claims: dict[str, Any] = {
            "iss": CLIENT_ID,
            "aud": ISSUER,
            "iat": now,
            "exp": now + 60,
            "nonce": "dl-nonce",
            LTI + "message_type": "LtiDeepLinkingResponse",
            LTI + "version": "1.3.0",
            DL + "content_items": items,
        }
        claims.update(overrides)
        token = sign_tool_jwt({k: v for k, v in claims.items() if v is not None})
        return client.post(return_url.removeprefix(DEMO), data={"JWT": token})

    return post


GRADED_ITEM = {
    "type": "ltiResourceLink",
    "title": "Reflection on stop and search",
    "url": f"{TOOL}/lti/launch",
    "custom": {"prompt_id": "42"},
    "lineItem": {
        "scoreMaximum": 10,
        "label": "Stop and search",
        "resourceId": "p42",
        "tag": "reflection",
    },
}


def test_link_selection_request_settings(dl_launch: Callable[[str], dict[str, Any]]) -> None:
    claims = dl_launch("link_selection")
    settings = claims[DL + "deep_linking_settings"]
    assert claims[LTI + "message_type"] == "LtiDeepLinkingRequest"
    assert claims["https://www.instructure.com/placement"] == "link_selection"
    assert LTI + "resource_link" not in claims
    assert settings["accept_types"] == ["ltiResourceLink"]
    assert settings["accept_media_types"] == "application/vnd.ims.lti.v1.ltilink"
    assert settings["accept_multiple"] is True and settings["auto_create"] is False
    assert "data=" in settings["deep_link_return_url"]
    assert "data" not in settings


def test_assignment_selection_accepts_one_item(dl_launch: Callable[[str], dict[str, Any]]) -> None:
    settings = dl_launch("assignment_selection")[DL + "deep_linking_settings"]
    assert settings["accept_multiple"] is False


def test_line_item_becomes_an_unpublished_graded_assignment(
    app: Flask, dl_launch: Callable[[str], dict[str, Any]], respond: Callable[..., Any]
) -> None:
    url = dl_launch("link_selection")[DL + "deep_linking_settings"]["deep_link_return_url"]
    plain = {"type": "ltiResourceLink", "title": "Reading", "url": f"{TOOL}/lti/launch"}
    response = respond(url, [GRADED_ITEM, plain])
    assert response.status_code == 200
    assert response.mimetype == "text/html"
    with demo_session(app) as session:
        assignment = session.scalars(
            select(Assignment).where(Assignment.name == "Stop and search")
        ).one()
        assert assignment.published is False and assignment.points_possible == 10
        assert assignment.resource_link is not None
        assert assignment.resource_link.custom == {"prompt_id": "42"}
        assert assignment.resource_link.title == "Reflection on stop and search"
        line_item = session.scalars(
            select(LineItem).where(LineItem.assignment_id == assignment.id)
        ).one()
        assert (line_item.resource_id, line_item.tag) == ("p42", "reflection")
        items = {i.title: i for i in session.scalars(select(ModuleItem))}
        assert items["Stop and search"].published is False
        assert items["Reading"].assignment_id is None and items["Reading"].published is False


def assignment_names(app: Flask) -> list[str]:
    with demo_session(app) as session:
        return list(session.scalars(select(Assignment.name).order_by(Assignment.id)))


def test_a_picker_opened_and_left_creates_nothing(
    app: Flask, dl_launch: Callable[[str], dict[str, Any]]
) -> None:
    before = assignment_names(app)
    claims = dl_launch("assignment_selection")
    assert claims[LTI + "custom"]["canvas_assignment_id"] == "$Canvas.assignment.id"
    assert assignment_names(app) == before


def test_assignment_selection_makes_the_assignment_from_the_returned_item(
    app: Flask, dl_launch: Callable[[str], dict[str, Any]], respond: Callable[..., Any]
) -> None:
    before = assignment_names(app)
    claims = dl_launch("assignment_selection")
    respond(claims[DL + "deep_linking_settings"]["deep_link_return_url"], [GRADED_ITEM])
    assert assignment_names(app) == [*before, "Stop and search"]
    with demo_session(app) as session:
        assignment = session.scalars(select(Assignment).order_by(Assignment.id.desc())).first()
        assert assignment is not None
        assert (assignment.points_possible, assignment.published) == (10, False)


def test_missing_score_maximum_is_an_item_error(
    app: Flask, dl_launch: Callable[[str], dict[str, Any]], respond: Callable[..., Any]
) -> None:
    url = dl_launch("link_selection")[DL + "deep_linking_settings"]["deep_link_return_url"]
    item = {**GRADED_ITEM, "lineItem": {"label": "No maximum"}}
    response = respond(url, [item])
    assert response.status_code == 200
    assert "scoreMaximum is required" in response.text


def test_item_off_the_tool_domain_is_refused(
    dl_launch: Callable[[str], dict[str, Any]], respond: Callable[..., Any]
) -> None:
    url = dl_launch("link_selection")[DL + "deep_linking_settings"]["deep_link_return_url"]
    response = respond(url, [{**GRADED_ITEM, "url": "https://elsewhere.example/x"}])
    assert "not on the tool&#39;s domain" in response.text


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"iss": "999"}, "Client not found"),
        ({"aud": "https://other.example"}, "the 'aud' is invalid"),
        ({"iat": int(time.time()) - 400}, "the 'iat' is invalid"),
        ({"exp": int(time.time()) - 1}, "the 'exp' is invalid"),
        ({"nonce": None}, "the 'nonce' is missing"),
    ],
)
def test_return_jwt_checks(
    dl_launch: Callable[[str], dict[str, Any]],
    respond: Callable[..., Any],
    overrides: dict[str, Any],
    message: str,
) -> None:
    url = dl_launch("link_selection")[DL + "deep_linking_settings"]["deep_link_return_url"]
    response = respond(url, [GRADED_ITEM], **overrides)
    assert response.status_code == 400
    assert response.mimetype == "application/json"
    assert response.json == {"errors": {"jwt": [message]}}


def test_return_needs_valid_data(
    client: FlaskClient, world: World, respond: Callable[..., Any]
) -> None:
    url = f"{DEMO}/demo/courses/{world.course_id()}/deep_linking_response?data=forged"
    assert respond(url, [GRADED_ITEM]).status_code == 400
