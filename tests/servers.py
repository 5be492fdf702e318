"""Tool instances served over loopback HTTP by a real threaded server, for multi-instance tests,
alone or composed with the demo Canvas as `make run` does (`demo_canvas.devserver`)."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import requests
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

import demo_canvas
from demo_canvas.db import EXTENSION_KEY
from demo_canvas.devserver import DevServer
from lti_tool import create_app
from lti_tool.http import GuardedHttp
from lti_tool.web import wiring

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication


class ServedApp:
    def __init__(self, app: Flask, server: BaseWSGIServer, demo: Flask | None = None) -> None:
        self.app = app
        self.demo = demo
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"


def free_server() -> BaseWSGIServer:
    return make_server("127.0.0.1", 0, _not_ready, threaded=True)


@contextmanager
def serve(
    server: BaseWSGIServer,
    config: dict[str, Any],
    demo_config: dict[str, Any] | None = None,
    http: GuardedHttp | None = None,
) -> Iterator[ServedApp]:
    """Serve a new app instance (its own engine and caches) on an already bound server; with
    `demo_config`, the demo Canvas too, under /demo as the development server composes them;
    `http` is the tool's outbound client (default: a plain one)."""
    app = create_app(config, http=http)
    demo = demo_canvas.create_app(demo_config) if demo_config is not None else None
    server.app = DevServer(app, demo) if demo else app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ServedApp(app, server, demo)
    finally:
        server.shutdown()
        server.server_close()
        wiring(app).dispose()
        if demo:
            demo.extensions[EXTENSION_KEY]["engine"].dispose()


@contextmanager
def serving(app: WSGIApplication, address: str = "127.0.0.1") -> Iterator[str]:
    """Serve this app by a real threaded server on a loopback `address`; yields its
    `host:port`."""
    server = make_server(address, 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"{address}:{server.server_port}"
    finally:
        server.shutdown()


def instance_config(
    database_url: str, keys_dir: Path, base_url: str, **extra: Any
) -> dict[str, Any]:
    return {
        "LTI_TOOL_ENV": "testing",
        "SECRET_KEY": "shared-secret-of-every-instance-0123456789",
        "DATABASE_URL": database_url,
        "LTI_TOOL_BASE_URL": base_url,
        "LTI_TOOL_KEYS_DIR": str(keys_dir),
        **extra,
    }


def demo_config(demo_url: str, tool_url: str, demo_db: Path, **extra: Any) -> dict[str, Any]:
    """The demo Canvas at `demo_url` with its own SQLite file, installing the tool at `tool_url`."""
    return {
        "TESTING": True,
        "DEMO_CANVAS_BASE_URL": demo_url,
        "DEMO_CANVAS_DATABASE_URL": f"sqlite:///{demo_db}",
        "LTI_TOOL_BASE_URL": tool_url,
        **extra,
    }


def _not_ready(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@contextmanager
def served_process(
    command: list[str], *, cwd: Path, env: dict[str, str], url: str, log: Path
) -> Iterator[Path]:
    """A server started as a separate process, as an operator or developer starts it; waits until
    `url`/health answers and stops it afterwards. Yields its log (stdout and stderr)."""
    with log.open("wb") as output:
        process = subprocess.Popen(  # noqa: S603 - the tests' fixed commands, loopback only
            command, cwd=cwd, env=env, stdout=output, stderr=subprocess.STDOUT
        )
    try:
        _wait_until_answering(process, log, url + "/health")
        yield log
    finally:
        process.terminate()
        process.wait(timeout=30)


def _wait_until_answering(process: subprocess.Popen[bytes], log: Path, health: str) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the server exited: {log.read_text()}")
        try:
            if requests.get(health, timeout=5).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise AssertionError(f"the server did not answer in 60 s: {log.read_text()}")
