"""`flask --app lti_tool walkthrough …` and `sample …`: walk-through links for visitors, the
fictional sample courses they tour, and the same fictional cohorts in a platform's course (the
demo Canvas's sample sessions)."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from typing import IO, Any

import click
from flask import current_app
from flask.cli import AppGroup

from lti_tool.db import utcnow
from lti_tool.models import Registration
from lti_tool.sample.cohort import (
    DEFAULT_SEED,
    CohortPlan,
    SamplePerson,
    Stage,
    plan_cohort,
    today_for,
)
from lti_tool.sample.store import Placement, PlatformCourse, SampleCourseStore
from lti_tool.services.outbox import GradeSync
from lti_tool.services.programs import PROGRAM_KEYS
from lti_tool.services.registrations import RegistrationService
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
            _echo_counts(plan.title, plan)


def _echo_counts(title: str, plan: CohortPlan) -> None:
    click.echo(f"{title}: {len(plan.participants)} participants")
    for prompt in plan.prompts:
        counts = ", ".join(
            f"{stage.value.replace('_', ' ')} {plan.count(prompt.bank.key, stage)}"
            for stage in Stage
        )
        click.echo(f"  week {prompt.bank.week} {prompt.bank.title}: {counts}")


@sample_cli.command("cohort")
@click.option("--program", type=PROGRAM, required=True)
@click.option("--seed", type=int, default=DEFAULT_SEED, show_default=True)
@click.option(
    "--starts-on",
    type=click.DateTime(["%Y-%m-%d"]),
    help="The day the course started (default: a cohort in its last week as of yesterday).",
)
def sample_cohort(program: str, seed: int, starts_on: datetime | None) -> None:
    """Print a cohort's plan as JSON (people, prompts, dates; no writing), for a platform that
    sets up a course to hold it: the demo Canvas enrols these people, then `sample populate`.

    Planned as of yesterday by default, so everything it plans has already happened: a
    platform refuses a submission dated in the future."""
    day = today_for(program, starts_on.date()) if starts_on else utcnow().date() - timedelta(1)
    plan = plan_cohort(program, seed, day)

    def person(sample: SamplePerson) -> dict[str, str]:
        return {"sub": sample.sub, "name": sample.name}

    click.echo(
        json.dumps(
            {
                "program": program,
                "seed": seed,
                "starts_on": plan.starts_at.date().isoformat(),
                "title": plan.title,
                "instructors": [person(p) for p in plan.instructors],
                "participants": [person(p) for p in plan.participants],
                "prompts": [
                    {
                        "week": p.bank.week,
                        "bank_key": p.bank.key,
                        "title": p.bank.title,
                        "due_at": p.due_at.isoformat(),
                        "points": p.bank.points,
                    }
                    for p in plan.prompts
                ],
            },
            indent=1,
        )
    )


@sample_cli.command("populate")
@click.argument("spec", type=click.File("r"))
def sample_populate(spec: IO[str]) -> None:
    """Fill a registered platform's course with a fictional cohort, keyed as the platform's
    launches key it, and queue its submissions and grades for delivery (`sync run`, or the
    development server's background delivery). A course that already holds reflections is left
    as it is, so this is safe to repeat.

    SPEC is a JSON file ("-": standard input): program, seed, starts_on (from `sample cohort`);
    platform {issuer, client_id, deployment_id}; course {context_id, title, label,
    lineitems_url, memberships_url}; people {plan sub: {sub, name}} for every instructor and
    participant of the plan; placements {week: {resource_link_id, lineitem_url, title}}.
    """
    try:
        data = json.load(spec)
        program, seed = str(data["program"]), int(data["seed"])
        starts_on = date.fromisoformat(data["starts_on"])
        platform, course = data["platform"], data["course"]
    except (ValueError, KeyError, TypeError) as error:
        raise click.ClickException(f"unreadable spec: {error!r}") from error
    if program not in PROGRAM_KEYS:
        raise click.ClickException(f"unknown program {program!r}")
    plan = plan_cohort(program, seed, today_for(program, starts_on))
    if plan.now > utcnow():
        raise click.ClickException("the cohort's plan runs into the future: start it earlier")
    with session_scope(current_app) as session:
        registration = RegistrationService(session).find(
            str(platform.get("issuer")), str(platform.get("client_id"))
        )
        if registration is None:
            raise click.ClickException("no registration has that issuer and client id")
        deployments = {d.deployment_id for d in registration.deployments}
        if str(platform.get("deployment_id")) not in deployments:
            raise click.ClickException("that deployment is not registered")
        target = _platform_course(registration, course, data, plan)
        filled = SampleCourseStore(session).populate(
            plan, target, GradeSync(session), current_app.config["LTI_TOOL_BASE_URL"]
        )
        if filled is None:
            click.echo(f"{target.title}: already holds reflections, left as it is")
            return
    _echo_counts(target.title, plan)
    click.echo("  submissions and grades are queued for delivery")


def _platform_course(
    registration: Registration, course: dict[str, Any], data: dict[str, Any], plan: CohortPlan
) -> PlatformCourse:
    try:
        people = {
            key: SamplePerson(str(value["sub"]), str(value["name"]))
            for key, value in data["people"].items()
        }
        placements = {
            int(week): Placement(
                str(value["resource_link_id"]), str(value["lineitem_url"]), str(value["title"])
            )
            for week, value in data["placements"].items()
        }
        target = PlatformCourse(
            registration=registration,
            context_id=str(course["context_id"]),
            title=str(course["title"]),
            label=str(course.get("label") or ""),
            lineitems_url=course.get("lineitems_url"),
            memberships_url=course.get("memberships_url"),
            people=people,
            placements=placements,
        )
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        raise click.ClickException(f"unreadable spec: {error!r}") from error
    missing = [p.sub for p in (*plan.instructors, *plan.participants) if p.sub not in people]
    missing += [f"week {p.bank.week}" for p in plan.prompts if p.bank.week not in placements]
    if missing:
        raise click.ClickException(f"the spec does not place {len(missing)}: {missing[:3]}")
    return target
