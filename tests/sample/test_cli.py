"""The operator's commands: `walkthrough create|list|revoke` and `sample load`."""

from __future__ import annotations

import re

from flask import Flask
from flask.testing import FlaskClient

from demo_canvas.devserver import tool_output
from demo_canvas.front import tour_links


def test_an_operator_creates_lists_and_revokes_a_link(app: Flask, client: FlaskClient) -> None:
    runner = app.test_cli_runner()
    created = runner.invoke(
        args=[
            "walkthrough", "create", "--program", "leaders",
            "--visitor", "Chief of a department", "--days", "14",
        ]
    )  # fmt: skip
    assert created.exit_code == 0, created.output
    link = re.search(r"http://localhost/walkthrough/(\S+)", created.output)
    # Ids come from the database's sequence, which PostgreSQL does not restart between tests.
    number = re.search(r"Walk-through (\d+) for Chief of a department \(leaders\)", created.output)
    assert link and number, created.output
    assert client.get(f"/walkthrough/{link.group(1)}").status_code == 303

    listed = runner.invoke(args=["walkthrough", "list"]).output
    assert re.search(
        rf"{number[1]}\s+open\s+leaders\s+until .* visits 1 .* Chief of a department", listed
    )
    assert link.group(1) not in listed

    assert "is revoked" in runner.invoke(args=["walkthrough", "revoke", number[1]]).output
    assert re.search(rf"{number[1]}\s+revoked", runner.invoke(args=["walkthrough", "list"]).output)
    assert client.get(f"/walkthrough/{link.group(1)}").status_code == 410


def test_bad_requests_get_a_clear_answer(app: Flask) -> None:
    runner = app.test_cli_runner()
    cases = {
        ("--program", "sheriffs", "--visitor", "A"): "'sheriffs' is not one of",
        ("--program", "officers", "--visitor", " "): "Name the visitor",
        ("--program", "officers", "--visitor", "A", "--days", "0"): "1 to 90 days",
        ("--program", "officers", "--visitor", "A", "--days", "365"): "1 to 90 days",
    }
    for arguments, message in cases.items():
        answer = runner.invoke(args=["walkthrough", "create", *arguments])
        assert answer.exit_code != 0 and message in answer.output, answer.output
    revoked = runner.invoke(args=["walkthrough", "revoke", "7"])
    assert revoked.exit_code != 0 and "There is no walk-through link 7" in revoked.output
    assert "No walk-through links" in runner.invoke(args=["walkthrough", "list"]).output


def test_sample_load_reports_the_cohort_it_built(app: Flask) -> None:
    answer = app.test_cli_runner().invoke(
        args=["sample", "load", "--program", "officers", "--today", "2026-11-30"]
    )
    assert answer.exit_code == 0, answer.output
    assert "sample course (fictional cohort): 75 participants" in answer.output
    assert (
        "week 1 Rights as prevention on an ordinary shift: not started 2, draft 1, "
        "submitted 56, resubmitted 16" in answer.output
    )


def test_the_demo_gets_one_working_tour_link_per_program(app: Flask, client: FlaskClient) -> None:
    links = tour_links(lambda arguments: tool_output(app, arguments))
    assert sorted(links) == ["leaders", "officers"]
    for link in links.values():
        assert client.get(link.removeprefix("http://localhost")).status_code == 303
