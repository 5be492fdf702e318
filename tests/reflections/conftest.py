"""Helpers that drive the tool the way Canvas and a person would: signed launches, then the
pages, forms and fetch calls of the resulting session."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from tests.platform import INSTRUCTOR, ISSUER, LEARNER, LTI, TestPlatform

AGS = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
DL_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
PLACEMENT = "https://www.instructure.com/placement"
CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"
TEST_USER = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"
CANVAS = ISSUER
"""The platform's service URLs are on its issuer's host, one the registration vouches for."""


@pytest.fixture(autouse=True)
def _no_delivery(app: Flask) -> None:
    """Scores stay in the outbox: these tests check what is queued, not Canvas delivery."""
    app.config["GRADE_SYNC_SEND_AFTER_RESPONSE"] = False


@dataclass
class Person:
    """A signed-in person: every call carries their session token like the pages do."""

    client: FlaskClient
    token: str
    sub: str
    landing: TestResponse = field(repr=False)

    def _refresh(self, response: TestResponse) -> TestResponse:
        self.token = response.headers.get("X-Session-Token", self.token)
        return response

    def get(self, path: str, **query: Any) -> TestResponse:
        return self._refresh(self.client.get(path, query_string={**query, "st": self.token}))

    def post(self, path: str, data: dict[str, Any] | None = None) -> TestResponse:
        return self._refresh(self.client.post(path, data={**(data or {}), "st": self.token}))

    def post_json(self, path: str, body: dict[str, Any]) -> TestResponse:
        return self._refresh(
            self.client.post(
                path,
                json=body,
                headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
            )
        )

    def post_raw_json(self, path: str, body: str) -> TestResponse:
        """A JSON body as written (the standard encoder could not produce a hostile one)."""
        headers = {"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"}
        return self._refresh(self.client.post(path, data=body, headers=headers))


class Canvas:
    """Launches into courses as a given person, the way Canvas would."""

    def __init__(self, client: FlaskClient, platform: TestPlatform) -> None:
        self.client = client
        self.platform = platform

    def launch(
        self,
        sub: str,
        *,
        role: str = LEARNER,
        name: str | None = None,
        context: str = "ctx-officers",
        link: str | None = "rl-1",
        custom: dict[str, str] | None = None,
        lineitem: str | None = None,
        test_user: bool = False,
        target: str = "http://localhost/lti/launch",
        **claims: Any,
    ) -> Person:
        roles = [role, TEST_USER] if test_user else [role]
        body: dict[str, Any] = {
            "sub": sub,
            "name": name or f"Person {sub}",
            LTI + "roles": roles,
            LTI + "context": {
                "id": context,
                "label": context.upper(),
                "title": f"Course {context}",
            },
            LTI + "resource_link": {"id": link, "title": "Reflection"} if link else None,
            LTI + "custom": {"canvas_course_id": "42", **(custom or {})},
            LTI + "target_link_uri": target,
            AGS: {
                "scope": ["https://purl.imsglobal.org/spec/lti-ags/scope/score"],
                "lineitems": f"{CANVAS}/api/lti/courses/42/line_items",
                **({"lineitem": lineitem} if lineitem else {}),
            },
            **claims,
        }
        response = self.platform.launch(self.client, role=role, **body)
        assert response.status_code == 303, response.get_data(as_text=True)
        location = urlsplit(response.headers["Location"])
        query = {k: v[0] for k, v in parse_qs(location.query).items()}
        token = query.pop("st")
        landing = self.client.get(location.path, query_string={**query, "st": token})
        person = Person(self.client, token, sub, landing)
        person._refresh(landing)
        return person

    def instructor(self, sub: str = "teacher-1", **kwargs: Any) -> Person:
        return self.launch(sub, role=INSTRUCTOR, **kwargs)

    def deep_link(
        self,
        sub: str = "teacher-1",
        placement: str = "link_selection",
        return_url: str = f"{CANVAS}/courses/42/deep_linking_response?data=opaque",
        **kwargs: Any,
    ) -> Person:
        settings = {
            "deep_link_return_url": return_url,
            "accept_types": ["ltiResourceLink"],
            "accept_presentation_document_targets": ["iframe", "window"],
            "accept_media_types": "application/vnd.ims.lti.v1.ltilink",
            "auto_create": False,
            "accept_multiple": placement == "link_selection",
        }
        return self.launch(
            sub,
            role=INSTRUCTOR,
            link=None,
            **{LTI + "message_type": "LtiDeepLinkingRequest", DL_SETTINGS: settings},
            **{PLACEMENT: placement},
            **kwargs,
        )

    def place(
        self, form: dict[str, str], *, program: str = "officers", **kwargs: Any
    ) -> dict[str, Any]:
        """Place a prompt by deep linking; returns the content item Canvas would receive."""
        teacher = self.deep_link(**kwargs)
        if "Choose the program" in teacher.landing.get_data(as_text=True):
            chosen = teacher.post("/instructor/program", {"program": program, "next": "deep_link"})
            assert chosen.status_code == 303
        answer = teacher.post("/instructor/deep-link", form)
        assert answer.status_code == 200, answer.get_data(as_text=True)
        return deep_link_item(answer)


def deep_link_item(answer: TestResponse) -> dict[str, Any]:
    html = answer.get_data(as_text=True)
    token = re.search(r'name="JWT" value="([^"]+)"', html)
    assert (
        token is not None
        and f'action="{CANVAS}/courses/42/deep_linking_response?data=opaque"' in html
    )
    message = jwt.decode(token.group(1), options={"verify_signature": False})
    items: list[dict[str, Any]] = message[CONTENT_ITEMS]
    assert len(items) == 1
    return items[0]


@pytest.fixture
def canvas(client: FlaskClient, platform: TestPlatform) -> Canvas:
    return Canvas(client, platform)


def text_of(response: TestResponse) -> str:
    return response.get_data(as_text=True)


@dataclass(frozen=True)
class Placed:
    prompt_id: int
    custom: dict[str, str]
    link: str = "rl-week1"
    lineitem: str = f"{CANVAS}/api/lti/courses/42/line_items/7"

    def launch(self, canvas: Canvas, sub: str, **kwargs: Any) -> Person:
        """A participant opening the placed assignment from Canvas."""
        kwargs.setdefault("custom", self.custom)
        return canvas.launch(sub, link=self.link, lineitem=self.lineitem, **kwargs)

    @property
    def page(self) -> str:
        return f"/participant/prompts/{self.prompt_id}"


@pytest.fixture
def placed(canvas: Canvas) -> Placed:
    """An Officers course with week 1's rights prompt placed as a 10-point assignment."""
    item = canvas.place(
        {"source": "officers-rights-prevention", "word_target": "30", "word_limit": "40"}
    )
    return Placed(int(item["custom"]["prompt_id"]), dict(item["custom"]))


def write(person: Person, placed: Placed, text: str) -> TestResponse:
    """Autosave `text` at the page's current revision, as the editor would."""
    page = text_of(person.get(placed.page))
    revision = int(re.search(r'name="revision" value="(\d+)"', page).group(1))  # type: ignore[union-attr]
    return person.post_json(f"{placed.page}/draft", {"text": text, "revision": revision})


def submit(person: Person, placed: Placed, text: str) -> TestResponse:
    page = text_of(person.get(placed.page))
    revision = re.search(r'name="revision" value="(\d+)"', page).group(1)  # type: ignore[union-attr]
    return person.post(f"{placed.page}/submit", {"text": text, "revision": revision})
