"""`registration`: the platforms (Canvas developer keys) the tool trusts."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from lti_tool.lti.canvas.environments import ENVIRONMENTS
from lti_tool.services.audit import ADMIN
from lti_tool.services.registrations import RegistrationError
from lti_tool.web import wiring

registration_cli = AppGroup(
    "registration", help="Platforms (Canvas developer keys) the tool trusts."
)


@registration_cli.command("add")
@click.option(
    "--canvas", "preset", type=click.Choice(sorted(ENVIRONMENTS)), help="Fill Canvas's URLs."
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
    env = ENVIRONMENTS[preset] if preset else None
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
    with wiring().unit_of_work() as services:
        if exist_ok and services.registrations.find(str(values["issuer"]), client_id) is not None:
            click.echo(f"{values['issuer']} client {client_id} is already registered.")
            return
        try:
            services.registrations.add(
                actor=ADMIN,
                issuer=str(values["issuer"]),
                client_id=client_id,
                auth_login_url=str(values["auth_login_url"]),
                auth_token_url=str(values["auth_token_url"]),
                key_set_url=str(values["key_set_url"]),
                deployment_ids=deployment_ids,
            )
        except RegistrationError as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Registered {values['issuer']} client {client_id}.")


@registration_cli.command("list")
def registration_list() -> None:
    """Show every registration and its deployments."""
    with wiring().unit_of_work() as services:
        registrations = services.registrations.list()
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
    with wiring().unit_of_work() as services:
        if not services.registrations.remove(issuer, client_id, actor=ADMIN):
            raise click.ClickException(f"No registration {issuer} / {client_id}.")
    click.echo(f"Removed {issuer} client {client_id}.")
