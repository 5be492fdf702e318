"""Access tokens for LTI Advantage calls: the client-credentials grant with a signed assertion,
cached in the database so one token serves every process until shortly before it expires.

Every token asks for all the scopes the tool uses at once (`canvas.scopes.SCOPES`), so one cached
token serves line items, scores, results and rosters; Canvas charges 200 throttle units per token
request.
"""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.http import url_origin
from lti_tool.lti.canvas.environments import cloud_environment, is_cloud_service_origin
from lti_tool.lti.canvas.scopes import SCOPES
from lti_tool.lti.keys import KeyStore
from lti_tool.models import AccessToken, Registration

ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_MARGIN = timedelta(minutes=5)
"""A cached token is replaced this long before it expires, so no call starts with a dying one."""
ASSERTION_LIFETIME = timedelta(minutes=5)


@dataclass(frozen=True)
class Credentials:
    """What a call needs from a registration, detached from any database session."""

    registration_id: int
    client_id: str
    token_url: str
    service_origins: frozenset[str]
    """Where AGS and NRPS URLs may point: the hosts the registration vouches for. A launch (or a
    `Link` header) naming any other host is never called with the registration's token."""
    cloud_issuer: bool = False
    """Canvas cloud: services live on each institution's *.instructure.com domain."""

    @classmethod
    def of(cls, registration: Registration) -> Credentials:
        urls = (
            registration.issuer,
            registration.auth_login_url,
            registration.auth_token_url,
            registration.key_set_url,
            registration.service_origin or "",
        )
        return cls(
            registration.id,
            registration.client_id,
            registration.auth_token_url,
            frozenset(origin for origin in map(url_origin, urls) if origin),
            cloud_environment(registration.issuer) is not None,
        )

    def vouches_for(self, url: str) -> bool:
        origin = url_origin(url)
        if origin is None:
            return False
        return origin in self.service_origins or (
            self.cloud_issuer and is_cloud_service_origin(origin)
        )


def scope_key(scopes: tuple[str, ...] = SCOPES) -> str:
    return hashlib.sha256(" ".join(sorted(scopes)).encode()).hexdigest()


class TokenCache:
    """Access tokens in the database, each written in its own short transaction so a token
    fetched by one process is used by all until shortly before it expires."""

    def __init__(self, sessions: sessionmaker[Session], clock: Callable[[], datetime]) -> None:
        self.sessions = sessions
        self.clock = clock

    def get(self, registration_id: int, key: str) -> str | None:
        with self.sessions() as session:
            row = session.scalar(
                select(AccessToken).where(
                    AccessToken.registration_id == registration_id, AccessToken.scope_key == key
                )
            )
            if row is None or row.expires_at - TOKEN_MARGIN <= self.clock():
                return None
            return row.token

    def put(self, registration_id: int, key: str, token: str, expires_at: datetime) -> None:
        with self.sessions() as session:
            self._drop(session, registration_id, key)
            session.add(
                AccessToken(
                    registration_id=registration_id,
                    scope_key=key,
                    token=token,
                    expires_at=expires_at,
                )
            )
            try:
                session.commit()
            except IntegrityError:
                session.rollback()  # another process stored one at the same moment: keep theirs

    def discard(self, registration_id: int, key: str, token: str) -> None:
        with self.sessions() as session:
            self._drop(session, registration_id, key, token)
            session.commit()

    @staticmethod
    def _drop(session: Session, registration_id: int, key: str, token: str | None = None) -> None:
        query = delete(AccessToken).where(
            AccessToken.registration_id == registration_id, AccessToken.scope_key == key
        )
        if token is not None:
            query = query.where(AccessToken.token == token)
        session.execute(query)


_token_locks: dict[tuple[int, str], threading.Lock] = {}
_token_locks_guard = threading.Lock()


def token_lock(registration_id: int, key: str) -> threading.Lock:
    """One token request at a time per registration in this process (threads share it)."""
    with _token_locks_guard:
        return _token_locks.setdefault((registration_id, key), threading.Lock())


def client_assertion(key_store: KeyStore, credentials: Credentials, now: datetime) -> str:
    """RS256 client assertion; Canvas requires `aud` to be exactly its token URL."""
    key = key_store.signing_key()
    claims = {
        "iss": credentials.client_id,
        "sub": credentials.client_id,
        "aud": credentials.token_url,
        "iat": int(now.timestamp()),
        "exp": int((now + ASSERTION_LIFETIME).timestamp()),
        "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid})


def token_form(key_store: KeyStore, credentials: Credentials, now: datetime) -> dict[str, str]:
    """The client-credentials token request, asking for every scope the tool uses."""
    return {
        "grant_type": "client_credentials",
        "client_assertion_type": ASSERTION_TYPE,
        "client_assertion": client_assertion(key_store, credentials, now),
        "scope": " ".join(SCOPES),
    }
