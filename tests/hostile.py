"""A loopback server that answers the way an attacker's platform would: huge, slow, redirecting,
or with an internal service's secret. It records every request, so a test can prove that a refused
URL was never called."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

MIB = 1024 * 1024
HUGE_BYTES = 200 * MIB
SECRET = "internal-secret-7f3a"


class HostileServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.requests: list[str] = []
        self.headers_seen: list[dict[str, str]] = []
        self.bytes_sent = 0
        self.lock = threading.Lock()
        self.json_body: Any = {"ok": True}

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_port}"

    def record(self, path: str, headers: dict[str, str]) -> None:
        with self.lock:
            self.requests.append(path)
            self.headers_seen.append(headers)


class _Handler(BaseHTTPRequestHandler):
    server: HostileServer
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        return None

    def do_GET(self) -> None:
        self._answer()

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self._answer()

    def _answer(self) -> None:
        parts = urlsplit(self.path)
        self.server.record(parts.path, dict(self.headers.items()))
        query = {k: v[0] for k, v in parse_qs(parts.query).items()}
        handler = getattr(self, "_" + parts.path.strip("/").replace("-", "_"), None)
        if handler is None:
            self._json(self.server.json_body)
        else:
            handler(query)

    def _json(self, body: Any, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _huge(self, query: dict[str, str]) -> None:
        """200 MiB with no length announced, streamed until the client hangs up."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        chunk = b" " * (64 * 1024)
        try:
            self.wfile.write(b'{"keys": [')
            for _ in range(HUGE_BYTES // len(chunk)):
                self.wfile.write(chunk)
                with self.server.lock:
                    self.server.bytes_sent += len(chunk)
        except OSError:
            return

    def _huge_declared(self, query: dict[str, str]) -> None:
        self.send_response(200)
        self.send_header("Content-Length", str(HUGE_BYTES))
        self.end_headers()
        try:
            self.wfile.write(b"{")
        except OSError:
            return

    def _drip(self, query: dict[str, str]) -> None:
        """A valid start, then one byte a second for a minute."""
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Connection", "close")
        self.end_headers()
        self._trickle(b'{"keys": [' + b" " * 60)

    def _drip_headers(self, query: dict[str, str]) -> None:
        """The status line and headers themselves, one byte a second."""
        self._trickle(b"HTTP/1.1 200 OK\r\nX-Slow: " + b"a" * 60)

    def _trickle(self, data: bytes) -> None:
        try:
            self.wfile.flush()
            for byte in data:
                self.wfile.write(bytes([byte]))
                self.wfile.flush()
                time.sleep(1.0)
        except OSError:
            return

    def _redirect(self, query: dict[str, str]) -> None:
        self.send_response(int(query.get("status", "302")))
        self.send_header("Location", query["to"])
        self.send_header("Content-Length", "0")
        self.end_headers()

    def _token(self, query: dict[str, str]) -> None:
        self._json({"access_token": "platform-token", "expires_in": 3600})

    def _members(self, query: dict[str, str]) -> None:
        """One roster page; `next` becomes its Link rel="next"."""
        data = json.dumps({"members": [{"user_id": "u1", "roles": []}]}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        if "next" in query:
            self.send_header("Link", f'<{query["next"]}>; rel="next"')
        self.end_headers()
        self.wfile.write(data)

    def _secret(self, query: dict[str, str]) -> None:
        self._json({"secret": SECRET})

    def _status(self, query: dict[str, str]) -> None:
        body = query.get("body", "").encode()
        self.send_response(int(query["code"]))
        self.send_header("Content-Type", query.get("type", "text/html"))
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def hostile_server() -> Iterator[HostileServer]:
    server = HostileServer()
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
