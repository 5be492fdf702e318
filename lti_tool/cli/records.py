"""`course`, `participant`, `audit`: a course's records: export, the completion report,
deleting a participant's data on request, and reading the audit log. Output names ids and
counts, never people."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.files import UnsafePath, write_private
from lti_tool.models import Course
from lti_tool.services.audit import ADMIN
from lti_tool.services.erasure import ErasureRefused
from lti_tool.web import wiring

course_cli = AppGroup("course", help="A course's records: export and completion report.")
participant_cli = AppGroup("participant", help="A participant's data in a course.")
audit_cli = AppGroup("audit", help="The audit log of who read or changed what.")

COURSE_ID = click.option("--course-id", required=True, type=int, help="The tool's course id.")


def _course(session: Session, course_id: int) -> Course:
    course = session.get(Course, course_id)
    if course is None:
        raise click.ClickException(f"No course {course_id}.")
    return course


@course_cli.command("list")
def course_list() -> None:
    """Every course that has launched the tool: its id (for the other commands) and title."""
    with wiring().unit_of_work() as services:
        courses = services.session.scalars(select(Course).order_by(Course.id)).all()
        if not courses:
            click.echo("No course has launched the tool yet.")
        for course in courses:
            click.echo(f"{course.id:>5}  {course.label or '-':12}  {course.title}")


@course_cli.command("export")
@COURSE_ID
@click.option(
    "--out",
    "out_dir",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder to write into (created, readable by you only).",
)
def course_export(course_id: int, out_dir: Path) -> None:
    """Write grades.csv, completion.csv and each participant's reflections with feedback."""
    with wiring().unit_of_work() as services:
        course = _course(services.session, course_id)
        try:
            result = services.export.write(course, out_dir, actor=ADMIN)
        except UnsafePath as unsafe:
            raise click.ClickException(str(unsafe)) from unsafe
    click.echo(f"Exported {result.participants} participants of course {course_id} to {out_dir}.")


@course_cli.command("report")
@COURSE_ID
@click.option(
    "--out",
    "out_file",
    type=click.Path(dir_okay=False, path_type=Path),
    help="CSV file to write (default: standard output).",
)
def course_report(course_id: int, out_file: Path | None) -> None:
    """The completion report: reflections submitted per week, feedback, grades synced."""
    with wiring().unit_of_work() as services:
        course = _course(services.session, course_id)
        report = services.records.completion_report(course, actor=ADMIN)
    if out_file is None:
        click.echo(report.removeprefix("\ufeff"), nl=False)
    else:
        write_private(out_file, report)
        click.echo(f"Wrote the completion report of course {course_id} to {out_file}.")


@participant_cli.command("delete")
@COURSE_ID
@click.option("--sub", required=True, help="The participant's Canvas user id (LTI sub).")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def participant_delete(course_id: int, sub: str, yes: bool) -> None:
    """Delete a participant's reflections, feedback, grades and queued scores in a course."""
    with wiring().unit_of_work() as services:
        course = _course(services.session, course_id)
        service = services.erasure
        try:
            person = service.participant(course, sub)
        except ErasureRefused as refused:
            raise click.ClickException(str(refused)) from refused
        preview = service.preview(course, person)
        if not yes:
            click.confirm(
                f"Delete {preview.summary()} in course {course_id}? This cannot be undone",
                abort=True,
            )
        result = service.delete(course, person)
    removed = "; the person record is removed too" if result.person_removed else ""
    click.echo(f"Deleted {result.counts.summary()}{removed}.")


@audit_cli.command("list")
@click.option("--course-id", type=int, help="Only this course's events.")
@click.option("--limit", default=50, show_default=True, type=click.IntRange(1, 10_000))
def audit_list(course_id: int | None, limit: int) -> None:
    """The newest events: when, who (role and person id), what, about which record."""
    with wiring().unit_of_work() as services:
        for event in services.audit.events(course_id, limit):
            who = event.actor_role + (f" #{event.actor_id}" if event.actor_id else "")
            where = f"course {event.course_id}" if event.course_id else "-"
            click.echo(
                f"{event.created_at:%Y-%m-%d %H:%M:%S}  {where:12}  {who:18}  {event.action:22}  "
                f"{event.subject_type} #{event.subject_id}  {event.detail}".rstrip()
            )
