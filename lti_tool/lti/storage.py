"""pylti1p3's key/value storage, kept in the database so every instance shares it."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from pylti1p3.launch_data_storage.base import LaunchDataStorage
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from lti_tool.db import utcnow
from lti_tool.lti import claims
from lti_tool.models import LtiStorageEntry

LAUNCH_KEY_PREFIX = "lti1p3-launch-"
"""pylti1p3 names each launch's stored claims by this prefix and a random id."""
DEFAULT_LIFETIME = timedelta(hours=8)
PURGE_INTERVAL_SECONDS = 600
"""How often logins purge expired entries, at most, across every instance sharing a database."""


class DbStorage(LaunchDataStorage[Any]):
    """Rows with an expiry. No session cookie: keys are random and unguessable on their own."""

    _session_cookie_name = ""

    def __init__(self, session: Session) -> None:
        super().__init__()
        self.session = session

    def get_session_cookie_name(self) -> str | None:
        return None

    def can_set_keys_expiration(self) -> bool:
        return True

    def get_value(self, key: str) -> Any:
        entry = self.session.get(LtiStorageEntry, self._prepare_key(key), populate_existing=True)
        if entry is None or entry.expires_at <= utcnow():
            return None
        return entry.value

    def set_value(self, key: str, value: Any, exp: int | None = None) -> None:
        """Insert or replace in one statement: instances writing the same key at once (a burst
        of first launches caching the platform's keys) must not fail on the unique key."""
        lifetime = timedelta(seconds=exp) if exp else DEFAULT_LIFETIME
        self._upsert(key, value, utcnow() + lifetime)

    def _upsert(
        self, key: str, value: Any, expires_at: datetime, only_over_expired: bool = False
    ) -> int:
        dialect = self.session.get_bind().dialect.name
        insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
        statement = insert(LtiStorageEntry).values(
            key=self._prepare_key(key), value=value, expires_at=expires_at
        )
        result = self.session.execute(
            statement.on_conflict_do_update(
                index_elements=[LtiStorageEntry.key],
                set_={
                    "value": statement.excluded.value,
                    "expires_at": statement.excluded.expires_at,
                },
                where=LtiStorageEntry.expires_at <= utcnow() if only_over_expired else None,
            ).execution_options(preserve_rowcount=True)  # an INSERT's count is not kept otherwise
        )
        return int(result.rowcount)  # type: ignore[attr-defined]

    def check_value(self, key: str) -> bool:
        return self.get_value(key) is not None

    def consume(self, key: str) -> bool:
        """Delete a live entry; True for exactly one caller even across instances (nonce replay)."""
        result = self.session.execute(
            delete(LtiStorageEntry).where(
                LtiStorageEntry.key == self._prepare_key(key),
                LtiStorageEntry.expires_at > utcnow(),
            )
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def claim_once(self, key: str, seconds: int) -> bool:
        """True for one caller per `seconds` for a key, across instances and at the same
        instant: the insert, or the takeover of an expired entry, is a single statement."""
        return self._upsert(key, True, utcnow() + timedelta(seconds=seconds), True) == 1

    def pop(self, key: str) -> Any:
        """Read and consume a one-time value (launch tickets)."""
        value = self.get_value(key)
        return value if value is not None and self.consume(key) else None


def purge_expired(session: Session) -> int:
    """Remove expired nonces, login state and launch data; run by `flask --app lti_tool purge`."""
    result = session.execute(delete(LtiStorageEntry).where(LtiStorageEntry.expires_at <= utcnow()))
    return int(result.rowcount)  # type: ignore[attr-defined]


def purge_expired_now_and_then(session: Session) -> int:
    """Purge expired entries if no instance did in the last `PURGE_INTERVAL_SECONDS`.

    Called from the login route, so launch data and nonces go without cron.
    """
    if not DbStorage(session).claim_once("purge-expired", PURGE_INTERVAL_SECONDS):
        return 0
    return purge_expired(session)


def forget_launches(session: Session, issuer: str, sub: str, context_id: str) -> int:
    """Delete the stored claims (name, e-mail, roles) of a person's launches in one course, so
    erasing a participant leaves nothing behind for the hours launch data lives; their open
    pages ask them to launch again."""
    rows = session.execute(
        select(LtiStorageEntry.key, LtiStorageEntry.value).where(
            LtiStorageEntry.key.startswith(LAUNCH_KEY_PREFIX, autoescape=True)
        )
    )
    keys = [key for key, body in rows if _launch_of(body, issuer, sub, context_id)]
    if keys:
        session.execute(delete(LtiStorageEntry).where(LtiStorageEntry.key.in_(keys)))
    return len(keys)


def _launch_of(body: Any, issuer: str, sub: str, context_id: str) -> bool:
    if not isinstance(body, dict):
        return False
    context = body.get(claims.CONTEXT)
    return (
        body.get("iss") == issuer
        and body.get("sub") == sub
        and isinstance(context, dict)
        and context.get("id") == context_id
    )
