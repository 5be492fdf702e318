"""One client for Canvas's LTI Advantage services: AGS (line items, scores, results) and NRPS.

Written on `requests` directly rather than pylti1p3's service connector, which asks for a new
token for every service object (Canvas charges 200 throttle units per token request) and
lowercases the `Link` page URLs that Canvas's case-sensitive bookmarks need.

Every token asks for all the scopes the tool uses at once, so one cached token (in the
`access_token` table, shared by every process) serves line items, scores, results and rosters.
"""

from __future__ import annotations

import hashlib
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

import jwt
import requests
from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.db import utcnow
from lti_tool.lti import claims
from lti_tool.lti.keys import KeyStore
from lti_tool.models import AccessToken, Registration

LOG = logging.getLogger(__name__)

AGS = "https://purl.imsglobal.org/spec/lti-ags/scope/"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
SCOPES = (
    AGS + "lineitem",
    AGS + "lineitem.readonly",
    AGS + "result.readonly",
    AGS + "score",
    NRPS_SCOPE,
)
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEM_CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
RESULT_CONTAINER_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"
MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

TOKEN_MARGIN = timedelta(minutes=5)
"""A cached token is replaced this long before it expires, so no call starts with a dying one."""
ASSERTION_LIFETIME = timedelta(minutes=5)
DEFAULT_TIMEOUT = (5.0, 30.0)
MAX_RETRY_AFTER = 3600.0
MAX_PAGES = 1000
_LINK = re.compile(r"<([^>]*)>([^<]*)")
_REL = re.compile(r'rel\s*=\s*"?([^";]+)"?', re.IGNORECASE)


class ServiceError(Exception):
    """A service call failed. `retryable`: trying later can help (5xx, 429, timeouts);
    `uncertain`: Canvas may have applied the request before the failure (timeouts, 5xx)."""

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        retryable: bool = False,
        uncertain: bool = False,
        retry_after: float | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.retryable = retryable
        self.uncertain = uncertain
        self.retry_after = retry_after


class HttpClient(Protocol):
    def request(self, method: str, url: str, **kwargs: Any) -> requests.Response: ...


@dataclass(frozen=True)
class Credentials:
    """What a token request needs from a registration, detached from any database session."""

    registration_id: int
    client_id: str
    token_url: str

    @classmethod
    def of(cls, registration: Registration) -> Credentials:
        return cls(registration.id, registration.client_id, registration.auth_token_url)


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


def _token_lock(registration_id: int, key: str) -> threading.Lock:
    """One token request at a time per registration in this process (threads share it)."""
    with _token_locks_guard:
        return _token_locks.setdefault((registration_id, key), threading.Lock())


class ServiceClient:
    def __init__(
        self,
        http: HttpClient,
        key_store: KeyStore,
        sessions: sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = utcnow,
        timeout: float | tuple[float, float] = DEFAULT_TIMEOUT,
    ) -> None:
        self.http = http
        self.key_store = key_store
        self.tokens = TokenCache(sessions, clock)
        self.clock = clock
        self.timeout = timeout
        self.scope_key = scope_key()

    # Tokens -----------------------------------------------------------------------------------

    def token(self, credentials: Credentials) -> str:
        cached = self.tokens.get(credentials.registration_id, self.scope_key)
        if cached:
            return cached
        with _token_lock(credentials.registration_id, self.scope_key):
            cached = self.tokens.get(credentials.registration_id, self.scope_key)
            if cached:
                return cached
            token, expires_at = self._request_token(credentials)
            self.tokens.put(credentials.registration_id, self.scope_key, token, expires_at)
            return token

    def _request_token(self, credentials: Credentials) -> tuple[str, datetime]:
        form = {
            "grant_type": "client_credentials",
            "client_assertion_type": ASSERTION_TYPE,
            "client_assertion": self._assertion(credentials),
            "scope": " ".join(SCOPES),
        }
        now = self.clock()
        response = self._send("POST", credentials.token_url, data=form)
        LOG.info(
            "token request for registration %s: %s",
            credentials.registration_id,
            response.status_code,
        )
        if response.status_code != 200:
            error = _error(response, "Canvas's token endpoint")
            if not error.retryable:  # the tool's credentials, not the item: no status to misread
                raise ServiceError(f"Canvas refused the tool's credentials. {error.message}")
            raise error
        body = response.json()
        expires_in = int(body.get("expires_in") or 3600)
        return str(body["access_token"]), now + timedelta(seconds=expires_in)

    def _assertion(self, credentials: Credentials) -> str:
        """RS256 client assertion; Canvas requires `aud` to be exactly its token URL."""
        key = self.key_store.signing_key()
        now = self.clock()
        claims = {
            "iss": credentials.client_id,
            "sub": credentials.client_id,
            "aud": credentials.token_url,
            "iat": int(now.timestamp()),
            "exp": int((now + ASSERTION_LIFETIME).timestamp()),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(claims, key.private_pem, algorithm="RS256", headers={"kid": key.kid})

    # Calls ------------------------------------------------------------------------------------

    def call(
        self,
        credentials: Credentials,
        method: str,
        url: str,
        *,
        accept: str,
        body: Mapping[str, Any] | None = None,
        content_type: str | None = None,
    ) -> requests.Response:
        """An authorised call; a 401 gets one fresh token and one more try."""
        for attempt in (1, 2):
            token = self.token(credentials)
            headers = {"Authorization": f"Bearer {token}", "Accept": accept}
            kwargs: dict[str, Any] = {"headers": headers}
            if body is not None:
                headers["Content-Type"] = content_type or "application/json"
                kwargs["json"] = body
            response = self._send(method, url, **kwargs)
            if response.status_code == 401 and attempt == 1:
                self.tokens.discard(credentials.registration_id, self.scope_key, token)
                continue
            if not 200 <= response.status_code < 300:
                raise _error(response, "Canvas")
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, **kwargs: Any) -> requests.Response:
        try:
            return self.http.request(method, url, timeout=self.timeout, **kwargs)
        except requests.Timeout as error:
            raise ServiceError(
                "Canvas did not answer in time", retryable=True, uncertain=True
            ) from error
        except requests.RequestException as error:
            raise ServiceError(
                f"Canvas could not be reached ({type(error).__name__})",
                retryable=True,
                uncertain=True,
            ) from error

    def pages(self, credentials: Credentials, url: str, accept: str) -> Iterator[requests.Response]:
        """Every page, following the `Link: <…>; rel="next"` URL exactly as given (Canvas's page
        bookmarks are case-sensitive)."""
        seen: set[str] = set()
        next_url: str | None = url
        while next_url and next_url not in seen and len(seen) < MAX_PAGES:
            seen.add(next_url)
            response = self.call(credentials, "GET", next_url, accept=accept)
            yield response
            next_url = next_link(response.headers.get("Link", ""))

    # AGS --------------------------------------------------------------------------------------

    def line_item(self, credentials: Credentials, url: str) -> dict[str, Any]:
        return _json(self.call(credentials, "GET", url, accept=LINEITEM_TYPE))

    def find_line_items(
        self, credentials: Credentials, lineitems_url: str, **filters: str
    ) -> list[dict[str, Any]]:
        url = with_query(lineitems_url, filters)
        return [
            item
            for page in self.pages(credentials, url, LINEITEM_CONTAINER_TYPE)
            for item in _json_list(page)
        ]

    def create_line_item(
        self, credentials: Credentials, lineitems_url: str, line_item: Mapping[str, Any]
    ) -> dict[str, Any]:
        response = self.call(
            credentials,
            "POST",
            lineitems_url,
            accept=LINEITEM_TYPE,
            body=line_item,
            content_type=LINEITEM_TYPE,
        )
        return _json(response)

    def post_score(
        self, credentials: Credentials, lineitem_url: str, score: Mapping[str, Any]
    ) -> dict[str, Any]:
        """Canvas answers 200 (not 201 or 204) with `resultUrl`."""
        response = self.call(
            credentials,
            "POST",
            service_url(lineitem_url, "scores"),
            accept=SCORE_TYPE,
            body=score,
            content_type=SCORE_TYPE,
        )
        return _json(response) if response.content else {}

    def results(
        self, credentials: Credentials, lineitem_url: str, user_id: str | None = None
    ) -> list[dict[str, Any]]:
        url = service_url(lineitem_url, "results")
        if user_id is not None:
            url = with_query(url, {"user_id": user_id})
        return [
            result
            for page in self.pages(credentials, url, RESULT_CONTAINER_TYPE)
            for result in _json_list(page)
        ]

    # NRPS -------------------------------------------------------------------------------------

    def members(
        self, credentials: Credentials, memberships_url: str, rlid: str | None = None
    ) -> list[Member]:
        """Every page of the roster; entries the tool could not store are left out."""
        url = with_query(memberships_url, {"rlid": rlid} if rlid else {})
        members: list[Member] = []
        for page in self.pages(credentials, url, MEMBERSHIP_TYPE):
            entries = _json(page).get("members")
            if isinstance(entries, list):
                members.extend(m for m in map(Member.read, entries) if m is not None)
        return members


@dataclass(frozen=True)
class Member:
    """One roster entry, read defensively: Canvas's data, but not the tool's to trust blindly."""

    user_id: str
    name: str | None
    email: str | None
    roles: tuple[str, ...]
    active: bool

    @classmethod
    def read(cls, entry: object) -> Member | None:
        """None for an entry without a usable user id; a name is cut to fit, an odd e-mail
        dropped."""
        if not isinstance(entry, dict):
            return None
        user_id, name, email, roles = (entry.get(k) for k in ("user_id", "name", "email", "roles"))
        if not isinstance(user_id, str | int) or not 0 < len(str(user_id)) <= claims.ID_LIMIT:
            return None
        return cls(
            user_id=str(user_id),
            name=name[: claims.TEXT_LIMIT] if isinstance(name, str) and name else None,
            email=email if isinstance(email, str) and 0 < len(email) <= claims.TEXT_LIMIT else None,
            roles=tuple(r for r in roles if isinstance(r, str)) if isinstance(roles, list) else (),
            active=entry.get("status", "Active") != "Inactive",
        )


def next_link(header: str) -> str | None:
    """The `rel="next"` URL of a `Link` header, untouched."""
    for url, params in _LINK.findall(header):
        for rel in _REL.findall(params):
            if "next" in rel.lower().split():
                return str(url)
    return None


def with_query(url: str, params: Mapping[str, str]) -> str:
    if not params:
        return url
    parts = urlsplit(url)
    query = "&".join(q for q in (parts.query, urlencode(params)) if q)
    return urlunsplit(parts._replace(query=query))


def service_url(lineitem_url: str, leaf: str) -> str:
    """`…/line_items/7` → `…/line_items/7/scores`, keeping any query string where it belongs."""
    parts = urlsplit(lineitem_url)
    return urlunsplit(parts._replace(path=parts.path.rstrip("/") + "/" + leaf))


def retry_after(value: str | None, now: datetime) -> float | None:
    """`Retry-After` in seconds (either form the header allows), capped at an hour."""
    if not value:
        return None
    value = value.strip()
    if value.replace(".", "", 1).isdigit():
        return min(float(value), MAX_RETRY_AFTER)
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return min(max((when - now).total_seconds(), 0.0), MAX_RETRY_AFTER)


def canvas_message(response: requests.Response) -> str:
    """Canvas's own words from any of its error shapes; never echoes a request."""
    try:
        body = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason or ""
    if isinstance(body, dict):
        errors = body.get("errors")
        if isinstance(errors, dict) and errors.get("message"):
            return str(errors["message"])[:300]
        if isinstance(errors, list) and errors and isinstance(errors[0], dict):
            return str(errors[0].get("message") or "")[:300]
        if body.get("error"):
            return f"{body['error']}: {body.get('error_description') or ''}".strip(": ")[:300]
    return str(body)[:300]


def _error(response: requests.Response, who: str) -> ServiceError:
    status = response.status_code
    message = f"{who} answered {status}: {canvas_message(response)}".rstrip(": ")
    if status == 429:
        wait = retry_after(response.headers.get("Retry-After"), utcnow())
        return ServiceError(message, status=status, retryable=True, retry_after=wait)
    if status >= 500:
        return ServiceError(message, status=status, retryable=True, uncertain=True)
    return ServiceError(message, status=status)


def _json(response: requests.Response) -> dict[str, Any]:
    body = response.json()
    if not isinstance(body, dict):
        raise ServiceError("Canvas answered with an unexpected body", status=response.status_code)
    return body


def _json_list(response: requests.Response) -> list[dict[str, Any]]:
    body = response.json()
    if not isinstance(body, list):
        raise ServiceError("Canvas answered with an unexpected body", status=response.status_code)
    return [item for item in body if isinstance(item, dict)]
