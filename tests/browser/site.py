"""The tool (as https://localhost:PORT) and the demo Canvas (its login host and APIs as
https://127.0.0.1:PORT, its course pages as https://127.0.0.2:PORT: three sites, as Canvas cloud
serves an institution's own domain) over loopback HTTPS by real threaded servers in background
threads, with a restart that keeps the port and both databases, as a deploy would."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from typing import Any

import requests
from flask import Flask
from sqlalchemy import select, update
from werkzeug.serving import ThreadedWSGIServer

from demo_canvas.db import demo_session
from demo_canvas.devserver import install
from demo_canvas.models import DeveloperKey
from lti_tool.http import DestinationPolicy, GuardedHttp
from tests.browser.tls import server_context
from tests.servers import demo_config, instance_config, serve


class _Server(ThreadedWSGIServer):
    """Remembers its connections so a stop really drops them (no keep-alive to the old app)."""

    def __init__(self, port: int, cert: tuple[Path, Path], address: str = "127.0.0.1") -> None:
        self.connections: list[socket.socket] = []
        super().__init__(address, port, _not_ready, ssl_context=server_context(*cert))

    def process_request(self, request: Any, client_address: Any) -> None:
        self.connections.append(request)
        super().process_request(request, client_address)

    def drop_connections(self) -> None:
        for connection in self.connections:
            try:
                connection.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
        self.connections.clear()


PAGES_ADDRESS = "127.0.0.2"


@contextmanager
def serving_too(extra: _Server, main: _Server) -> Iterator[None]:
    """`extra` serves what `main` serves (the same composed app), until the block ends."""
    extra.app = main.app
    thread = threading.Thread(target=extra.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        extra.shutdown()
        extra.server_close()


def _not_ready(environ: dict[str, Any], start_response: Any) -> list[bytes]:
    start_response("503 Service Unavailable", [("Content-Type", "text/plain")])
    return [b"starting"]


def verifying_session(cert_path: Path) -> requests.Session:
    """A client that trusts only the test certificate and ignores proxy/CA environment."""
    session = requests.Session()
    session.trust_env = False
    session.verify = str(cert_path)
    return session


class BrowserSite:
    """One demo world: the tool's database (shared test DB) and the demo's own SQLite file."""

    def __init__(
        self,
        database_url: str,
        keys_dir: Path,
        demo_db: Path,
        cert: tuple[Path, Path],
        **extra: Any,
    ) -> None:
        self.cert = cert
        self._server: _Server | None = _Server(0, cert)
        self.port = self._server.server_port
        self._pages_server: _Server | None = _Server(self.port, cert, PAGES_ADDRESS)
        self.tool_url = f"https://localhost:{self.port}"
        self.demo_url = f"https://127.0.0.1:{self.port}"
        """The demo's login host (OIDC, JWKS, token, AGS, NRPS, Platform Storage frame)."""
        self.pages_url = f"https://{PAGES_ADDRESS}:{self.port}"
        """Where people see the demo Canvas: a host the tool is never told of."""
        demo_extra = {k: v for k, v in extra.items() if k.startswith("DEMO_CANVAS_")}
        self.config = instance_config(
            database_url,
            keys_dir,
            self.tool_url,
            **{k: v for k, v in extra.items() if k not in demo_extra},
        )
        self.demo_config = demo_config(
            self.demo_url,
            self.tool_url,
            demo_db,
            DEMO_CANVAS_PAGES_URL=self.pages_url,
            DEMO_CANVAS_HTTP=verifying_session(cert[0]),
            **demo_extra,
        )
        self._stack = ExitStack()
        self.app, self.demo = self._serve(self._server, self._pages_server)

    def _serve(self, server: _Server, pages_server: _Server) -> tuple[Flask, Flask]:
        http = GuardedHttp(
            DestinationPolicy.from_setting(production=False),
            user_agent="lti-tool-test",
            ca_file=str(self.cert[0]),
        )
        served = self._stack.enter_context(serve(server, self.config, self.demo_config, http))
        assert served.demo is not None
        self._stack.enter_context(serving_too(pages_server, server))
        return served.app, served.demo

    def stop(self) -> None:
        """Shut the server down and drop open connections: the tool is unreachable."""
        servers = (self._server, self._pages_server)
        self._server = self._pages_server = None
        self._stack.close()
        for server in servers:
            if server is not None:
                server.drop_connections()

    def start(self) -> None:
        """A new app instance on the same port and databases, as after a redeploy."""
        self._server = _Server(self.port, self.cert)
        self._pages_server = _Server(self.port, self.cert, PAGES_ADDRESS)
        self.app, self.demo = self._serve(self._server, self._pages_server)

    def restart(self) -> None:
        self.stop()
        self.start()

    def install_seeded_key(self) -> None:
        """The demo's seeded developer key, registered with the tool (the `make run` setup)."""
        install(self.demo, self.app)

    def turn_off_seeded_key(self) -> None:
        """A Canvas account with no tool yet: only a dynamic registration will install one."""
        with self.demo.app_context(), demo_session(self.demo) as session:
            session.execute(update(DeveloperKey).values(enabled=False))

    def dynamic_key_ids(self) -> list[int]:
        with self.demo.app_context(), demo_session(self.demo) as session:
            query = select(DeveloperKey.id).where(DeveloperKey.registration_jti.is_not(None))
            return list(session.scalars(query))

    def url(self, path: str) -> str:
        """A demo page people see (on the pages host)."""
        return self.pages_url + path
