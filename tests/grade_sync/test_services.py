"""The AGS/NRPS client against an in-memory Canvas: tokens, 401 refresh, paging, payloads."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import jwt
import pytest
from flask import Flask
from urllib3 import HTTPHeaderDict

from lti_tool.http import Answer, TimedOut
from lti_tool.lti.advantage.ags import SCORE_TYPE, service_url
from lti_tool.lti.advantage.client import ServiceClient
from lti_tool.lti.advantage.http import ServiceError, next_link, retry_after
from lti_tool.lti.advantage.nrps import Member
from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.lti.canvas.scopes import SCOPES
from lti_tool.models import AccessToken, Registration
from lti_tool.web import session_scope, wiring
from tests.platform import LEARNER

from .canvas import FakeClock

TOKEN_URL = "https://sso.canvaslms.test/login/oauth2/token"
LINE_ITEM = "https://school.test/api/lti/courses/1/line_items/7"
MEMBERS = "https://school.test/api/lti/courses/1/names_and_roles"

Handler = Callable[[str, str, dict[str, Any]], Answer]


def answer(status: int, body: Any = None, headers: dict[str, str] | None = None) -> Answer:
    content = b"" if body is None else json.dumps(body).encode()
    return Answer(status, "", HTTPHeaderDict(headers or {}), content, "")


class FakeCanvas:
    """Records every request; a token endpoint plus whatever `routes` answer."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, dict[str, Any]]] = []
        self.routes: dict[str, Handler] = {}
        self.issued = 0
        self.token_status = 200

    def request(self, method: str, url: str, **kwargs: Any) -> Answer:
        self.calls.append((method, url, kwargs))
        if url == TOKEN_URL:
            return self._token()
        for prefix, handler in self.routes.items():
            if url.startswith(prefix):
                return handler(method, url, kwargs)
        return answer(404, {"errors": [{"message": "The specified resource does not exist."}]})

    def _token(self) -> Answer:
        if self.token_status != 200:
            return answer(self.token_status, {"errors": [{"message": "An error occurred."}]})
        self.issued += 1
        return answer(200, {"access_token": f"token-{self.issued}", "expires_in": 3600})

    def count(self, url: str) -> int:
        return sum(1 for _, called, _ in self.calls if called == url)


@pytest.fixture
def canvas() -> FakeCanvas:
    return FakeCanvas()


@pytest.fixture
def credentials(app: Flask) -> Credentials:
    with session_scope(app) as session:
        registration = Registration(
            issuer="https://canvas.instructure.com",
            client_id="10000000000099",
            auth_login_url="https://sso.canvaslms.test/api/lti/authorize_redirect",
            auth_token_url=TOKEN_URL,
            key_set_url="https://sso.canvaslms.test/api/lti/security/jwks",
            service_origin="https://school.test",
        )
        session.add(registration)
        session.flush()
        return Credentials.of(registration)


def client_for(app: Flask, canvas: FakeCanvas, clock: Callable[[], datetime]) -> ServiceClient:
    return ServiceClient(canvas, wiring(app).key_store, wiring(app).sessions, clock=clock)


def scores_ok(method: str, url: str, kwargs: dict[str, Any]) -> Answer:
    return answer(200, {"resultUrl": url + "/results/1"}, {"Content-Type": SCORE_TYPE})


def score(user: str) -> dict[str, Any]:
    return {
        "userId": user,
        "scoreGiven": 7,
        "scoreMaximum": 10,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": datetime.now(UTC).isoformat(),
    }


def test_one_token_serves_a_whole_course_and_every_instance(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock
) -> None:
    canvas.routes[LINE_ITEM] = scores_ok
    first, second = client_for(app, canvas, clock), client_for(app, canvas, clock)
    for n in range(75):
        (first if n % 2 else second).post_score(credentials, LINE_ITEM, score(f"user-{n}"))
    assert canvas.count(TOKEN_URL) == 1
    assert canvas.count(LINE_ITEM + "/scores") == 75


def test_token_request_asks_for_every_scope_with_a_canvas_assertion(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock
) -> None:
    client_for(app, canvas, clock).token(credentials)
    _, _, kwargs = canvas.calls[0]
    form = kwargs["form"]
    assert form["grant_type"] == "client_credentials"
    assert form["client_assertion_type"] == "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    assert form["scope"].split() == list(SCOPES)
    assertion = form["client_assertion"]
    signing_key = wiring(app).key_store.signing_key()
    assert jwt.get_unverified_header(assertion)["kid"] == signing_key.kid
    claims = jwt.decode(
        assertion, signing_key.public_pem, algorithms=["RS256"], audience=TOKEN_URL, leeway=120
    )  # the fake clock runs a minute ahead
    assert claims["iss"] == claims["sub"] == credentials.client_id
    assert claims["aud"] == TOKEN_URL
    assert claims["jti"] and claims["exp"] > claims["iat"]


def test_token_is_stored_and_renewed_shortly_before_expiry(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock
) -> None:
    client = client_for(app, canvas, clock)
    assert client.token(credentials) == "token-1"
    clock.sleep(54 * 60)
    assert client.token(credentials) == "token-1"
    clock.sleep(2 * 60)  # inside the five-minute margin before the hour is up
    assert client.token(credentials) == "token-2"
    with session_scope(app) as session:
        assert [t.token for t in session.query(AccessToken)] == ["token-2"]


def test_a_401_refreshes_the_token_once(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock
) -> None:
    def revoked_first(method: str, url: str, kwargs: dict[str, Any]) -> Answer:
        if kwargs["headers"]["Authorization"] == "Bearer token-1":
            return answer(401, {"errors": {"type": "unauthorized", "message": "Invalid token"}})
        return scores_ok(method, url, kwargs)

    canvas.routes[LINE_ITEM] = revoked_first
    client_for(app, canvas, clock).post_score(credentials, LINE_ITEM, score("u"))
    assert canvas.count(TOKEN_URL) == 2
    assert canvas.count(LINE_ITEM + "/scores") == 2


def test_a_second_401_is_an_error_not_a_loop(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock
) -> None:
    canvas.routes[LINE_ITEM] = lambda *_: answer(
        401, {"errors": {"type": "unauthorized", "message": "Insufficient permissions"}}
    )
    with pytest.raises(ServiceError) as raised:
        client_for(app, canvas, clock).post_score(credentials, LINE_ITEM, score("u"))
    assert raised.value.status == 401 and not raised.value.retryable
    assert "Insufficient permissions" in raised.value.message
    assert canvas.count(LINE_ITEM + "/scores") == 2


def test_score_is_posted_with_the_score_media_type(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock
) -> None:
    canvas.routes[LINE_ITEM] = scores_ok
    body = score("user-1")
    client_for(app, canvas, clock).post_score(credentials, LINE_ITEM, body)
    method, url, kwargs = canvas.calls[-1]
    assert (method, url) == ("POST", LINE_ITEM + "/scores")
    assert kwargs["headers"]["Content-Type"] == SCORE_TYPE
    assert kwargs["json"] == body


def test_members_follow_the_link_header_exactly_as_given(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock
) -> None:
    page_two = MEMBERS + "?rlid=abc&page=bookmark:WzEyXQ&limit=50"

    def roster(method: str, url: str, kwargs: dict[str, Any]) -> Answer:
        if "page=" not in url:
            link = f'<{url}>; rel="current",<{page_two}>; rel="next"'
            return answer(200, {"members": [{"user_id": "a"}]}, {"link": link})
        if url != page_two:
            return answer(400, {"errors": [{"message": "Invalid page token"}]})
        return answer(200, {"members": [{"user_id": "b"}]}, {"Link": f'<{url}>; rel="current"'})

    canvas.routes[MEMBERS] = roster
    members = client_for(app, canvas, clock).members(credentials, MEMBERS, rlid="abc")
    assert [m.user_id for m in members] == ["a", "b"]
    assert [url for _, url, _ in canvas.calls[1:]] == [MEMBERS + "?rlid=abc", page_two]


def test_roster_entries_the_tool_cannot_store_are_left_out(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock
) -> None:
    entries: list[object] = [
        {"user_id": "a", "name": "N" * 300, "email": ["a@example.org"], "roles": "Learner"},
        {"user_id": 7, "email": "b@example.org", "roles": [LEARNER, 3], "status": "Inactive"},
        {"user_id": None, "name": "No id"},
        {"user_id": "u" * 256},
        {"user_id": {"id": "c"}},
        "not a member",
    ]
    canvas.routes[MEMBERS] = lambda method, url, kwargs: answer(200, {"members": entries})
    members = client_for(app, canvas, clock).members(credentials, MEMBERS)
    assert members == [
        Member(user_id="a", name="N" * 255, email=None, roles=(), active=True),
        Member(user_id="7", name=None, email="b@example.org", roles=(LEARNER,), active=False),
    ]


def test_throttling_and_server_errors_are_retryable() -> None:
    now = datetime(2026, 1, 1, tzinfo=UTC)
    assert retry_after("7", now) == 7.0
    assert retry_after("Thu, 01 Jan 2026 00:00:30 GMT", now) == 30.0
    assert retry_after("99999", now) == 3600.0
    assert retry_after(None, now) is None


def test_error_kinds(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock
) -> None:
    client = client_for(app, canvas, clock)
    answers = {
        429: answer(429, None, {"Retry-After": "12"}),
        503: answer(503, {"errors": [{"message": "An error occurred."}]}),
        422: answer(422, {"errors": {"type": "unprocessable_entity", "message": "not a student"}}),
    }
    for status, response in answers.items():
        canvas.routes[LINE_ITEM] = lambda *_, r=response: r  # type: ignore[misc]
        with pytest.raises(ServiceError) as raised:
            client.post_score(credentials, LINE_ITEM, score("u"))
        error = raised.value
        assert error.status == status
        assert error.retryable == (status != 422)
        assert error.uncertain == (status == 503)
    assert error.message == "Canvas answered 422: not a student"


def test_timeouts_are_retryable_and_uncertain(
    app: Flask, credentials: Credentials, clock: FakeClock
) -> None:
    class Slow(FakeCanvas):
        def request(self, method: str, url: str, **kwargs: Any) -> Answer:
            if url != TOKEN_URL:
                raise TimedOut("slow")
            return super().request(method, url, **kwargs)

    with pytest.raises(ServiceError) as raised:
        client_for(app, Slow(), clock).post_score(credentials, LINE_ITEM, score("u"))
    assert raised.value.retryable and raised.value.uncertain


def test_token_endpoint_failures(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock
) -> None:
    client = client_for(app, canvas, clock)
    canvas.token_status = 503
    with pytest.raises(ServiceError) as raised:
        client.token(credentials)
    assert raised.value.retryable
    canvas.token_status = 401
    with pytest.raises(ServiceError) as raised:
        client.token(credentials)
    assert not raised.value.retryable


def test_link_parsing_and_urls() -> None:
    header = '<https://x/a?page=Bookmark:AbC>; rel="next last", <https://x/a?page=1>; rel="first"'
    assert next_link(header) == "https://x/a?page=Bookmark:AbC"
    assert next_link('<https://x/a>; rel="current"') is None
    assert service_url("https://x/items/7?type=1", "scores") == "https://x/items/7/scores?type=1"


@pytest.mark.parametrize(
    "url",
    (
        "http://127.0.0.1:9/api/lti/courses/1/line_items/7",
        "http://169.254.169.254/latest/meta-data/iam",
        "https://10.0.0.1/api/lti/courses/1/line_items/7",
        "https://attacker.example/api/lti/courses/1/line_items/7",
        "https://school.test.attacker.example/line_items/7",
    ),
)
def test_a_service_url_the_registration_does_not_vouch_for_is_never_called(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock, url: str
) -> None:
    with pytest.raises(ServiceError, match="does not vouch for") as raised:
        client_for(app, canvas, clock).post_score(credentials, url, score("u"))
    assert not raised.value.retryable
    assert canvas.calls == []  # not even a token was asked for


def test_a_next_page_on_another_host_is_not_followed(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock
) -> None:
    elsewhere = "https://attacker.example/names_and_roles?page=2"
    canvas.routes[MEMBERS] = lambda method, url, kwargs: answer(
        200, {"members": [{"user_id": "a"}]}, {"Link": f'<{elsewhere}>; rel="next"'}
    )
    with pytest.raises(ServiceError, match="does not vouch for"):
        client_for(app, canvas, clock).members(credentials, MEMBERS)
    assert [url for _, url, _ in canvas.calls] == [TOKEN_URL, MEMBERS]


@pytest.mark.parametrize(
    "body",
    (b"<html>not json</html>", b'{"members": "everyone"}', b'["a"]', b'{"members": [1'),
)
def test_a_roster_answer_of_the_wrong_shape_is_a_service_error(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock, body: bytes
) -> None:
    canvas.routes[MEMBERS] = lambda method, url, kwargs: Answer(
        200, "OK", HTTPHeaderDict(), body, url
    )
    with pytest.raises(ServiceError):
        client_for(app, canvas, clock).members(credentials, MEMBERS)


def test_error_bodies_are_summarised_never_echoed(
    app: Flask, canvas: FakeCanvas, credentials: Credentials, clock: FakeClock
) -> None:
    client = client_for(app, canvas, clock)
    internal = Answer(500, "", HTTPHeaderDict(), b"<h1>db password: hunter2</h1>", LINE_ITEM)
    canvas.routes[LINE_ITEM] = lambda *_: internal
    with pytest.raises(ServiceError) as raised:
        client.post_score(credentials, LINE_ITEM, score("u"))
    assert raised.value.message == "Canvas answered 500"
    noisy = {"errors": [{"message": "line\x00one\nline two " + "x" * 500}]}
    canvas.routes[LINE_ITEM] = lambda *_: answer(400, noisy)
    with pytest.raises(ServiceError) as raised:
        client.post_score(credentials, LINE_ITEM, score("u"))
    message = raised.value.message.removeprefix("Canvas answered 400: ")
    assert message.startswith("line one line two x") and len(message) == 200
    assert message.endswith("…") and "\x00" not in message and "\n" not in message
