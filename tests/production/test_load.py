"""Load: 75 participants open the week's reflection within the same seconds and type, against
one instance served by a real threaded server over loopback. Zero errors, and every person's
last draft is exactly what the database holds; on SQLite (WAL, busy timeout) and PostgreSQL
(TEST_DATABASE_URL). Bounded: 75 clients, four draft saves each, a time limit on every request
and on the whole run."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from flask import Flask
from sqlalchemy import select, text

from lti_tool.models import Person, Reflection
from lti_tool.web import session_scope, wiring
from tests.platform import (
    CLIENT_ID,
    DEPLOYMENT_ID,
    INSTRUCTOR,
    ISSUER,
    LEARNER,
    LTI,
    TestPlatform,
)
from tests.servers import ServedApp, free_server, instance_config, serve

pytestmark = pytest.mark.load

PARTICIPANTS = 75
SAVES = 4
TIMEOUT = 30
TIME_LIMIT = 60.0
"""Far above the ~10 s it takes on two cores; only a hang or a pile-up of retries reaches it."""
LINK = {"id": "rl-load-week1", "title": "Week 1 reflection"}
CUSTOM = {"prompt_bank": "officers-rights-prevention", "program": "officers"}


@pytest.fixture
def served(
    app: Flask, migrated: str, keys_dir: Path, platform: TestPlatform
) -> Iterator[ServedApp]:
    server = free_server()
    base_url = f"http://127.0.0.1:{server.server_port}"
    config = instance_config(migrated, keys_dir, base_url, GRADE_SYNC_SEND_AFTER_RESPONSE=False)
    with serve(server, config) as instance:
        yield instance


@dataclass
class Outcome:
    sub: str
    last_text: str | None = None
    error: str | None = None


def _launch(
    instance: ServedApp, platform: TestPlatform, sub: str, role: str
) -> tuple[requests.Session, requests.Response]:
    """OIDC login, then the signed launch, then the landing page: what a click in Canvas does."""
    session = requests.Session()
    target = instance.url + "/lti/launch"
    login = session.post(
        instance.url + "/lti/login",
        data={
            "iss": ISSUER,
            "login_hint": sub,
            "client_id": CLIENT_ID,
            "lti_deployment_id": DEPLOYMENT_ID,
            "target_link_uri": target,
            "new_window": "1",
        },
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    _expect(login, 302)
    query = parse_qs(urlsplit(login.headers["Location"]).query)
    claims = platform.claims(
        query["nonce"][0],
        role=role,
        sub=sub,
        name=None,
        **{LTI + "target_link_uri": target, LTI + "resource_link": LINK, LTI + "custom": CUSTOM},
    )
    launch = session.post(
        target,
        data={"id_token": platform.sign(claims), "state": query["state"][0]},
        allow_redirects=False,
        timeout=TIMEOUT,
    )
    _expect(launch, 303)
    landing = session.get(instance.url + launch.headers["Location"], timeout=TIMEOUT)
    _expect(landing, 200)
    return session, landing


def _expect(response: requests.Response, status: int) -> None:
    if response.status_code != status:
        raise AssertionError(
            f"{response.request.method} {urlsplit(response.url).path}: {response.status_code}"
        )


def _participant(
    instance: ServedApp, platform: TestPlatform, number: int, start: threading.Barrier
) -> Outcome:
    outcome = Outcome(f"load-participant-{number}")
    try:
        start.wait(timeout=TIMEOUT)
        session, landing = _launch(instance, platform, outcome.sub, role=LEARNER)
        outcome.last_text = _type(instance, session, landing, number)
    except Exception as error:  # noqa: BLE001 - every failure is reported, none may pass
        request = getattr(error, "request", None)
        where = f"{request.method} {urlsplit(request.url).path}: " if request else ""
        outcome.error = f"{where}{type(error).__name__}: {error}"
    return outcome


def _type(
    instance: ServedApp, session: requests.Session, landing: requests.Response, number: int
) -> str:
    """Autosave a growing draft, as the editor does while someone writes."""
    token = parse_qs(urlsplit(landing.url).query)["st"][0]
    form = landing.text
    revision = int(form.split('name="revision" value="', 1)[1].split('"', 1)[0])
    action = form.split('data-autosave-url="', 1)[1].split('"', 1)[0]
    draft = ""
    for save in range(SAVES):
        draft += f"Participant {number}, thought {save}: the stop went calmly. "
        response = session.post(
            instance.url + action,
            json={"text": draft, "revision": revision},
            headers={"Authorization": f"Bearer {token}", "Accept": "application/json"},
            timeout=TIMEOUT,
        )
        _expect(response, 200)
        revision = response.json()["revision"]
        token = response.headers.get("X-Session-Token", token)
    return draft


def _run(instance: ServedApp, platform: TestPlatform, count: int = PARTICIPANTS) -> list[Outcome]:
    start = threading.Barrier(count)
    with ThreadPoolExecutor(max_workers=count) as pool:
        futures = [
            pool.submit(_participant, instance, platform, number, start) for number in range(count)
        ]
        return [future.result(timeout=TIME_LIMIT) for future in futures]


def _drafts(app: Flask) -> dict[str, str]:
    with app.app_context(), session_scope(app) as session:
        rows = session.execute(
            select(Person.sub, Reflection.draft_text).join(
                Reflection, Reflection.person_id == Person.id
            )
        )
        return {sub: draft for sub, draft in rows}


def _sqlite_is_tuned(app: Flask) -> None:
    engine = wiring(app).engine
    if engine.dialect.name != "sqlite":
        return
    with engine.connect() as connection:
        assert connection.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert connection.execute(text("PRAGMA busy_timeout")).scalar() >= 5000


def test_75_participants_launch_and_save_drafts_at_once(
    app: Flask, served: ServedApp, platform: TestPlatform
) -> None:
    _launch(served, platform, "load-teacher", role=INSTRUCTOR)  # the course and its prompt
    started = time.monotonic()
    outcomes = _run(served, platform)
    elapsed = time.monotonic() - started
    errors = [f"{o.sub}: {o.error}" for o in outcomes if o.error]
    assert not errors, f"{len(errors)} of {PARTICIPANTS} failed:\n" + "\n".join(errors[:10])
    assert elapsed < TIME_LIMIT
    expected = {o.sub: o.last_text for o in outcomes}
    stored = _drafts(served.app)
    assert {sub: stored.get(sub) for sub in expected} == expected
    _sqlite_is_tuned(served.app)


def test_a_link_nobody_opened_yet_survives_a_rush(
    app: Flask, served: ServedApp, platform: TestPlatform
) -> None:
    """No instructor first: the course, the people and the course's copy of the bank prompt
    are all created by participants' simultaneous first launches."""
    outcomes = _run(served, platform, count=25)
    errors = [f"{o.sub}: {o.error}" for o in outcomes if o.error]
    assert not errors, f"{len(errors)} of 25 failed:\n" + "\n".join(errors[:10])
    stored = _drafts(served.app)
    assert {o.sub: stored.get(o.sub) for o in outcomes} == {o.sub: o.last_text for o in outcomes}
