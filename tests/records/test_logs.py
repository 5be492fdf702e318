"""Logs name records by id only: through writing, feedback, grading, reading the log, export,
the report, deletion and a failing database, no line carries a token, name, e-mail or
reflection text; request lines lose their tokens."""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import Engine

from lti_tool.logs import RedactSecrets
from lti_tool.web import wiring
from tests.reflections.conftest import text_of, write

from .conftest import AUTHOR, AUTHOR_EMAIL, DRAFT, FEEDBACK, FIRST, PEER, REPLY, SECOND, World

PRIVATE_DRAFT = "What I saw my sergeant do at the checkpoint on Tuesday."


@pytest.fixture
def tool_logs(caplog: pytest.LogCaptureFixture) -> pytest.LogCaptureFixture:
    caplog.set_level(logging.DEBUG, logger="lti_tool")
    return caplog


def test_logs_hold_no_personal_data(
    tool_logs: pytest.LogCaptureFixture, world: World, app: Flask, tmp_path: Path
) -> None:
    world.teacher.get("/instructor/activity")
    world.teacher.get("/instructor/completion.csv")
    runner = app.test_cli_runner()
    course = ["--course-id", str(world.course_id)]
    runner.invoke(args=["course", "export", *course, "--out", str(tmp_path)])
    runner.invoke(args=["participant", "delete", *course, "--sub", "student-a", "--yes"])
    records = [r for phase in ("setup", "call") for r in tool_logs.get_records(phase)]  # type: ignore[arg-type]
    logged = "\n".join(map(logging.Formatter().format, records))  # with any traceback
    secrets = (AUTHOR, AUTHOR_EMAIL, PEER, FIRST, SECOND, FEEDBACK, REPLY, DRAFT)
    tokens = (world.author.token, world.teacher.token, world.peer.token)
    for secret in secrets + tokens:
        assert secret not in logged


@contextlib.contextmanager
def refusing_database(app: Flask) -> Iterator[None]:
    """Every change to a reflection fails inside the database with an operational error, as a
    full disk would (SQLite: the trigger calls a function that does not exist)."""
    engine: Engine = wiring(app).engine
    postgres = engine.dialect.name == "postgresql"
    create = (
        [
            "CREATE FUNCTION refuse_change() RETURNS trigger AS "
            "$$ BEGIN RAISE EXCEPTION 'refused' USING ERRCODE = 'disk_full'; END $$ "
            "LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_change BEFORE UPDATE ON reflection "
            "FOR EACH ROW EXECUTE FUNCTION refuse_change()",
        ]
        if postgres
        else [
            "CREATE TRIGGER refuse_change BEFORE UPDATE ON reflection BEGIN SELECT refused(); END"
        ]
    )
    drop = ["DROP TRIGGER refuse_change" + (" ON reflection" if postgres else "")]
    drop += ["DROP FUNCTION refuse_change()"] if postgres else []
    with engine.begin() as connection:
        for statement in create:
            connection.exec_driver_sql(statement)
    try:
        yield
    finally:
        with engine.begin() as connection:
            for statement in drop:
                connection.exec_driver_sql(statement)


def test_a_failing_database_logs_no_text_and_loses_no_draft(
    tool_logs: pytest.LogCaptureFixture, world: World, app: Flask
) -> None:
    with refusing_database(app):
        refused = write(world.peer, world.placed, PRIVATE_DRAFT)
    assert refused.status_code == 503
    assert refused.json is not None and "database" in refused.json["error"]
    assert refused.headers["Retry-After"] == "30"
    logged = [r for r in tool_logs.records if r.name.startswith("lti_tool") and r.exc_info]
    assert logged, "the failure was not logged: nothing was checked"
    everything = tool_logs.text  # messages and formatted tracebacks
    assert "refused" in everything, "the database's own error is missing from the log"
    for secret in (PRIVATE_DRAFT, PEER, world.peer.token):
        assert secret not in everything
    assert DRAFT in text_of(world.peer.get(world.placed.page)), "the saved draft was lost"
    assert write(world.peer, world.placed, PRIVATE_DRAFT).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["st", "id_token", "ticket", "registration_token", "JWT", "login_hint", "state", "nonce"],
)
def test_request_lines_lose_their_secrets(name: str) -> None:
    record = logging.LogRecord(
        "werkzeug",
        logging.INFO,
        __file__,
        1,
        '"GET /participant/?%s=%s&page=2 HTTP/1.1" 200',
        (name, "eyJhbGciOi.secret-value"),
        None,
    )
    RedactSecrets().filter(record)
    assert "secret-value" not in record.getMessage()
    assert f"{name}=[redacted]&page=2" in record.getMessage()
