"""Which sites may frame the tool's pages: the rule behind `Content-Security-Policy:
frame-ancestors`.

The page a person is on when they open the tool frames it, and that page may be on any host of
the platform: an institution's own domain served by Canvas cloud under the shared issuer, or
any domain of a self-hosted Canvas. So the allowed origins follow the launches:

- a page answered within a session names its registration's own origins (issuer, login host)
  and the origins that signed launches of that registration vouched for (`FramingOrigin`,
  recorded by every launch), newest first, within a fixed byte budget;
- the login and launch transit pages add the origin of the page that posted to them (its
  `Origin` header), once the platform is known to be registered;
- every other page (no session, no login) may be framed by the tool itself only.

No header ever names another registration's origins: one platform's customers are not shown to
another, and the header stays small however many platforms are registered.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable
from datetime import datetime
from urllib.parse import urlsplit

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lti_tool.db import get_or_create
from lti_tool.models import FramingOrigin, Registration

SELF = "'self'"
ORIGINS_BUDGET = 600
"""Bytes of origins one `frame-ancestors` directive may hold (the whole policy stays < 1 KB)."""
KEPT_PER_REGISTRATION = 50
"""Recorded origins kept per registration; older ones are forgotten (a new launch re-adds)."""
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST_NAME = re.compile(rf"^(?=.{{1,253}}$){_LABEL}(?:\.{_LABEL})*$")


def canonical_origin(url: str | None) -> str | None:
    """`scheme://host[:port]` of an http(s) URL, lower-cased, or None when it is anything else.

    The result goes into a response header, so only a plain host name or IP address passes:
    no spaces, `;`, `,`, quotes, wildcards or user information.
    """
    if not url:
        return None
    try:
        parts = urlsplit(url.strip())
        port = parts.port
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https") or parts.username or parts.password:
        return None
    if not _HOST_NAME.match(host) and not _is_ip(host):
        return None
    shown_host = f"[{host}]" if ":" in host else host
    return f"{parts.scheme.lower()}://{shown_host}" + (f":{port}" if port is not None else "")


def _is_ip(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True


class FramingService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def vouch(self, registration: Registration, urls: Iterable[str], now: datetime) -> None:
        """Record the origins a signed launch of `registration` named for its page."""
        origins = {origin for origin in map(canonical_origin, urls) if origin}
        for origin in sorted(origins):
            row = get_or_create(
                self.session,
                FramingOrigin,
                {"registration_id": registration.id, "origin": origin},
                last_vouched_at=now,
            )
            row.last_vouched_at = now
        if origins:
            self.session.flush()
            self._forget_beyond_kept(registration.id)

    def _forget_beyond_kept(self, registration_id: int) -> None:
        kept = (
            select(FramingOrigin.id)
            .where(FramingOrigin.registration_id == registration_id)
            .order_by(FramingOrigin.last_vouched_at.desc(), FramingOrigin.id.desc())
            .limit(KEPT_PER_REGISTRATION)
        )
        self.session.execute(
            delete(FramingOrigin).where(
                FramingOrigin.registration_id == registration_id,
                FramingOrigin.id.not_in(list(self.session.scalars(kept))),
            )
        )

    def ancestors(self, registration_id: int | None, extra_urls: Iterable[str] = ()) -> list[str]:
        """The `frame-ancestors` sources for a page of this registration (None: no platform
        known, so only the tool itself), plus `extra_urls` (the posting page on a transit page);
        at most ORIGINS_BUDGET bytes of origins."""
        wanted = [origin for origin in map(canonical_origin, extra_urls) if origin]
        if registration_id is not None:
            wanted = self._registration_origins(registration_id) + wanted
            wanted += self._vouched(registration_id)
        sources, used = [SELF], 0
        for origin in dict.fromkeys(wanted):
            if used + len(origin) + 1 > ORIGINS_BUDGET:
                break
            sources.append(origin)
            used += len(origin) + 1
        return sources

    def _registration_origins(self, registration_id: int) -> list[str]:
        registration = self.session.get(Registration, registration_id)
        if registration is None:
            return []
        urls = (registration.issuer, registration.auth_login_url)
        return [origin for origin in map(canonical_origin, urls) if origin]

    def _vouched(self, registration_id: int) -> list[str]:
        return list(
            self.session.scalars(
                select(FramingOrigin.origin)
                .where(FramingOrigin.registration_id == registration_id)
                .order_by(FramingOrigin.last_vouched_at.desc(), FramingOrigin.id.desc())
                .limit(KEPT_PER_REGISTRATION)
            )
        )
