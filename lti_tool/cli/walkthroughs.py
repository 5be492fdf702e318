"""`flask --app lti_tool walkthrough …` and `sample …`: walk-through links for visitors, and
the fictional sample courses they tour."""

from __future__ import annotations

from datetime import datetime

import click
from flask import current_app
from flask.cli import AppGroup

from lti_tool.db import utcnow
from lti_tool.sample.cohort import DEFAULT_SEED, Stage, plan_cohort
from lti_tool.sample.store import SampleCourseStore
from lti_tool.services.programs import PROGRAM_KEYS
from lti_tool.services.walkthroughs import WalkthroughInvalid, WalkthroughService
from lti_tool.web import session_scope

walkthrough_cli = AppGroup(
    "walkthrough", help="Read-only tours of a sample course for visitors (no Canvas needed)."
)
sample_cli = AppGroup("sample", help="The fictional sample courses walk-throughs show.")

PROGRAM = click.Choice(PROGRAM_KEYS)


@walkthrough_cli.command("create")
@click.option("--program", type=PROGRAM, required=True)
@click.option("--visitor", required=True, help='Who it is for, e.g. "Chief of a department".')
@click.option("--days", type=int, default=14, show_default=True, help="How long it works.")
def walkthrough_create(program: str, visitor: str, days: int) -> None:
    """Make a link that opens the program's tour until it expires; print it once."""
    with session_scope(current_app) as session:
        try:
            created = WalkthroughService(session).create(program, visitor, days, utcnow())
        except WalkthroughInvalid as error:
            raise click.ClickException(str(error)) from error
        walkthrough = created.walkthrough
        url = f"{current_app.config['LTI_TOOL_BASE_URL']}/walkthrough/{created.secret}"
        click.echo(f"Walk-through {walkthrough.id} for {walkthrough.visitor} ({program}),")
        click.echo(f"open until {walkthrough.expires_at:%Y-%m-%d %H:%M} UTC:")
        click.echo(f"  {url}")
        click.echo("The link is shown only now; revoke it with `walkthrough revoke`.")


@walkthrough_cli.command("list")
def walkthrough_list() -> None:
    """Every link: whom it is for, until when, whether it still works, how often it was used."""
    now = utcnow()
    with session_scope(current_app) as session:
        links = WalkthroughService(session).list()
        if not links:
            click.echo("No walk-through links. Create one with `walkthrough create`.")
        for link in links:
            state = "revoked" if link.revoked_at else ("open" if link.is_open(now) else "expired")
            last = f"{link.last_visit_at:%Y-%m-%d %H:%M}" if link.last_visit_at else "never"
            click.echo(
                f"{link.id:>4}  {state:<8} {link.program_key:<9} until "
                f"{link.expires_at:%Y-%m-%d %H:%M}  visits {link.visits} (last {last})  "
                f"{link.visitor}"
            )


@walkthrough_cli.command("revoke")
@click.argument("walkthrough_id", type=int)
def walkthrough_revoke(walkthrough_id: int) -> None:
    """Stop a link working now (tours already open end at their next page)."""
    with session_scope(current_app) as session:
        try:
            WalkthroughService(session).revoke(walkthrough_id, utcnow())
        except WalkthroughInvalid as error:
            raise click.ClickException(str(error)) from error
    click.echo(f"Walk-through {walkthrough_id} is revoked.")


@sample_cli.command("load")
@click.option("--program", "programs", type=PROGRAM, multiple=True, help="Default: both.")
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option("--today", type=click.DateTime(["%Y-%m-%d"]), help="Default: today (UTC).")
def sample_load(programs: tuple[str, ...], seed: int, today: datetime | None) -> None:
    """(Re)build the sample courses from a seed: 75 officers over 2 weeks, 25 leaders over 6,
    every one fictional. Real courses are not touched."""
    day = today.date() if today else utcnow().date()
    with session_scope(current_app) as session:
        for key in programs or PROGRAM_KEYS:
            plan = plan_cohort(key, seed, day)
            SampleCourseStore(session).load(plan)
            click.echo(f"{plan.title}: {len(plan.participants)} participants")
            for prompt in plan.prompts:
                counts = ", ".join(
                    f"{stage.value.replace('_', ' ')} {plan.count(prompt.bank.key, stage)}"
                    for stage in Stage
                )
                click.echo(f"  week {prompt.bank.week} {prompt.bank.title}: {counts}")
