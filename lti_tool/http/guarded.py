"""The tool's one HTTP client for calls to platforms: registration configuration, JWKS, tokens,
AGS and NRPS.

Each call is bounded three ways: where it may go (`DestinationPolicy`, checked for the URL and for
every address the host resolves to, at connect time, so a redirect hop or a DNS answer that
changes between check and use is caught too), how much it may read (`Limit.max_bytes`) and how long
it may take as a whole (`Limit.deadline`: a watchdog shuts the socket down, so an answer that
drips one byte a second cannot hold a worker longer than that).

Written on urllib3 directly (requests' timeouts are per read and it cannot check the address it
connects to). Each call opens its own connection and closes it, so calls share nothing between
threads.
"""

from __future__ import annotations

import ipaddress
import json as jsonlib
import socket
import threading
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin

import urllib3
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import HTTPError as Urllib3Error

from lti_tool.http.destinations import (
    Destination,
    DestinationPolicy,
    DestinationRefused,
    origin_of,
)

KIB = 1024
MIB = 1024 * KIB
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
READ_CHUNK = 64 * KIB

Resolver = Callable[..., list[tuple[Any, ...]]]


@dataclass(frozen=True)
class Limit:
    max_bytes: int
    deadline: float
    """Seconds for the whole call: connecting, redirects, headers and body together."""


CONFIGURATION = Limit(1 * MIB, 10.0)
"""A platform's openid configuration or registration answer."""
KEY_SET = Limit(1 * MIB, 10.0)
TOKEN = Limit(64 * KIB, 15.0)
SERVICE_PAGE = Limit(4 * MIB, 30.0)
"""One AGS or NRPS answer (Canvas pages rosters at 10-50 members; 4 MiB is thousands)."""


class OutboundError(Exception):
    """A call that produced no usable answer. `message` is safe to show: it never holds a
    query string, a header or a body. `maybe_sent`: the platform may have acted on it."""

    maybe_sent = True

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Refused(OutboundError):
    """Refused before connecting: nothing was sent."""

    maybe_sent = False


class Unreachable(OutboundError):
    pass


class TimedOut(OutboundError):
    pass


class TooLarge(OutboundError):
    pass


@dataclass(frozen=True)
class Answer:
    status_code: int
    reason: str
    headers: Mapping[str, str]
    """Case-insensitive, as urllib3 gives them."""
    content: bytes
    url: str

    @property
    def ok(self) -> bool:
        return 200 <= self.status_code < 300

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self) -> Any:
        """The body as JSON; ValueError when it is not."""
        return jsonlib.loads(self.content)


class GuardedHttp:
    def __init__(
        self,
        policy: DestinationPolicy,
        *,
        user_agent: str,
        ca_file: str | None = None,
        resolve: Resolver = socket.getaddrinfo,
    ) -> None:
        self.policy = policy
        self.user_agent = user_agent
        self.ca_file = ca_file
        """A CA bundle to verify platforms against instead of the system's (tests' own CA)."""
        self.resolve = resolve

    def request(
        self,
        method: str,
        url: str,
        *,
        limit: Limit,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        form: Mapping[str, str] | None = None,
        redirects: int = 0,
        origins: Collection[str] | None = None,
    ) -> Answer:
        """One call. `redirects`: how many hops a GET may follow (each checked like the first);
        `origins`: when given, the only origins the call (and every hop) may reach."""
        body, all_headers = self._body(json, form, headers)
        call = _Call(self, time.monotonic() + limit.deadline)
        watchdog = threading.Timer(limit.deadline, call.expire)
        watchdog.daemon = True
        watchdog.start()
        try:
            return self._follow(call, method, url, all_headers, body, limit, redirects, origins)
        finally:
            watchdog.cancel()
            call.close()

    def _body(
        self, json: Any, form: Mapping[str, str] | None, headers: Mapping[str, str] | None
    ) -> tuple[bytes | None, dict[str, str]]:
        all_headers = {"User-Agent": self.user_agent, "Accept-Encoding": "identity"}
        body: bytes | None = None
        if json is not None:
            body = jsonlib.dumps(json).encode()
            all_headers["Content-Type"] = "application/json"
        elif form is not None:
            body = urlencode(form).encode()
            all_headers["Content-Type"] = "application/x-www-form-urlencoded"
        all_headers.update(headers or {})
        return body, all_headers

    def _follow(
        self,
        call: _Call,
        method: str,
        url: str,
        headers: dict[str, str],
        body: bytes | None,
        limit: Limit,
        redirects: int,
        origins: Collection[str] | None,
    ) -> Answer:
        first_origin: str | None = None
        while True:
            destination = self._check(url, origins)
            first_origin = first_origin or destination.origin
            if destination.origin != first_origin:
                headers = {k: v for k, v in headers.items() if k.lower() != "authorization"}
            answer = call.send(method, destination, url, headers, body, limit)
            location = answer.headers.get("Location")
            if answer.status_code not in REDIRECT_STATUSES or not location or redirects <= 0:
                return answer
            if method != "GET":
                return answer
            redirects -= 1
            url = urljoin(url, location)

    def _check(self, url: str, origins: Collection[str] | None) -> Destination:
        try:
            destination = self.policy.check_url(url)
        except DestinationRefused as error:
            raise Refused(str(error)) from error
        if origins is not None and destination.origin not in origins:
            raise Refused(
                f"{destination.host} is not a host this platform's registration vouches for"
            )
        return destination


@dataclass
class _Call:
    """One call's sockets and deadline; the watchdog shuts every socket down when time is up."""

    client: GuardedHttp
    deadline: float
    expired: bool = False
    sockets: list[socket.socket] = field(default_factory=list)
    pools: list[HTTPConnectionPool] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def remaining(self) -> float:
        left = self.deadline - time.monotonic()
        if left <= 0 or self.expired:
            raise TimedOut("The platform did not answer in time")
        return left

    def expire(self) -> None:
        with self.lock:
            self.expired = True
            for sock in self.sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        for pool in self.pools:
            pool.close()

    def connect(self, host: str, port: int) -> socket.socket:
        """Resolve, refuse the host if any of its addresses is refused, then connect."""
        try:
            infos = self.client.resolve(host, port, type=socket.SOCK_STREAM)
        except OSError as error:
            raise Unreachable(f"{host} could not be resolved") from error
        for info in infos:
            address = ipaddress.ip_address(str(info[4][0]).split("%")[0])
            try:
                self.client.policy.check_address(host, port, address)
            except DestinationRefused as error:
                raise Refused(str(error)) from error
        last_error: OSError | None = None
        for family, kind, proto, _name, sockaddr in infos:
            sock = socket.socket(family, kind, proto)
            with self.lock:
                self.sockets.append(sock)
            if self.expired:
                sock.close()
                break
            try:
                sock.settimeout(self.remaining())
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                sock.connect(sockaddr)
                return sock
            except OSError as error:
                sock.close()
                last_error = error
        if self.expired:
            raise TimedOut("The platform did not answer in time")
        raise Unreachable(f"{host} could not be reached") from last_error

    def send(
        self,
        method: str,
        destination: Destination,
        url: str,
        headers: Mapping[str, str],
        body: bytes | None,
        limit: Limit,
    ) -> Answer:
        pool = self._pool(destination)
        try:
            response = pool.urlopen(
                method,
                destination.target,
                body=body,
                headers=dict(headers),
                redirect=False,
                retries=False,
                preload_content=False,
                assert_same_host=False,
                timeout=urllib3.Timeout(connect=self.remaining(), read=self.remaining()),
            )
            content = self._read(response, limit)
        except OutboundError:
            raise
        except (Urllib3Error, OSError) as error:
            if self.expired or isinstance(error, urllib3.exceptions.TimeoutError):
                raise TimedOut("The platform did not answer in time") from error
            raise self._unwrapped(error, destination) from error
        return Answer(response.status, response.reason or "", response.headers, content, url)

    def _read(self, response: urllib3.BaseHTTPResponse, limit: Limit) -> bytes:
        declared = response.headers.get("Content-Length", "")
        if declared.isdigit() and int(declared) > limit.max_bytes:
            raise TooLarge(f"The platform's answer is larger than {limit.max_bytes} bytes")
        chunks: list[bytes] = []
        size = 0
        for chunk in response.stream(READ_CHUNK):
            size += len(chunk)
            if size > limit.max_bytes:
                raise TooLarge(f"The platform's answer is larger than {limit.max_bytes} bytes")
            chunks.append(chunk)
        if self.expired:
            raise TimedOut("The platform did not answer in time")
        return b"".join(chunks)

    def _pool(self, destination: Destination) -> HTTPConnectionPool:
        pool: HTTPConnectionPool
        if destination.scheme == "https":
            pool = _HttpsPool(
                destination.host,
                destination.port,
                maxsize=1,
                call=self,
                cert_reqs="CERT_REQUIRED",
                ca_certs=self.client.ca_file,
            )
        else:
            pool = _HttpPool(destination.host, destination.port, maxsize=1, call=self)
        self.pools.append(pool)
        return pool

    @staticmethod
    def _unwrapped(error: Exception, destination: Destination) -> OutboundError:
        """urllib3 wraps the connection's own errors; a refusal inside stays a refusal."""
        cause: BaseException | None = error
        while cause is not None:
            if isinstance(cause, OutboundError):
                return cause
            cause = cause.__context__ or cause.__cause__
        where = origin_of(destination.scheme, destination.host, destination.port)
        return Unreachable(f"{where} could not be reached ({type(error).__name__})")


class _GuardedConnectionMixin:
    """A connection whose socket comes from the call: resolved, checked, watched."""

    host: str
    port: int

    def __init__(self, *args: Any, call: _Call, **kwargs: Any) -> None:
        self._call = call
        super().__init__(*args, **kwargs)

    def _new_conn(self) -> socket.socket:
        return self._call.connect(self.host, self.port)


class _GuardedHttpConnection(_GuardedConnectionMixin, HTTPConnection):
    pass


class _GuardedHttpsConnection(_GuardedConnectionMixin, HTTPSConnection):
    pass


class _HttpPool(HTTPConnectionPool):
    ConnectionCls = _GuardedHttpConnection


class _HttpsPool(HTTPSConnectionPool):
    ConnectionCls = _GuardedHttpsConnection
