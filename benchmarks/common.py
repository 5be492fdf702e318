"""Shared pieces of the benchmarks: the tool served on loopback, and a table printer."""

from __future__ import annotations

import os
import platform
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import requests
from alembic import command
from flask import Flask
from sqlalchemy import create_engine
from sqlalchemy.engine import make_url
from werkzeug.serving import make_server

from lti_tool import create_app
from lti_tool.cli.db import alembic_config
from lti_tool.web import wiring

SECRET = "benchmark-secret-key-0123456789-abcdefghij"


@contextmanager
def scratch_database(server_url: str | None, folder: Path) -> Iterator[str]:
    """A database of its own for one run: a SQLite file in `folder`, or, given a PostgreSQL
    URL, a new database on that server, dropped afterwards (the named database is untouched,
    so runs can repeat and never clobber data)."""
    if not server_url:
        yield f"sqlite:///{folder / 'bench.db'}"
        return
    url = make_url(server_url)
    name = f"lti_bench_{os.getpid()}_{int(time.time())}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'CREATE DATABASE "{name}"')
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.dispose()


@contextmanager
def served_app(
    database_url: str | None = None, server: str = "gunicorn", workers: int = 2
) -> Iterator[tuple[Flask, str, Callable[[], int]]]:
    """The tool on a free loopback port, migrated, with its own keys; yields an in-process app
    on the same database (for seeding), the served address, and a function giving the peak
    resident memory (KiB) of the largest worker process so far. `database_url` names the
    PostgreSQL server to run on (see `scratch_database`); None runs on SQLite."""
    with (
        tempfile.TemporaryDirectory() as folder,
        scratch_database(database_url, Path(folder)) as run_database_url,
    ):
        port = _free_port()
        base_url = f"http://127.0.0.1:{port}"
        env = {
            "LTI_TOOL_ENV": "testing",
            "SECRET_KEY": SECRET,
            "DATABASE_URL": run_database_url,
            "LTI_TOOL_BASE_URL": base_url,
            "LTI_TOOL_KEYS_DIR": str(Path(folder) / "keys"),
        }
        app = create_app(env)
        with app.app_context():
            command.upgrade(alembic_config(app), "head")
        runner = _gunicorn if server == "gunicorn" else _werkzeug
        try:
            with runner(app, env, port, workers) as peak:
                yield app, base_url, peak
        finally:
            wiring(app).engine.dispose()


@contextmanager
def _gunicorn(
    _app: Flask, env: dict[str, str], port: int, workers: int
) -> Iterator[Callable[[], int]]:
    process = subprocess.Popen(  # noqa: S603 - fixed arguments, loopback only
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-w",
            str(workers),
            "-b",
            f"127.0.0.1:{port}",
            "--log-level",
            "warning",
            "lti_tool:create_app()",
        ],
        env={**os.environ, **env},
    )
    try:
        _wait_until_up(f"http://127.0.0.1:{port}/health")
        yield lambda: max((_peak_kib(pid) for pid in _children(process.pid)), default=0)
    finally:
        process.terminate()
        process.wait(timeout=10)


@contextmanager
def _werkzeug(
    app: Flask, _env: dict[str, str], port: int, _workers: int
) -> Iterator[Callable[[], int]]:
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield lambda: _peak_kib(os.getpid())
    finally:
        server.shutdown()


def _children(parent: int) -> list[int]:
    children = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(fields[1]) == parent:
            children.append(int(stat.parent.name))
    return children


def _peak_kib(pid: int) -> int:
    """VmHWM: the most resident memory the process has used (Linux)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _wait_until_up(url: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except (requests.ConnectionError, requests.Timeout):
            pass
        time.sleep(0.1)
    raise RuntimeError(f"{url} did not come up")


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def print_table(title: str, rows: Sequence[Sequence[object]], header: Sequence[str]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=False)]
    print(f"\n{title}  ({machine()})")
    print(" | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)))
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))
