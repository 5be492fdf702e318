"""Instructor pages for growing courses: render time and SQL query count.

Run: .venv/bin/python -m benchmarks.workspace [--database-url URL]
Each size is a course with N participants x M prompts, every reflection in some state (draft,
submitted, waiting for feedback, graded). The query count must not grow with participants.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, parse_qsl, urlsplit

from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from benchmarks.common import print_table, scratch_database
from lti_tool import create_app
from lti_tool.cli.db import alembic_config
from lti_tool.db import utcnow
from lti_tool.models import (
    Course,
    CourseRole,
    Enrollment,
    Person,
    Prompt,
    Reflection,
    ReflectionVersion,
)
from lti_tool.web import session_scope, wiring
from tests.platform import INSTRUCTOR, TestPlatform

SIZES = ((75, 2), (25, 6), (750, 6))
"""Officers (75 x 2 weeks), Leaders (25 x 6 weeks), and ten Officers cohorts in one course."""
REPEATS = 5


@contextmanager
def fresh_app(database_url: str | None) -> Iterator[Flask]:
    with (
        tempfile.TemporaryDirectory() as folder,
        scratch_database(database_url, Path(folder)) as run_database_url,
    ):
        app = create_app(
            {
                "LTI_TOOL_ENV": "testing",
                "SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghij",
                "DATABASE_URL": run_database_url,
                "LTI_TOOL_BASE_URL": "http://localhost",
                "LTI_TOOL_KEYS_DIR": str(Path(folder) / "keys"),
            }
        )
        with app.app_context():
            command.upgrade(alembic_config(app), "head")
        try:
            yield app
        finally:
            wiring(app).engine.dispose()


def seed(app: Flask, participants: int, prompts: int) -> None:
    """Participants and prompts in the instructor's course, reflections in mixed states."""
    now = utcnow()
    with app.app_context(), session_scope(app) as session:
        course = session.scalars(select(Course)).one()
        course.program_key = "officers"
        people = [
            Person(registration_id=course.registration_id, sub=f"p-{n}", name=f"Participant {n}")
            for n in range(participants)
        ]
        session.add_all(people)
        session.flush()
        session.add_all(
            Enrollment(course_id=course.id, person_id=p.id, role=CourseRole.PARTICIPANT)
            for p in people
        )
        placed = [
            Prompt(
                course_id=course.id,
                title=f"Week prompt {m}",
                body="Reflect.",
                week=1 + m,
                resource_link_id=f"rl-{m}",
            )
            for m in range(prompts)
        ]
        session.add_all(placed)
        session.flush()
        for m, prompt in enumerate(placed):
            for n, person in enumerate(people):
                state = (n + m) % 4
                reflection = Reflection(
                    course_id=course.id,
                    prompt_id=prompt.id,
                    person_id=person.id,
                    draft_text="Draft",
                    revision=1,
                    version_count=min(state, 1),
                    submitted_at=now - timedelta(hours=n) if state else None,
                    waiting_since=now - timedelta(hours=n) if state == 2 else None,
                )
                session.add(reflection)
                if state:
                    session.flush()
                    session.add(
                        ReflectionVersion(
                            reflection_id=reflection.id,
                            number=1,
                            text="Draft",
                            word_count=1,
                            submitted_at=now - timedelta(hours=n),
                        )
                    )


class QueryCounter:
    def __init__(self, app: Flask) -> None:
        self.count = 0
        event.listen(wiring(app).engine, "before_cursor_execute", self._count)

    def _count(self, *_args: Any) -> None:
        self.count += 1


def measure(client: FlaskClient, counter: QueryCounter, path: str, token: str) -> tuple[float, int]:
    times, queries = [], 0
    url = urlsplit(path)
    query = {**dict(parse_qsl(url.query)), "st": token}
    for _ in range(REPEATS):
        counter.count = 0
        started = time.perf_counter()
        response = client.get(url.path, query_string=query)
        times.append(time.perf_counter() - started)
        if response.status_code != 200:
            raise RuntimeError(f"{path} answered {response.status_code}")
        queries = counter.count
    return statistics.median(times), queries


def run_size(database_url: str | None, participants: int, prompts: int) -> list[list[object]]:
    platform = TestPlatform()
    platform.start()
    try:
        with fresh_app(database_url) as app:
            platform.register_with(app)
            client = app.test_client()
            landing = platform.launch(client, role=INSTRUCTOR, sub="teacher")
            token = parse_qs(urlsplit(landing.headers["Location"]).query)["st"][0]
            seed(app, participants, prompts)
            counter = QueryCounter(app)
            with app.app_context(), session_scope(app) as session:
                first_prompt = session.scalars(select(Prompt.id).order_by(Prompt.id)).first()
                waiting = session.scalars(
                    select(Reflection.id).where(Reflection.waiting_since.is_not(None))
                ).first()
            rows = []
            for label, path in (
                ("workspace", "/instructor/workspace"),
                ("prompt roster", f"/instructor/prompts/{first_prompt}"),
                (
                    "roster, graded, by name",
                    f"/instructor/prompts/{first_prompt}?status=graded&sort=name&q=1",
                ),
                ("feedback queue", "/instructor/queue"),
                ("queue, any status", "/instructor/queue?status=all&sort=submitted"),
                ("participant x week", "/instructor/matrix"),
                ("review in queue order", f"/instructor/reflections/{waiting}?list=queue"),
            ):
                seconds, queries = measure(client, counter, path, token)
                size = f"{participants} x {prompts}"
                rows.append([size, label, f"{seconds * 1000:.1f}", queries])
            return rows
    finally:
        platform.stop()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    rows = [row for p, m in SIZES for row in run_size(args.database_url, p, m)]
    backend = (args.database_url or "sqlite").split(":")[0]
    print_table(
        f"Instructor pages, median of {REPEATS}, in-process ({backend})",
        rows,
        ["participants x prompts", "page", "ms", "SQL queries"],
    )


if __name__ == "__main__":
    main()
