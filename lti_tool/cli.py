"""Command-line administration: `flask --app lti_tool <group> <command>`."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from lti_tool.db import session_scope, utcnow
from lti_tool.lti import canvas
from lti_tool.lti.keys import KeyStore
from lti_tool.lti.storage import purge_expired
from lti_tool.models import AuditAction
from lti_tool.services.audit import ADMIN, AuditLog
from lti_tool.services.registrations import RegistrationError, RegistrationService

registration_cli = AppGroup(
    "registration", help="Platforms (Canvas developer keys) the tool trusts."
)
keys_cli = AppGroup("keys", help="The tool's signing keys.")
db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


def register_commands(app: Flask) -> None:
    from lti_tool.cli_records import audit_cli, course_cli, participant_cli
    from lti_tool.cli_sync import grades_cli, sync_cli
    from lti_tool.cli_walkthrough import sample_cli, walkthrough_cli

    for group in (registration_cli, keys_cli, db_cli, sync_cli, grades_cli):
        app.cli.add_command(group)
    app.cli.add_command(purge)
    for group in (course_cli, participant_cli, audit_cli, walkthrough_cli, sample_cli):
        app.cli.add_command(group)


def alembic_config(app: Flask) -> AlembicConfig:
    root = Path(__file__).resolve().parent.parent
    config = AlembicConfig()
    config.set_main_option("script_location", str(root / "migrations"))
    config.attributes["database_url"] = app.config["DATABASE_URL"]
    return config


@db_cli.command("upgrade")
@click.argument("revision", default="head")
def db_upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: the newest)."""
    alembic_command.upgrade(alembic_config(current_app), revision)
    click.echo(f"Database at {revision}.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
@click.option("--rev-id", help="A readable id such as 0003_audit.")
def db_revision(message: str, rev_id: str | None) -> None:
    """Write a migration from the difference between the models and the database."""
    alembic_command.revision(
        alembic_config(current_app), message=message, autogenerate=True, rev_id=rev_id
    )


@db_cli.command("downgrade")
@click.argument("revision")
def db_downgrade(revision: str) -> None:
    """Undo migrations down to REVISION."""
    alembic_command.downgrade(alembic_config(current_app), revision)


@registration_cli.command("add")
@click.option(
    "--canvas", "preset", type=click.Choice(sorted(canvas.ENVIRONMENTS)), help="Fill Canvas's URLs."
)
@click.option("--issuer")
@click.option("--client-id", required=True)
@click.option("--auth-login-url")
@click.option("--auth-token-url")
@click.option("--key-set-url")
@click.option("--deployment-id", "deployment_ids", multiple=True)
@click.option("--exist-ok", is_flag=True, help="Succeed without a change if already registered.")
def registration_add(
    preset: str | None,
    issuer: str | None,
    client_id: str,
    auth_login_url: str | None,
    auth_token_url: str | None,
    key_set_url: str | None,
    deployment_ids: tuple[str, ...],
    exist_ok: bool,
) -> None:
    """Trust a platform: its issuer, client id, and OIDC, token and key endpoints."""
    env = canvas.ENVIRONMENTS[preset] if preset else None
    values = {
        "issuer": issuer or (env.issuer if env else None),
        "auth_login_url": auth_login_url or (env.auth_login_url if env else None),
        "auth_token_url": auth_token_url or (env.auth_token_url if env else None),
        "key_set_url": key_set_url or (env.key_set_url if env else None),
    }
    missing = [f"--{name.replace('_', '-')}" for name, value in values.items() if not value]
    if missing:
        raise click.UsageError(
            "missing " + ", ".join(missing) + " (or use --canvas prod|beta|test)"
        )
    with session_scope(current_app) as session:
        service = RegistrationService(session, allow_local_urls=_allow_local())
        if exist_ok and service.find(str(values["issuer"]), client_id) is not None:
            click.echo(f"{values['issuer']} client {client_id} is already registered.")
            return
        try:
            registration = service.add(
                issuer=str(values["issuer"]),
                client_id=client_id,
                auth_login_url=str(values["auth_login_url"]),
                auth_token_url=str(values["auth_token_url"]),
                key_set_url=str(values["key_set_url"]),
                deployment_ids=deployment_ids,
            )
        except RegistrationError as error:
            raise click.ClickException(str(error)) from error
        AuditLog(session).registration(
            AuditAction.REGISTRATION_ADDED, ADMIN, registration.id, registration.issuer, client_id
        )
    click.echo(f"Registered {values['issuer']} client {client_id}.")


@registration_cli.command("list")
def registration_list() -> None:
    """Show every registration and its deployments."""
    with session_scope(current_app) as session:
        registrations = RegistrationService(session).list()
        if not registrations:
            click.echo("No registrations. Add one with `registration add` or dynamic registration.")
        for reg in registrations:
            deployments = ", ".join(d.deployment_id for d in reg.deployments) or "none yet"
            click.echo(f"{reg.issuer}  client_id={reg.client_id}")
            click.echo(
                f"  login  {reg.auth_login_url}\n"
                f"  token  {reg.auth_token_url}\n"
                f"  keys   {reg.key_set_url}"
            )
            click.echo(f"  deployments: {deployments}")


@registration_cli.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
def registration_remove(issuer: str, client_id: str) -> None:
    """Stop trusting a platform registration (its launches are refused from now on)."""
    with session_scope(current_app) as session:
        service = RegistrationService(session)
        registration = service.find(issuer, client_id)
        if registration is None or not service.remove(issuer, client_id):
            raise click.ClickException(f"No registration {issuer} / {client_id}.")
        AuditLog(session).registration(
            AuditAction.REGISTRATION_REMOVED, ADMIN, registration.id, issuer, client_id
        )
    click.echo(f"Removed {issuer} client {client_id}.")


def _key_store() -> KeyStore:
    store: KeyStore = current_app.extensions["key_store"]
    return store


@keys_cli.command("generate")
def keys_generate() -> None:
    """Create a signing key if none exists (the first key of a new install)."""
    store = _key_store()
    if store.keys():
        click.echo(f"A key already exists (kid {store.signing_key().kid}); use `keys rotate`.")
        return
    click.echo(f"Generated key {store.generate().kid}.")


@keys_cli.command("rotate")
def keys_rotate() -> None:
    """Sign with a new key; the previous one stays published for the overlap window."""
    new_key, removed = _key_store().rotate()
    click.echo(f"Now signing with {new_key.kid}.")
    for key in removed:
        click.echo(f"Removed expired key {key.kid}.")


@keys_cli.command("list")
def keys_list() -> None:
    """Show keys: which one signs, which are still published, when they were made."""
    store = _key_store()
    published = {key.kid for key in store.published()}
    for key in store.keys():
        status = (
            "signing"
            if key.retired_at is None
            else ("published" if key.kid in published else "expired")
        )
        click.echo(f"{key.kid}  {status:9}  created {key.created_at:%Y-%m-%d %H:%M} UTC")


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
    with session_scope(current_app) as session:
        count = purge_expired(session)
        events = AuditLog(session).purge_before(utcnow() - timedelta(days=days)) if days else 0
    click.echo(f"Purged {count} expired entries and {events} audit events.")


def _allow_local() -> bool:
    return bool(current_app.config["LTI_TOOL_ENV"] != "production")
