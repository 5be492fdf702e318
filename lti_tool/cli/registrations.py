"""`registration`: the platforms (Canvas developer keys) the tool trusts."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import AppGroup

from lti_tool.db import utcnow
from lti_tool.lti.canvas.environments import ENVIRONMENTS
from lti_tool.services.audit import ADMIN
from lti_tool.services.invites import InviteService
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
@click.option(
    "--service-url",
    help="Where the platform serves AGS and NRPS, when not on the issuer, login, token or key "
    "host (a self-hosted Canvas's own domain).",
)
def registration_add(
    preset: str | None,
    issuer: str | None,
    client_id: str,
    auth_login_url: str | None,
    auth_token_url: str | None,
    key_set_url: str | None,
    deployment_ids: tuple[str, ...],
    exist_ok: bool,
    service_url: str | None,
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
                service_url=service_url,
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
            if reg.service_origin:
                click.echo(f"  services {reg.service_origin}")
            click.echo(f"  deployments: {deployments}")
        _list_invites(services.invites)


def _list_invites(invites: InviteService) -> None:
    listed = invites.list()
    if listed:
        click.echo("\nInstallation links (registration invites):")
    now = utcnow()
    for invite in listed:
        if invite.used_at is not None:
            state = (
                f"used {invite.used_at:%Y-%m-%d %H:%M} UTC (registration {invite.registration_id})"
            )
        elif invite.expires_at <= now:
            state = "expired"
        else:
            state = f"open until {invite.expires_at:%Y-%m-%d %H:%M} UTC"
        click.echo(f"  #{invite.id}  {state}  {invite.note}".rstrip())


@registration_cli.command("invite")
@click.option("--note", default="", help="Who the link is for (shown in `registration list`).")
@click.option(
    "--hours",
    type=click.IntRange(1, 14 * 24),
    default=48,
    show_default=True,
    help="How long the link works.",
)
def registration_invite(note: str, hours: int) -> None:
    """Make a single-use installation link for a Canvas admin (LTI Dynamic Registration).

    The tool trusts a platform only through an operator: this link is that consent. The Canvas
    admin pastes it into Admin > Developer Keys > + Developer Key > LTI Registration.
    """
    with wiring().unit_of_work() as services:
        issued = services.invites.issue(note, timedelta(hours=hours))
        until = f"{issued.invite.expires_at:%Y-%m-%d %H:%M} UTC"
    click.echo(f"Installation link #{issued.invite.id}, single use, until {until}:")
    click.echo(issued.url(wiring().base_url))


@registration_cli.command("revoke-invite")
@click.argument("invite_id", type=int)
def registration_revoke_invite(invite_id: int) -> None:
    """Make an unused installation link stop working now."""
    with wiring().unit_of_work() as services:
        if not services.invites.revoke(invite_id):
            raise click.ClickException(f"No unused installation link #{invite_id}.")
    click.echo(f"Installation link #{invite_id} no longer works.")


@registration_cli.command("remove")
@click.option("--issuer", required=True)
@click.option("--client-id", required=True)
def registration_remove(issuer: str, client_id: str) -> None:
    """Stop trusting a platform registration (its launches are refused from now on)."""
    with wiring().unit_of_work() as services:
        if not services.registrations.remove(issuer, client_id, actor=ADMIN):
            raise click.ClickException(f"No registration {issuer} / {client_id}.")
    click.echo(f"Removed {issuer} client {client_id}.")
