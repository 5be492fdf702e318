"""The platforms' public keys (JWKS), cached in the database and fetched again on a new `kid`."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from pylti1p3.exception import LtiException

from lti_tool.http import KEY_SET, GuardedHttp, OutboundError
from lti_tool.lti.storage import DbStorage

LOG = logging.getLogger(__name__)

JWKS_LIFETIME_SECONDS = 24 * 60 * 60
JWKS_REFETCH_INTERVAL_SECONDS = 60


class PlatformKeys:
    """The key sets of registered platforms, shared by every process through the database."""

    def __init__(self, storage: DbStorage, http: GuardedHttp) -> None:
        self.storage = storage
        self.http = http

    def key_set(self, key_set_url: str, kid: str) -> Mapping[str, Any]:
        """The platform's JWKS from the shared cache, fetched again (at most once a minute) when
        a token names a kid the cache does not hold: platforms rotate keys."""
        cache_key = "jwks-" + hashlib.sha256(key_set_url.encode()).hexdigest()
        cached = self.storage.get_value(cache_key)
        if cached and any(k.get("kid") == kid for k in cached.get("keys", [])):
            return dict(cached)
        if cached and not self.storage.claim_once(
            cache_key + "-refetch", JWKS_REFETCH_INTERVAL_SECONDS
        ):
            return dict(cached)
        # The claim (and below, the keys) must outlive this launch, which an unknown kid may
        # well fail; nothing else has been written by the launch yet.
        self.storage.session.commit()
        host = urlsplit(key_set_url).hostname
        try:
            response = self.http.request("GET", key_set_url, limit=KEY_SET, redirects=3)
            key_set = response.json() if response.ok else None
        except (OutboundError, ValueError) as error:
            LOG.info("key set of %s not fetched: %s", host, error)
            raise LtiException("The platform's key set could not be fetched") from error
        if key_set is None:
            LOG.info("key set of %s answered %s", host, response.status_code)
            raise LtiException("The platform's key set could not be fetched")
        if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
            raise LtiException("The platform's key set is not a JWKS")
        self.storage.set_value(cache_key, key_set, JWKS_LIFETIME_SECONDS)
        self.storage.session.commit()
        return key_set
