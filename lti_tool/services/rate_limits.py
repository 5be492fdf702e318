"""Per-address request limits on the anonymous LTI entrances (login, launch, registration).

Counts live in the database, one row per (bucket, source, window), raised by a single atomic
upsert, so every instance of the tool (and every gunicorn worker) counts together. Windows are
fixed: the answer to a refused request says exactly when the next window opens (`Retry-After`).

The limits are generous on purpose: a class of 75 behind one school or police-academy NAT address
launches within the same minute (each launch is one login and one launch request), and must never
be refused; what they stop is one address sending thousands.
"""

from __future__ import annotations

import ipaddress
import math
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sqlalchemy import delete
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.db import transaction
from lti_tool.models import RateLimitWindow


@dataclass(frozen=True)
class Rule:
    limit: int
    seconds: int


DEFAULT_RULES: Mapping[str, Rule] = {
    "login": Rule(600, 60),
    "launch": Rule(600, 60),
    "register": Rule(30, 600),
}
"""600 a minute is eight launches a minute for each of 75 people behind one address; a
registration is a few requests an install, so 30 in ten minutes is a dozen installs."""


@dataclass(frozen=True)
class Decision:
    allowed: bool
    retry_after: int
    """Whole seconds until the window that refused this request ends (0 when allowed)."""


def source_key(address: str) -> str:
    """IPv4 addresses count one by one; IPv6 by /64, the block one subscriber is given."""
    try:
        parsed = ipaddress.ip_address(address)
    except ValueError:
        return "unknown"
    if isinstance(parsed, ipaddress.IPv6Address):
        if parsed.ipv4_mapped is not None:
            return str(parsed.ipv4_mapped)
        return str(ipaddress.IPv6Network(f"{parsed}/64", strict=False))
    return str(parsed)


class RateLimiter:
    def __init__(
        self,
        sessions: sessionmaker[Session],
        rules: Mapping[str, Rule] = DEFAULT_RULES,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.sessions = sessions
        self.rules = dict(rules)
        self.clock = clock

    def hit(self, bucket: str, address: str) -> Decision:
        """Count one request (in its own transaction, whatever becomes of the request)."""
        rule = self.rules[bucket]
        now = self.clock()
        window = int(now // rule.seconds)
        with transaction(self.sessions) as session:
            hits = self._count(session, bucket, source_key(address), window)
            if hits == 1:  # the first request of a window clears the bucket's stale windows
                session.execute(
                    delete(RateLimitWindow).where(
                        RateLimitWindow.bucket == bucket, RateLimitWindow.window < window - 1
                    )
                )
        if hits <= rule.limit:
            return Decision(True, 0)
        return Decision(False, max(1, math.ceil((window + 1) * rule.seconds - now)))

    @staticmethod
    def _count(session: Session, bucket: str, source: str, window: int) -> int:
        dialect = session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        counted = (
            insert(RateLimitWindow)
            .values(bucket=bucket, source=source, window=window, hits=1)
            .on_conflict_do_update(
                index_elements=["bucket", "source", "window"],
                set_={"hits": RateLimitWindow.hits + 1},
            )
            .returning(RateLimitWindow.hits)
        )
        return int(session.execute(counted).scalar_one())
