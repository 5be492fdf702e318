"""The sample cohorts: how long building them from a seed takes, and how the walk-through's
pages over them perform (render time and SQL statements per page).

Run: .venv/bin/python -m benchmarks.sample_cohort [--database-url URL]
Each program's sample course at full size (75 officers x 2 weeks, 25 leaders x 6 weeks), then
every step of its tour, as a visitor's browser would request it.
"""

from __future__ import annotations

import argparse
import statistics
import time
from datetime import date

from flask import Flask

from benchmarks.common import print_table
from benchmarks.workspace import REPEATS, QueryCounter, fresh_app
from lti_tool.db import utcnow
from lti_tool.sample.cohort import DEFAULT_SEED, plan_cohort
from lti_tool.sample.store import SampleCourseStore
from lti_tool.services.walkthroughs import WalkthroughService
from lti_tool.tour.steps import for_program
from lti_tool.web import session_scope

TODAY = date(2026, 11, 30)


def load_seconds(app: Flask, program: str) -> float:
    started = time.perf_counter()
    with app.app_context(), session_scope(app) as session:
        SampleCourseStore(session).load(plan_cohort(program, DEFAULT_SEED, TODAY))
    return time.perf_counter() - started


def tour_rows(app: Flask, program: str) -> list[list[object]]:
    with app.app_context(), session_scope(app) as session:
        secret = WalkthroughService(session).create(program, "Benchmark", 1, utcnow()).secret
    client = app.test_client()
    overview = client.get(f"/walkthrough/{secret}").location
    token = overview.split("st=", 1)[1]
    counter = QueryCounter(app)
    rows = []
    for number, step in enumerate(for_program(program, app.view_functions), start=1):
        page = client.get(f"/tour/step/{number}", query_string={"st": token}).location
        times = []
        for _ in range(REPEATS):
            counter.count = 0
            started = time.perf_counter()
            answer = client.get(page)
            times.append(time.perf_counter() - started)
            if answer.status_code != 200:
                raise RuntimeError(f"step {number} answered {answer.status_code}")
        ms = f"{statistics.median(times) * 1000:.1f}"
        rows.append([program, f"{number} {step.perspective}: {step.title}", ms, counter.count])
    return rows


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    backend = (args.database_url or "sqlite").split(":")[0]
    loads, pages = [], []
    with fresh_app(args.database_url) as app:
        for program in ("officers", "leaders"):
            plan = plan_cohort(program, DEFAULT_SEED, TODAY)
            size = f"{len(plan.participants)} x {len(plan.prompts)}"
            loads.append([program, size, f"{load_seconds(app, program):.2f}"])
            pages += tour_rows(app, program)
    print_table(f"Sample cohorts built from seed {DEFAULT_SEED} ({backend})", loads,
                ["program", "participants x prompts", "seconds"])  # fmt: skip
    print_table(
        f"Walk-through pages over the full cohorts, median of {REPEATS} ({backend})",
        pages,
        ["program", "step", "ms", "SQL statements"],
    )


if __name__ == "__main__":
    main()
