"""`sync`, `grades`: grade delivery, `sync run` (the outbox worker) and `grades reconcile`."""

from __future__ import annotations

import threading

import click
from flask.cli import AppGroup

from lti_tool.services.delivery import Worker, worker_name
from lti_tool.services.grade_status import reconcile
from lti_tool.web import wiring

sync_cli = AppGroup("sync", help="Deliver queued grades and submissions to Canvas.")
grades_cli = AppGroup("grades", help="Compare the tool's grades with Canvas.")


@sync_cli.command("run")
@click.option("--once", is_flag=True, help="Deliver what is due now, then exit.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 16))
@click.option("--poll", default=5.0, show_default=True, help="Seconds between idle checks.")
def sync_run(once: bool, workers: int, poll: float) -> None:
    """Deliver the outbox, retrying with backoff; safe to run on several machines at once."""
    built = wiring()
    stop = threading.Event()
    counts: list[int] = []

    def work(number: int) -> None:
        chores = built.refresh_placements if number == 0 else None  # one keeps them fresh
        worker = Worker(built.sender(worker_name(f"cli{number}")), poll=poll, chores=chores)
        counts.append(worker.run(once=once, stop=stop))

    threads = [threading.Thread(target=work, args=(n,), daemon=True) for n in range(workers)]
    for thread in threads:
        thread.start()
    try:
        for thread in threads:
            while thread.is_alive():
                thread.join(timeout=0.5)
    except KeyboardInterrupt:
        stop.set()
    click.echo(f"Attempted {sum(counts)} deliveries.")


@grades_cli.command("reconcile")
@click.option("--repair", is_flag=True, help="Queue the tool's grade again where Canvas differs.")
def grades_reconcile(repair: bool) -> None:
    """Compare each latest sent grade with Canvas's results (ids only, no names)."""
    built = wiring()
    with built.unit_of_work() as services:
        matching, differences = reconcile(services.session, built.service_client, repair=repair)
        for d in differences:
            canvas = "none" if d.canvas_score is None else f"{d.canvas_score:g}"
            click.echo(
                f"course {d.item.course_id}  {d.item.subject_key}  person {d.item.person_id}: "
                f"tool {d.tool_score:g}, Canvas {canvas} ({d.reason})"
            )
    action = "queued again" if repair else "to repair (use --repair)"
    click.echo(f"{matching} grade(s) match Canvas; {len(differences)} differ, {action}.")
