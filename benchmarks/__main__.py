"""Every benchmark in one command, each printing its table.

Run: .venv/bin/python -m benchmarks [--database-url postgresql://...]
Without a URL everything runs on SQLite; with one, on that PostgreSQL server (each benchmark
makes and drops a database of its own there). The scripts can also be run one by one.
"""

from __future__ import annotations

import argparse

from benchmarks import launch, sample_cohort, sync_all, workspace


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database-url")
    args = parser.parse_args()
    database = ["--database-url", args.database_url] if args.database_url else []
    launch.main(database)
    workspace.main(database)
    sync_all.main(database)
    sync_all.main([*database, "--workers", "2"])
    sample_cohort.main(database)


if __name__ == "__main__":
    main()
