"""`db`: the database schema, through Alembic's migrations."""

from __future__ import annotations

from pathlib import Path

import click
from alembic import command as alembic_command
from alembic.config import Config as AlembicConfig
from flask import Flask, current_app
from flask.cli import AppGroup

db_cli = AppGroup("db", help="Database schema (Alembic migrations).")


def alembic_config(app: Flask) -> AlembicConfig:
    root = Path(__file__).resolve().parents[2]
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
