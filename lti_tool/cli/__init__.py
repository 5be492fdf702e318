"""Command-line administration: `flask --app lti_tool <group> <command>`.

Each command asks the composition root (`lti_tool.web.wiring()`) for what it needs and records
nothing itself: the services it calls write their own audit events, given the actor `ADMIN`.
"""

from __future__ import annotations

from flask import Flask

from lti_tool.cli.db import db_cli
from lti_tool.cli.keys import keys_cli
from lti_tool.cli.maintenance import purge
from lti_tool.cli.records import audit_cli, course_cli, participant_cli
from lti_tool.cli.registrations import registration_cli
from lti_tool.cli.sync import grades_cli, sync_cli
from lti_tool.cli.walkthroughs import sample_cli, walkthrough_cli


def register_commands(app: Flask) -> None:
    for group in (registration_cli, keys_cli, db_cli, sync_cli, grades_cli):
        app.cli.add_command(group)
    app.cli.add_command(purge)
    for group in (course_cli, participant_cli, audit_cli, walkthrough_cli, sample_cli):
        app.cli.add_command(group)
