"""Retention: expired launch data and nonces go without cron (logins purge them now and then),
and `purge` also drops audit events older than the configured retention."""

from __future__ import annotations

from datetime import timedelta

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update

from lti_tool.db import utcnow
from lti_tool.models import AuditAction, AuditEvent, LtiStorageEntry
from lti_tool.services.audit import ADMIN, AuditLog
from lti_tool.web import session_scope
from tests.platform import TestPlatform

EXPIRED = "lti1p3-nonce-expired-long-ago"


def _add_expired(app: Flask) -> None:
    with app.app_context(), session_scope(app) as session:
        session.add(
            LtiStorageEntry(key=EXPIRED, value=True, expires_at=utcnow() - timedelta(minutes=1))
        )


def _keys(app: Flask) -> set[str]:
    with app.app_context(), session_scope(app) as session:
        return set(session.scalars(select(LtiStorageEntry.key)))


def test_logins_purge_expired_entries_at_most_every_ten_minutes(
    app: Flask, client: FlaskClient, platform: TestPlatform
) -> None:
    _add_expired(app)
    platform.login(client)
    assert EXPIRED not in _keys(app)
    _add_expired(app)
    platform.login(client)
    assert EXPIRED in _keys(app), "purged again within the interval"
    with app.app_context(), session_scope(app) as session:
        session.execute(
            update(LtiStorageEntry)
            .where(LtiStorageEntry.key.like("%purge-expired"))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    platform.login(client)
    assert EXPIRED not in _keys(app)


def _audit_events(app: Flask, ages_in_days: list[int]) -> None:
    with app.app_context(), session_scope(app) as session:
        for age in ages_in_days:
            event = AuditLog(session).record(
                AuditAction.REPORT_DOWNLOADED, ADMIN, subject_type="course", subject_id=age
            )
            event.created_at = utcnow() - timedelta(days=age)


def _ages(app: Flask) -> list[int | None]:
    with app.app_context(), session_scope(app) as session:
        return sorted(session.scalars(select(AuditEvent.subject_id)))  # type: ignore[type-var]


def test_purge_command_applies_audit_retention(app: Flask) -> None:
    _add_expired(app)
    _audit_events(app, [1, 100, 800])
    runner = app.test_cli_runner()
    kept_all = runner.invoke(args=["purge", "--audit-days", "0"])
    assert kept_all.output.strip() == "Purged 1 expired entries and 0 audit events."
    assert EXPIRED not in _keys(app) and _ages(app) == [1, 100, 800]
    default = runner.invoke(args=["purge"])
    assert "and 1 audit events" in default.output and _ages(app) == [1, 100]
    shorter = runner.invoke(args=["purge", "--audit-days", "30"])
    assert "and 1 audit events" in shorter.output and _ages(app) == [1]


def test_retention_is_configurable(app: Flask) -> None:
    app.config["LTI_TOOL_AUDIT_RETENTION_DAYS"] = 7
    _audit_events(app, [1, 10])
    assert "and 1 audit events" in app.test_cli_runner().invoke(args=["purge"]).output
    assert _ages(app) == [1]
