""" "Sync all" of a 75-participant course against the demo Canvas with simulated latency.

Run: .venv/bin/python -m benchmarks.sync_all [--grades 75] [--latency-ms 100] [--workers 1]
     [--database-url postgresql://...]
Queues one grade per participant (committed, as the "sync all" button does), then delivers them as
the after-response sender (one thread) or `sync run --workers N` would, and counts what reached
the demo Canvas: one token request must serve the whole run.
"""

from __future__ import annotations

import argparse
import tempfile
import threading
import time
from pathlib import Path

from benchmarks.common import print_table, served_app
from lti_tool.services.delivery import Sender, Worker
from lti_tool.web import wiring
from tests.grade_sync.canvas import DemoCanvas, queue_grade, seed_database


def deliver(sender: Sender, item_ids: list[int], workers: int) -> None:
    if workers == 1:
        sender.send(item_ids)
        return
    threads = [
        threading.Thread(
            target=Worker(Sender(sender.sessions, sender.client, name=f"bench-{n}"), poll=0.05).run,
            kwargs={"until_idle": True},
        )
        for n in range(workers)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--grades", type=int, default=75)
    parser.add_argument("--latency-ms", type=int, default=100)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--database-url")
    args = parser.parse_args(argv)
    # only the migrated in-process app is used: the tool's HTTP side plays no part in delivery
    served = served_app(args.database_url, server="werkzeug")
    with tempfile.TemporaryDirectory() as folder, served as (app, _, _peak):
        canvas = DemoCanvas(app, seed_database(Path(folder)), Path(folder))
        with canvas.running():
            course_id, _ = canvas.register()
            url = canvas.line_item_url()
            people = [canvas.tool_student(course_id, s) for s in canvas.add_students(args.grades)]
            ids = [queue_grade(app, course_id, p, 7, lineitem_url=url) for p in people]
            canvas.fault("ags", latency_ms=args.latency_ms)
            canvas.fault("token", latency_ms=args.latency_ms)
            sender = Sender(wiring(app).sessions, wiring(app).service_client, name="bench")
            started = time.perf_counter()
            deliver(sender, ids, args.workers)
            elapsed = time.perf_counter() - started
            book = canvas.gradebook()
            arrived = sum(1 for p in people if book.get(p.sub, {}).get("score") == 7)
            print_table(
                f"Sync all: {args.grades} grades, {args.latency_ms} ms Canvas latency",
                [
                    (
                        args.workers,
                        f"{elapsed:.2f}",
                        f"{elapsed / args.grades * 1000:.0f}",
                        canvas.count("/login/oauth2/token"),
                        canvas.count("/scores"),
                        len(canvas.paths),
                        f"{arrived}/{args.grades}",
                    )
                ],
                (
                    "workers",
                    "wall s",
                    "ms/grade",
                    "token requests",
                    "score requests",
                    "all requests",
                    "in gradebook",
                ),
            )


if __name__ == "__main__":
    main()
