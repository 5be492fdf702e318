"""Walk-through links and the read-only tour: what a link opens, that its visit is logged, that
it expires and can be revoked, that forged links and tokens open nothing, and that no request
of a tour changes anything."""

from __future__ import annotations

import re
from datetime import timedelta
from html import unescape

import jwt
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from werkzeug.test import TestResponse

from lti_tool.db import Base, utcnow
from lti_tool.models import AuditAction, AuditEvent, Walkthrough
from lti_tool.services.walkthroughs import WalkthroughService
from lti_tool.tour.session import issue
from lti_tool.tour.steps import for_program
from lti_tool.web import session_scope


def _create(app: Flask, program: str = "officers", days: int = 14) -> str:
    with session_scope(app) as session:
        return (
            WalkthroughService(session)
            .create(program, "Chief of a department", days, utcnow())
            .secret
        )


def _open(client: FlaskClient, secret: str) -> str:
    """Follow a link to the tour's overview; its address carries the tour token."""
    answer = client.get(f"/walkthrough/{secret}")
    assert answer.status_code == 303 and secret not in answer.location
    return answer.location


def _token(url: str) -> str:
    found = re.search(r"[?&]st=([^&#]+)", url)
    assert found
    return found.group(1)


def _step_urls(page: TestResponse) -> list[str]:
    html = page.get_data(as_text=True)
    return list(
        dict.fromkeys(unescape(u) for u in re.findall(r'href="(/tour/step/\d+[^"]*)"', html))
    )


def _row_counts(app: Flask) -> dict[str, int]:
    with session_scope(app) as session:
        return {
            table.name: int(session.scalar(select(func.count()).select_from(table)) or 0)
            for table in Base.metadata.sorted_tables
        }


@pytest.mark.parametrize("program", ["officers", "leaders"])
def test_every_step_shows_a_real_page_of_the_sample_course_with_forms_switched_off(
    app: Flask, client: FlaskClient, program: str
) -> None:
    overview = client.get(_open(client, _create(app, program)))
    assert overview.status_code == 200
    text = overview.get_data(as_text=True)
    assert "Everything here is fictional" in text
    steps = _step_urls(overview)
    assert len(steps) == len(for_program(program, app.view_functions))
    before = _row_counts(app)
    for number, url in enumerate(steps, start=1):
        into = client.get(url)
        assert into.status_code == 303
        page = client.get(into.location)
        html = page.get_data(as_text=True)
        assert page.status_code == 200, (number, into.location)
        assert f"Step {number} of {len(steps)}" in html
        assert "sample course" in html
        assert html.count("<form") == html.count('<fieldset class="tour-inert" disabled>')
    assert _row_counts(app) == before, "a tour page left something behind"


def test_the_visit_is_counted_and_logged_without_the_visitors_name(
    app: Flask, client: FlaskClient
) -> None:
    secret = _create(app, "leaders")
    _open(client, secret)
    _open(client, secret)
    with session_scope(app) as session:
        link = session.scalars(select(Walkthrough)).one()
        assert link.visits == 2 and link.last_visit_at is not None
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [e.action for e in events] == [
            AuditAction.WALKTHROUGH_CREATED,
            AuditAction.WALKTHROUGH_VISITED,
            AuditAction.WALKTHROUGH_VISITED,
        ]
        assert {e.actor_role for e in events[1:]} == {"visitor"}
        assert all(e.subject_id == link.id and e.course_id is not None for e in events)
        assert not any("Chief" in e.detail for e in events)


def test_an_expired_link_and_an_open_tour_of_it_stop_working(
    app: Flask, client: FlaskClient
) -> None:
    secret = _create(app)
    tour = _open(client, secret)
    with session_scope(app) as session:
        session.scalars(select(Walkthrough)).one().expires_at = utcnow() - timedelta(minutes=1)
    answer = client.get(f"/walkthrough/{secret}")
    assert answer.status_code == 410 and "has expired" in answer.get_data(as_text=True)
    assert client.get(tour).status_code == 410


def test_a_revoked_link_stops_working_at_the_next_page(app: Flask, client: FlaskClient) -> None:
    secret = _create(app)
    step = _step_urls(client.get(_open(client, secret)))[0]
    page = client.get(step).location
    assert client.get(page).status_code == 200
    with session_scope(app) as session:
        link_id = session.scalars(select(Walkthrough.id)).one()
        WalkthroughService(session).revoke(link_id, utcnow())
    for url in (page, step, f"/walkthrough/{secret}"):
        answer = client.get(url)
        assert answer.status_code == 410, url
        assert "withdrawn" in answer.get_data(as_text=True)
    with session_scope(app) as session:
        actions = session.scalars(select(AuditEvent.action)).all()
        assert AuditAction.WALKTHROUGH_REVOKED in actions


def test_forged_links_and_tokens_open_nothing(app: Flask, client: FlaskClient) -> None:
    secret = _create(app)
    token = _token(_open(client, secret))
    claims = jwt.decode(token, options={"verify_signature": False})
    forged = [
        jwt.encode({**claims}, "not-the-secret-key-but-just-as-long-0123456789", "HS256"),
        jwt.encode({**claims, "as": "admin"}, app.config["SECRET_KEY"], "HS256"),
        jwt.encode({**claims, "wt": claims["wt"] + 1}, app.config["SECRET_KEY"], "HS256"),
        jwt.encode({**claims, "exp": 1}, app.config["SECRET_KEY"], "HS256"),
        token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB"),
    ]
    for bad in forged:
        for path in ("/tour/", "/participant/reflections", "/instructor/workspace"):
            answer = client.get(path, query_string={"st": bad})
            assert answer.status_code in (401, 404, 410), (bad, path)
            assert "Reflections" in answer.get_data(as_text=True)
    for guess in (secret[:-1], secret.upper(), "x" * len(secret), ""):
        assert client.get(f"/walkthrough/{guess}").status_code == 404


def test_a_tour_can_change_nothing_and_reach_nothing_else(app: Flask, client: FlaskClient) -> None:
    _create(app)
    with session_scope(app) as session:
        link = session.scalars(select(Walkthrough)).one()
        participant = issue(link, "participant", 1, app.config["SECRET_KEY"])
        instructor = issue(link, "instructor", 6, app.config["SECRET_KEY"])
    before = _row_counts(app)
    posts = {
        participant: [
            "/participant/prompts/1/draft",
            "/participant/prompts/1/submit",
            "/participant/prompts/1/reply",
        ],
        instructor: [
            "/instructor/program",
            "/instructor/prompts/1/edit",
            "/instructor/reflections/1",
            "/instructor/deep-link",
        ],
    }
    for token, paths in posts.items():
        for path in paths:
            answer = client.post(path, data={"st": token, "text": "x", "revision": "0"})
            assert answer.status_code == 403, path
            assert "Nothing can be changed" in answer.get_data(as_text=True)
    elsewhere = [
        (participant, "/instructor/workspace"),
        (instructor, "/participant/reflections"),
        (instructor, "/sync/"),
        (instructor, "/lti/jwks"),
    ]
    for token, path in elsewhere:
        answer = client.get(path, query_string={"st": token})
        assert answer.status_code == 403, path
        assert "not part of the walk-through" in answer.get_data(as_text=True)
    assert _row_counts(app) == before
