"""pylti1p3's request, cookie, session and redirect interfaces, implemented for this tool:
parameters from a plain mapping, state cookies collected for the view to set, nonces and launch
data in the database with their own lifetimes."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pylti1p3.cookie import CookieService
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.request import Request
from pylti1p3.session import SessionService

from lti_tool.lti.storage import DbStorage
from lti_tool.lti.tool_config import DbToolConf

STATE_COOKIE_PREFIX = "lti1p3-"
STATE_LIFETIME_SECONDS = 10 * 60
NONCE_LIFETIME_SECONDS = 10 * 60
LAUNCH_LIFETIME_SECONDS = 8 * 60 * 60


class Params(Request):
    def __init__(self, params: Mapping[str, str], secure: bool) -> None:
        self._params = params
        self._secure = secure

    @property
    def session(self) -> None:
        return None

    def is_secure(self) -> bool:
        return self._secure

    def get_param(self, key: str) -> str:
        return self._params.get(key, "")


class Cookies(CookieService):
    """Reads the request's cookies and collects the ones to set; the view sets them with the
    attributes an iframe needs (SameSite=None; Secure; Partitioned over HTTPS)."""

    def __init__(self, incoming: Mapping[str, str]) -> None:
        self.incoming = incoming
        self.outgoing: dict[str, str] = {}

    def get_cookie(self, name: str) -> str | None:
        return self.incoming.get(STATE_COOKIE_PREFIX + name)

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self.outgoing[STATE_COOKIE_PREFIX + name] = str(value)


class LaunchStorage(SessionService):
    """Nonces live minutes, launch data hours; pylti1p3 uses one lifetime for both."""

    data_storage: DbStorage

    def __init__(self, storage: DbStorage) -> None:
        self.data_storage = storage

    def save_nonce(self, nonce: str) -> None:
        self.data_storage.set_value(self._get_key("nonce", nonce), True, NONCE_LIFETIME_SECONDS)

    def consume_nonce(self, nonce: str) -> bool:
        return self.data_storage.consume(self._get_key("nonce", nonce))

    def save_state_params(self, state: str, params: dict[str, object]) -> None:
        self.data_storage.set_value(self._get_key(state), params, STATE_LIFETIME_SECONDS)

    def save_launch_data(self, key: str, jwt_body: Mapping[str, Any]) -> None:
        self.data_storage.set_value(key, dict(jwt_body), LAUNCH_LIFETIME_SECONDS)


class UrlOnly(Redirect[str]):
    def __init__(self, url: str) -> None:
        self._url = url

    def do_redirect(self) -> str:
        return self._url

    def do_js_redirect(self) -> str:
        return self._url

    def set_redirect_url(self, location: str) -> None:
        self._url = location

    def get_redirect_url(self) -> str:
        return self._url


class Login(OIDCLogin[Params, DbToolConf, LaunchStorage, Cookies, str]):
    def get_redirect(self, url: str) -> UrlOnly:
        return UrlOnly(url)
