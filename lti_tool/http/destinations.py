"""Where the tool may send a request: pure rules about URLs and addresses, no I/O.

Every outbound URL the tool calls comes from a platform (its configuration, its launches, its
`Link` headers), so none is trusted as given: the scheme, the host and every address the host
resolves to are checked before a connection is opened.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from urllib.parse import urlsplit

IpAddress = ipaddress.IPv4Address | ipaddress.IPv6Address

METADATA_ADDRESSES = frozenset(
    ipaddress.ip_address(address)
    for address in ("169.254.169.254", "169.254.170.2", "100.100.100.200", "fd00:ec2::254")
)
"""Cloud metadata services (AWS/GCP/Azure, ECS, Alibaba, AWS over IPv6): refused even for a host
the operator allowed, since they hand out the machine's own credentials."""

DEFAULT_PORTS = {"http": 80, "https": 443}
_HOST_NAME = re.compile(
    r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.?$"
)
_UNSAFE = re.compile(r"[\x00-\x20\x7f\\]")


class DestinationRefused(ValueError):
    """The tool will not call this URL; the message is safe to show an operator."""


@dataclass(frozen=True)
class Destination:
    """A checked URL, split the way a connection needs it."""

    scheme: str
    host: str
    port: int
    target: str
    """Path and query, as sent in the request line."""

    @property
    def origin(self) -> str:
        return origin_of(self.scheme, self.host, self.port)


def origin_of(scheme: str, host: str, port: int) -> str:
    shown = f"[{host}]" if ":" in host else host
    if DEFAULT_PORTS.get(scheme) == port:
        return f"{scheme}://{shown}"
    return f"{scheme}://{shown}:{port}"


def url_origin(url: str) -> str | None:
    """`scheme://host[:port]` of an absolute http(s) URL (lower-case host, default port left
    out), or None when the URL has no such origin."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        return None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS or not parts.hostname:
        return None
    return origin_of(scheme, parts.hostname.lower(), port or DEFAULT_PORTS[scheme])


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


def _is_loopback(host: str) -> bool:
    return _is_ip(host) and ipaddress.ip_address(host).is_loopback


@dataclass(frozen=True)
class AllowedHost:
    """One entry of LTI_TOOL_OUTBOUND_ALLOWED_HOSTS: `host`, `host:port`, or an origin such as
    `http://canvas.internal:8080` (which also allows plain http to exactly that origin)."""

    host: str
    port: int | None
    plain_http: bool

    @classmethod
    def parse(cls, entry: str) -> AllowedHost:
        text = entry.strip()
        parts = urlsplit(text if "://" in text else "https://" + text)
        try:
            port = parts.port
        except ValueError as error:
            raise ValueError(f"not a host or origin: {entry!r}") from error
        if parts.scheme not in DEFAULT_PORTS or not parts.hostname or parts.path.strip("/"):
            raise ValueError(f"not a host or origin: {entry!r}")
        plain_http = text.startswith("http://")
        if plain_http and port is None:
            port = DEFAULT_PORTS["http"]
        return cls(parts.hostname.lower(), port, plain_http)

    def covers(self, host: str, port: int) -> bool:
        return self.host == host.lower() and self.port in (None, port)


@dataclass(frozen=True)
class DestinationPolicy:
    """`production`: https only, loopback refused. Outside production loopback (the demo Canvas,
    tests) and plain http are allowed. `allowed_hosts` names hosts the operator vouches for, such
    as a self-hosted Canvas on a private network; those may resolve to private addresses."""

    production: bool
    allowed_hosts: tuple[AllowedHost, ...] = ()

    @classmethod
    def from_setting(cls, *, production: bool, allowed_hosts: str = "") -> DestinationPolicy:
        entries = [e for e in allowed_hosts.replace(",", " ").split() if e]
        return cls(production, tuple(AllowedHost.parse(e) for e in entries))

    def check_url(self, url: str) -> Destination:
        """The URL's scheme and host, before anything is resolved."""
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise DestinationRefused("The address is not a valid URL") from error
        scheme = parts.scheme.lower()
        if scheme not in DEFAULT_PORTS or not parts.hostname:
            raise DestinationRefused("Only http(s) addresses with a host name can be called")
        if parts.username is not None or parts.password is not None:
            raise DestinationRefused("An address with a user name or password is not accepted")
        host = parts.hostname.lower()
        if _UNSAFE.search(url) or not (_HOST_NAME.match(host) or _is_ip(host)):
            raise DestinationRefused("The address's host name is not valid")
        port = port or DEFAULT_PORTS[scheme]
        if scheme == "http" and not self._allows_plain_http(host, port):
            raise DestinationRefused(
                f"{host} must be reached over https:// (plain http only to localhost outside "
                "production, or to an origin named in LTI_TOOL_OUTBOUND_ALLOWED_HOSTS)"
            )
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        return Destination(scheme, host, port, target)

    def check_address(self, host: str, port: int, address: IpAddress) -> None:
        """Refuse an address the host resolved to, before connecting to it."""
        if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
            address = address.ipv4_mapped
        if address in METADATA_ADDRESSES:
            raise DestinationRefused(f"{host} resolves to a cloud metadata address")
        if self._allowed(host, port):
            return
        if address.is_loopback:
            if self.production:
                raise DestinationRefused(f"{host} resolves to a loopback address")
            return
        if address.is_multicast or not address.is_global:
            raise DestinationRefused(
                f"{host} resolves to a private, link-local or reserved address"
            )

    def _allowed(self, host: str, port: int) -> bool:
        return any(entry.covers(host, port) for entry in self.allowed_hosts)

    def _allows_plain_http(self, host: str, port: int) -> bool:
        if not self.production and (host == "localhost" or _is_loopback(host)):
            return True
        return any(e.plain_http and e.covers(host, port) for e in self.allowed_hosts)
