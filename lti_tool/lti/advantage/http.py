"""Authorised HTTP calls to Canvas's LTI Advantage services: tokens, one retry on a 401,
`Link` paging, and failures read into `ServiceError` (retryable? maybe applied?).

Written on the tool's guarded HTTP client (`lti_tool.http`) rather than pylti1p3's service
connector, which asks for a new token for every service object (Canvas charges 200 throttle units
per token request) and lowercases the `Link` page URLs that Canvas's case-sensitive bookmarks need.
Every URL must be on a host the registration vouches for (`Credentials.vouches_for`).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Mapping
from datetime import datetime, timedelta
from email.utils import parsedate_to_datetime
from typing import Any, Protocol
from urllib.parse import urlencode, urlsplit, urlunsplit

from sqlalchemy.orm import Session, sessionmaker

from lti_tool.db import utcnow
from lti_tool.http import (
    SERVICE_PAGE,
    TOKEN,
    Answer,
    Limit,
    OutboundError,
    Refused,
    TimedOut,
    TooLarge,
    url_origin,
)
from lti_tool.lti.advantage.tokens import (
    Credentials,
    TokenCache,
    scope_key,
    token_form,
    token_lock,
)
from lti_tool.lti.canvas.errors import canvas_message
from lti_tool.lti.keys import KeyStore

LOG = logging.getLogger(__name__)

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
    """The guarded client's interface (`lti_tool.http.GuardedHttp`)."""

    def request(
        self,
        method: str,
        url: str,
        *,
        limit: Limit,
        headers: Mapping[str, str] | None = None,
        json: Any = None,
        form: Mapping[str, str] | None = None,
    ) -> Answer: ...


class AuthorizedClient:
    """Calls with a cached access token; `ags.AgsCalls` and `nrps.NrpsCalls` build on it."""

    def __init__(
        self,
        http: HttpClient,
        key_store: KeyStore,
        sessions: sessionmaker[Session],
        *,
        clock: Callable[[], datetime] = utcnow,
        deadline: float = SERVICE_PAGE.deadline,
    ) -> None:
        self.http = http
        self.key_store = key_store
        self.tokens = TokenCache(sessions, clock)
        self.clock = clock
        self.limit = Limit(SERVICE_PAGE.max_bytes, deadline)
        """Per call: a few MiB and `deadline` seconds for the whole answer."""
        self.scope_key = scope_key()

    def token(self, credentials: Credentials) -> str:
        cached = self.tokens.get(credentials.registration_id, self.scope_key)
        if cached:
            return cached
        with token_lock(credentials.registration_id, self.scope_key):
            cached = self.tokens.get(credentials.registration_id, self.scope_key)
            if cached:
                return cached
            token, expires_at = self._request_token(credentials)
            self.tokens.put(credentials.registration_id, self.scope_key, token, expires_at)
            return token

    def _request_token(self, credentials: Credentials) -> tuple[str, datetime]:
        now = self.clock()
        form = token_form(self.key_store, credentials, now)
        response = self._send("POST", credentials.token_url, TOKEN, form=form)
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
        body = json_object(response)
        token, expires_in = body.get("access_token"), body.get("expires_in") or 3600
        if not isinstance(token, str) or not token or not isinstance(expires_in, int | float):
            raise ServiceError("Canvas's token endpoint answered with an unexpected body")
        return token, now + timedelta(seconds=int(expires_in))

    def call(
        self,
        credentials: Credentials,
        method: str,
        url: str,
        *,
        accept: str,
        body: Mapping[str, Any] | None = None,
        content_type: str | None = None,
    ) -> Answer:
        """An authorised call to a URL the registration vouches for; a 401 gets one fresh token
        and one more try."""
        if not credentials.vouches_for(url):
            raise ServiceError(
                "The platform named a service address on a host its registration does not "
                f"vouch for ({url_origin(url) or 'not an http(s) URL'}); it was not called."
            )
        for attempt in (1, 2):
            token = self.token(credentials)
            headers = {"Authorization": f"Bearer {token}", "Accept": accept}
            if body is not None:
                headers["Content-Type"] = content_type or "application/json"
            response = self._send(method, url, self.limit, headers=headers, json=body)
            if response.status_code == 401 and attempt == 1:
                self.tokens.discard(credentials.registration_id, self.scope_key, token)
                continue
            if not 200 <= response.status_code < 300:
                raise _error(response, "Canvas")
            return response
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, limit: Limit, **kwargs: Any) -> Answer:
        try:
            return self.http.request(method, url, limit=limit, **kwargs)
        except TimedOut as error:
            raise ServiceError(
                "Canvas did not answer in time", retryable=True, uncertain=True
            ) from error
        except Refused as error:
            raise ServiceError(f"The tool refused to call this address: {error.message}") from error
        except TooLarge as error:
            raise ServiceError(f"Canvas's answer was too large: {error.message}") from error
        except OutboundError as error:
            raise ServiceError(
                f"Canvas could not be reached: {error.message}", retryable=True, uncertain=True
            ) from error

    def pages(self, credentials: Credentials, url: str, accept: str) -> Iterator[Answer]:
        """Every page, following the `Link: <…>; rel="next"` URL exactly as given (Canvas's page
        bookmarks are case-sensitive)."""
        seen: set[str] = set()
        next_url: str | None = url
        while next_url and next_url not in seen and len(seen) < MAX_PAGES:
            seen.add(next_url)
            response = self.call(credentials, "GET", next_url, accept=accept)
            yield response
            next_url = next_link(response.headers.get("Link", ""))


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


def _error(response: Answer, who: str) -> ServiceError:
    status = response.status_code
    message = f"{who} answered {status}: {canvas_message(response)}".rstrip(": ")
    if status == 429:
        wait = retry_after(response.headers.get("Retry-After"), utcnow())
        return ServiceError(message, status=status, retryable=True, retry_after=wait)
    if status >= 500:
        return ServiceError(message, status=status, retryable=True, uncertain=True)
    return ServiceError(message, status=status)


def _body(response: Answer) -> object:
    try:
        return response.json()
    except ValueError as error:
        raise ServiceError(
            "Canvas answered with something that is not JSON", status=response.status_code
        ) from error


def json_object(response: Answer) -> dict[str, Any]:
    body = _body(response)
    if not isinstance(body, dict):
        raise ServiceError("Canvas answered with an unexpected body", status=response.status_code)
    return body


def json_list(response: Answer) -> list[dict[str, Any]]:
    body = _body(response)
    if not isinstance(body, list):
        raise ServiceError("Canvas answered with an unexpected body", status=response.status_code)
    return [item for item in body if isinstance(item, dict)]
