"""`keys`: the tool's signing keys (generate, rotate, list)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lti_tool.lti.keys import KeyStore
from lti_tool.web import wiring

keys_cli = AppGroup("keys", help="The tool's signing keys.")


def _key_store() -> KeyStore:
    return wiring().key_store


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
