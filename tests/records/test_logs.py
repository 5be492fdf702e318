"""Logs name records by id only: through writing, feedback, grading, reading the log, export,
the report and deletion, no line carries a token, name, e-mail or reflection text."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest
from flask import Flask

from .conftest import AUTHOR, AUTHOR_EMAIL, DRAFT, FEEDBACK, FIRST, PEER, REPLY, SECOND, World


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
    lines = [
        record.getMessage()
        for phase in ("setup", "call")
        for record in tool_logs.get_records(phase)  # type: ignore[arg-type]
    ]
    secrets = (AUTHOR, AUTHOR_EMAIL, PEER, FIRST, SECOND, FEEDBACK, REPLY, DRAFT)
    tokens = (world.author.token, world.teacher.token, world.peer.token)
    for line in lines:
        assert not any(secret in line for secret in secrets + tokens), line
