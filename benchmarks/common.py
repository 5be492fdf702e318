"""Shared pieces of the benchmarks: a served app on loopback and a table printer."""

from __future__ import annotations

import os
import platform
import statistics
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from alembic import command
from flask import Flask
from werkzeug.serving import make_server

from lti_tool import create_app
from lti_tool.cli import alembic_config


@contextmanager
def served_app(database_url: str | None = None, **config: Any) -> Iterator[tuple[Flask, str]]:
    """The tool on a free loopback port (threaded server), migrated, with its own keys."""
    with tempfile.TemporaryDirectory() as folder:
        url = database_url or f"sqlite:///{Path(folder) / 'bench.db'}"
        server = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
        base_url = f"http://127.0.0.1:{server.server_port}"
        app = create_app(
            {
                "LTI_TOOL_ENV": "testing",
                "SECRET_KEY": "benchmark-secret-key-0123456789-abcdefghij",
                "DATABASE_URL": url,
                "LTI_TOOL_BASE_URL": base_url,
                "LTI_TOOL_KEYS_DIR": str(Path(folder) / "keys"),
                "DEMO_CANVAS_DISABLED": "1",
                **config,
            }
        )
        with app.app_context():
            command.upgrade(alembic_config(app), "head")
        server.app = app  # type: ignore[assignment]
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield app, base_url
        finally:
            server.shutdown()
            app.extensions["db_engine"].dispose()


def percentile(values: Sequence[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def machine() -> str:
    return f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"


def print_table(title: str, rows: Sequence[Sequence[object]], header: Sequence[str]) -> None:
    widths = [max(len(str(x)) for x in column) for column in zip(header, *rows, strict=False)]
    line = " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True))
    print(f"\n{title}  ({machine()})")
    print(line)
    print("-+-".join("-" * w for w in widths))
    for row in rows:
        print(" | ".join(str(x).ljust(w) for x, w in zip(row, widths, strict=True)))


def mean_ms(values: Sequence[float]) -> str:
    return f"{statistics.mean(values) * 1000:.1f}"
