"""Tool instances served over loopback HTTP by a real threaded server, for multi-instance tests."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

from lti_tool import create_app


class ServedApp:
    def __init__(self, app: Flask, server: BaseWSGIServer) -> None:
        self.app = app
        self.server = server
        self.url = f"http://127.0.0.1:{server.server_port}"


def free_server() -> BaseWSGIServer:
    return make_server("127.0.0.1", 0, _not_ready, threaded=True)


@contextmanager
def serve(server: BaseWSGIServer, config: dict[str, Any]) -> Iterator[ServedApp]:
    """Serve a new app instance (its own engine and caches) on an already bound server."""
    app = create_app(config)
    server.app = app
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield ServedApp(app, server)
    finally:
        server.shutdown()
        server.server_close()
        app.extensions["db_engine"].dispose()


@contextmanager
def serving(app: Flask) -> Iterator[str]:
    """Serve this app instance by a real threaded server; yields its `host:port`."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_port}"
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
        "DEMO_CANVAS_DISABLED": "1",
        **extra,
    }


def _not_ready(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]
