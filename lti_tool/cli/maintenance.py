"""`purge`: expired LTI state and audit events past retention."""

from __future__ import annotations

from datetime import timedelta

import click
from flask import current_app
from flask.cli import with_appcontext

from lti_tool.db import utcnow
from lti_tool.lti.storage import purge_expired
from lti_tool.web import wiring


@click.command("purge")
@with_appcontext
@click.option(
    "--audit-days",
    type=click.IntRange(min=0),
    help="Keep this many days of audit log (default LTI_TOOL_AUDIT_RETENTION_DAYS; 0 keeps all).",
)
def purge(audit_days: int | None) -> None:
    """Delete expired nonces, login state and launch data, and audit events past retention
    (run it from cron; logins also purge expired entries every few minutes)."""
    days = current_app.config["LTI_TOOL_AUDIT_RETENTION_DAYS"] if audit_days is None else audit_days
    with wiring().unit_of_work() as services:
        count = purge_expired(services.session)
        events = services.audit.purge_before(utcnow() - timedelta(days=days)) if days else 0
    click.echo(f"Purged {count} expired entries and {events} audit events.")
