"""Fault injection: failing answers (5xx, 429 with Retry-After) and added latency, stored in the
demo DB.
"""

from __future__ import annotations

from collections.abc import Callable
from types import SimpleNamespace

import pytest
from flask import Flask
from flask.testing import FlaskClient

from demo_canvas import clear_faults, faults, set_fault

from .conftest import World


@pytest.fixture
def list_url(world: World) -> str:
    return f"/demo/api/lti/courses/{world.course_id()}/line_items"


def test_next_n_answers_fail_then_recover(
    app: Flask, client: FlaskClient, bearer: dict[str, str], list_url: str
) -> None:
    set_fault(app, "ags", errors=2, status=503)
    assert [client.get(list_url, headers=bearer).status_code for _ in range(3)] == [503, 503, 200]


def test_429_carries_retry_after(
    app: Flask, client: FlaskClient, bearer: dict[str, str], list_url: str
) -> None:
    set_fault(app, "ags", errors=1, status=429, retry_after=7)
    response = client.get(list_url, headers=bearer)
    assert response.status_code == 429
    assert response.headers["Retry-After"] == "7"
    assert response.headers["X-Rate-Limit-Remaining"] == "0.0"


def test_token_endpoint_can_fail(
    app: Flask, client: FlaskClient, access_token: Callable[..., str]
) -> None:
    set_fault(app, "token", errors=1, status=500)
    response = client.post("/demo/login/oauth2/token", data={})
    assert response.status_code == 500
    access_token()


def test_latency_applies_to_every_answer(
    app: Flask,
    client: FlaskClient,
    bearer: dict[str, str],
    list_url: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The waits the demo makes, counted rather than timed (a busy machine is no slower Canvas)."""
    waits: list[float] = []
    monkeypatch.setattr(faults, "time", SimpleNamespace(sleep=waits.append))
    set_fault(app, "ags", latency_ms=60)
    assert client.get(list_url, headers=bearer).status_code == 200
    assert client.get(list_url, headers=bearer).status_code == 200
    assert waits == [0.06, 0.06]
    clear_faults(app)
    assert client.get(list_url, headers=bearer).status_code == 200
    assert waits == [0.06, 0.06]


def test_faults_are_per_service(
    app: Flask, client: FlaskClient, bearer: dict[str, str], world: World
) -> None:
    set_fault(app, "nrps", errors=1)
    assert (
        client.get(
            f"/demo/api/lti/courses/{world.course_id()}/line_items", headers=bearer
        ).status_code
        == 200
    )
    assert (
        client.get(
            f"/demo/api/lti/courses/{world.course_id()}/names_and_roles", headers=bearer
        ).status_code
        == 500
    )


def test_json_admin_endpoint(client: FlaskClient) -> None:
    response = client.post(
        "/demo/api/test/faults", json={"service": "jwks", "errors": 1, "status": 502}
    )
    assert response.status_code == 200
    assert client.get("/demo/api/test/faults").json == [
        {"service": "jwks", "errors": 1, "status": 502, "retry_after": None, "latency_ms": 0}
    ]
    assert client.get("/demo/api/lti/security/jwks").status_code == 502
    assert client.get("/demo/api/lti/security/jwks").status_code == 200
    assert client.delete("/demo/api/test/faults").status_code == 204
    assert client.get("/demo/api/test/faults").json == []


@pytest.mark.parametrize("body", [{"service": "nope"}, {"service": "ags", "status": 404}, []])
def test_json_admin_endpoint_refuses_bad_settings(client: FlaskClient, body: object) -> None:
    assert client.post("/demo/api/test/faults", json=body).status_code == 400
