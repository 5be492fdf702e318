"""OIDC login and launch validation: pylti1p3's flow with its gaps closed.

Closed here: single-use nonces in the database, 60 s clock leeway, RS256 only, `aud`/`azp`
checked, platform JWKS cached and re-fetched once on an unknown `kid`, deployment recorded,
message type and version checked, launch data kept server-side with an expiry, and a launch whose
state cookie was blocked finished through LTI Platform Storage instead of failing.
"""

from __future__ import annotations

import hashlib
import json
import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, cast
from urllib.parse import urlsplit

import jwt
import requests
from pylti1p3.cookie import CookieService
from pylti1p3.exception import LtiException, OIDCException
from pylti1p3.message_launch import MessageLaunch
from pylti1p3.oidc_login import OIDCLogin
from pylti1p3.redirect import Redirect
from pylti1p3.registration import Registration as LibRegistration
from pylti1p3.request import Request
from pylti1p3.session import SessionService

from lti_tool.lti import canvas, claims
from lti_tool.lti.claims import LaunchContext
from lti_tool.lti.storage import DbStorage
from lti_tool.lti.tool_config import DbToolConf
from lti_tool.models import Registration

LOG = logging.getLogger(__name__)

CLOCK_LEEWAY_SECONDS = 60
STATE_COOKIE_PREFIX = "lti1p3-"
STATE_LIFETIME_SECONDS = 10 * 60
NONCE_LIFETIME_SECONDS = 10 * 60
LAUNCH_LIFETIME_SECONDS = 8 * 60 * 60
JWKS_LIFETIME_SECONDS = 24 * 60 * 60
JWKS_REFETCH_INTERVAL_SECONDS = 60
ACCEPTED_MESSAGE_TYPES = (claims.RESOURCE_LINK_REQUEST, claims.DEEP_LINKING_REQUEST)


class LaunchError(Exception):
    """A refused login or launch: `title` and `advice` are shown to the person in the iframe."""

    def __init__(self, title: str, advice: str, status: int = 400) -> None:
        super().__init__(title)
        self.title = title
        self.advice = advice
        self.status = status


@dataclass(frozen=True)
class LoginResult:
    auth_url: str
    state: str
    storage_target: str | None
    storage_origin: str
    cookies: Mapping[str, str]


@dataclass(frozen=True)
class LaunchResult:
    context: LaunchContext
    pending_ticket: str | None
    """Set when no state cookie came back: the browser must prove the state via Platform Storage."""
    state: str
    storage_target: str | None
    storage_origin: str


class _Params(Request):
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


class _Cookies(CookieService):
    """Reads the request's cookies and collects the ones to set; the view sets them with the
    attributes an iframe needs (SameSite=None; Secure; Partitioned over HTTPS)."""

    def __init__(self, incoming: Mapping[str, str]) -> None:
        self.incoming = incoming
        self.outgoing: dict[str, str] = {}

    def get_cookie(self, name: str) -> str | None:
        return self.incoming.get(STATE_COOKIE_PREFIX + name)

    def set_cookie(self, name: str, value: str | int, exp: int | None = 3600) -> None:
        self.outgoing[STATE_COOKIE_PREFIX + name] = str(value)


class _Session(SessionService):
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


class _UrlOnly(Redirect[str]):
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


class _Login(OIDCLogin[_Params, DbToolConf, _Session, _Cookies, str]):
    def get_redirect(self, url: str) -> _UrlOnly:
        return _UrlOnly(url)


class LtiGateway:
    """The tool's one entrance to pylti1p3; nothing outside `lti_tool.lti` imports the library."""

    def __init__(
        self,
        tool_conf: DbToolConf,
        storage: DbStorage,
        *,
        base_url: str,
        http: requests.Session | None = None,
    ) -> None:
        self.tool_conf = tool_conf
        self.storage = storage
        self.base_url = base_url
        self.http = http or requests.Session()

    @property
    def launch_url(self) -> str:
        return self.base_url + "/lti/launch"

    def login(self, params: Mapping[str, str], *, secure: bool) -> LoginResult:
        target = params.get("target_link_uri", "")
        if not target.startswith(self.base_url + "/"):
            raise LaunchError(
                "This link does not point to this tool",
                "The platform asked to open an address outside this tool. Check the tool's "
                "launch URL in the Canvas developer key.",
            )
        missing = [name for name in ("iss", "login_hint") if not params.get(name)]
        if missing:
            raise LaunchError(
                "The login request is incomplete",
                f"The platform did not send {missing[0]!r}. Open the item again from your "
                "Canvas course.",
            )
        cookies = _Cookies({})
        session = _Session(self.storage)
        login = _Login(_Params(params, secure), self.tool_conf, session, cookies)
        login.pass_params_to_launch(
            {"target_link_uri": target, "deployment_id": canvas.login_deployment_id(params)}
        )
        try:
            auth_url = login.get_redirect_object(self.launch_url).get_redirect_url()
        except OIDCException as error:
            LOG.info(
                "login refused: %s (iss=%s client_id=%s deployment=%s)",
                error,
                params.get("iss"),
                params.get("client_id"),
                canvas.login_deployment_id(params),
            )
            raise LaunchError(
                "This platform is not registered with the tool",
                "Ask your Canvas administrator to install the tool (see the tool's README: "
                "registration add or dynamic registration).",
            ) from error
        registration = login._registration
        state = next(iter(cookies.outgoing.values()))
        return LoginResult(
            auth_url=auth_url,
            state=state,
            storage_target=params.get("lti_storage_target") or None,
            storage_origin=_origin(registration.get_auth_login_url() or ""),
            cookies=cookies.outgoing,
        )

    def launch(self, params: Mapping[str, str], cookies: Mapping[str, str]) -> LaunchResult:
        cookie_service = _Cookies(cookies)
        message = _Launch(
            _Params(params, secure=True),
            self.tool_conf,
            session_service=_Session(self.storage),
            cookie_service=cookie_service,
            requests_session=self.http,
        )
        message.gateway = self
        try:
            message.validate()
        except LtiException as error:
            LOG.info(
                "launch refused: %s (iss=%s client_id=%s deployment=%s)",
                error,
                message.claimed("iss"),
                message.claimed("aud"),
                message.claimed(claims.DEPLOYMENT_ID),
            )
            raise _as_launch_error(error) from error
        body = message.get_launch_data()
        context = LaunchContext.from_claims(message.get_launch_id(), body)
        registration = message._registration
        storage_origin = _origin(registration.get_auth_login_url() or "" if registration else "")
        ticket = None
        if message.needs_storage_check:
            ticket = secrets.token_urlsafe(32)
            self.storage.set_value(
                f"ticket-{ticket}", {"launch_id": context.launch_id}, STATE_LIFETIME_SECONDS
            )
        return LaunchResult(
            context=context,
            pending_ticket=ticket,
            state=params.get("state", ""),
            storage_target=params.get("lti_storage_target") or None,
            storage_origin=storage_origin,
        )

    def redeem_ticket(self, ticket: str) -> LaunchContext:
        """Finish a launch whose state the browser proved through Platform Storage (one use)."""
        value = self.storage.pop(f"ticket-{ticket}") if ticket else None
        if not value:
            raise LaunchError(
                "This launch has expired",
                "Open the item again from your Canvas course.",
            )
        return self.restore(value["launch_id"])

    def restore(self, launch_id: str) -> LaunchContext:
        body = self.storage.get_value(launch_id)
        if not body:
            raise LaunchError(
                "Your session has ended",
                "Open the item again from your Canvas course to continue. Your drafts are saved.",
                status=401,
            )
        return LaunchContext.from_claims(launch_id, body)

    def registration_of(self, context: LaunchContext) -> Registration:
        """The registration a launch came through: already found while validating it, so the
        launch path asks the database once."""
        model = self.tool_conf.find_model(context.issuer, context.client_id)
        if model is None:
            raise LaunchError(
                "This platform is no longer registered with the tool",
                "Ask your Canvas administrator to install the tool again.",
            )
        return model

    def platform_keys(self, key_set_url: str, kid: str) -> Mapping[str, Any]:
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
        try:
            response = self.http.get(key_set_url, timeout=10)
            response.raise_for_status()
            key_set = response.json()
        except (requests.RequestException, ValueError) as error:
            raise LtiException("The platform's key set could not be fetched") from error
        if not isinstance(key_set, dict) or not isinstance(key_set.get("keys"), list):
            raise LtiException("The platform's key set is not a JWKS")
        self.storage.set_value(cache_key, key_set, JWKS_LIFETIME_SECONDS)
        self.storage.session.commit()
        return key_set


class _Launch(MessageLaunch[_Params, DbToolConf, _Session, _Cookies]):
    gateway: LtiGateway
    needs_storage_check = False

    def _get_request_param(self, key: str) -> str:
        return self._request.get_param(key)

    def body(self) -> dict[str, Any]:
        """The token's claims as sent; trusted only after validate() has passed."""
        body = self._jwt.get("body")
        return cast(dict[str, Any], body) if isinstance(body, dict) else {}

    def claimed(self, name: str) -> object:
        """A claim as sent, before validation; only for logging identifiers."""
        return self.body().get(name)

    def validate(self) -> _Launch:
        self._validated = True
        try:
            self.validate_state()
            self.validate_jwt_format()
            self.validate_registration()
            self.validate_jwt_signature()
            self.validate_claim_shapes()
            self.validate_nonce()
            self.validate_deployment()
            self.validate_message()
            self.save_launch_data()
        except Exception:
            self._validated = False
            raise
        return self

    def validate_state(self) -> _Launch:
        state = self._get_request_param("state")
        if not state:
            raise LtiException("missing_state")
        if self._cookie_service.get_cookie(state) == state:
            return self
        others = any(
            name.startswith(STATE_COOKIE_PREFIX + "state-")
            for name in self._cookie_service.incoming
        )
        if not others and self._get_request_param("lti_storage_target"):
            self.needs_storage_check = True
            return self
        raise LtiException("state_mismatch" if others else "state_cookie_missing")

    def validate_jwt_format(self) -> _Launch:
        super().validate_jwt_format()
        header, body = self._jwt.get("header"), self._jwt.get("body")
        if not isinstance(header, dict) or not isinstance(body, dict):
            self._jwt = {}
            raise LtiException("bad_token")
        if header.get("alg") != "RS256":
            raise LtiException("bad_algorithm")
        if not header.get("kid"):
            raise LtiException("missing_kid")
        return self

    def get_client_id(self) -> str:
        client_id = claims.audience_client_id(self.body())
        if client_id is None:
            raise LtiException("bad_audience")
        return client_id

    def validate_registration(self) -> _Launch:
        body = self.body()
        if not body.get("iss"):
            raise LtiException("missing_claim:iss")
        client_id = self.get_client_id()
        azp = body.get("azp")
        if azp is not None and azp != client_id:
            raise LtiException("bad_audience")
        self._registration = self._tool_config.find_registration_by_params(
            str(body["iss"]), client_id
        )
        if not self._registration:
            raise LtiException("unknown_registration")
        return self

    def registration(self) -> LibRegistration:
        if self._registration is None:
            raise LtiException("unknown_registration")
        return self._registration

    def get_public_key(self) -> tuple[str, str]:
        kid = str(self._jwt.get("header", {}).get("kid"))
        key_set = self.gateway.platform_keys(self.registration().get_key_set_url() or "", kid)
        for key in key_set.get("keys", []):
            if key.get("kid") == kid and key.get("alg", "RS256") == "RS256":
                public_key = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key))
                return public_key, "RS256"  # type: ignore[return-value]
        raise LtiException("unknown_kid")

    def validate_jwt_signature(self) -> _Launch:
        registration = self.registration()
        public_key, _alg = self.get_public_key()
        try:
            jwt.decode(
                self._get_id_token(),
                public_key,
                algorithms=["RS256"],
                audience=registration.get_client_id(),
                issuer=registration.get_issuer(),
                leeway=CLOCK_LEEWAY_SECONDS,
                options={"require": ["exp", "iat", "iss", "aud", "nonce"]},
            )
        except jwt.ExpiredSignatureError as error:
            raise LtiException("expired") from error
        except jwt.ImmatureSignatureError as error:
            raise LtiException("not_yet_valid") from error
        except jwt.InvalidAudienceError as error:
            raise LtiException("bad_audience") from error
        except jwt.exceptions.InvalidSubjectError as error:
            raise LtiException("malformed_claim:sub") from error
        except jwt.MissingRequiredClaimError as error:
            raise LtiException(f"missing_claim:{error.claim}") from error
        except jwt.InvalidTokenError as error:
            raise LtiException("bad_signature") from error
        return self

    def validate_claim_shapes(self) -> _Launch:
        """Before anything is stored (the deployment id is recorded next)."""
        malformed = claims.malformed_claim(self.body())
        if malformed:
            raise LtiException(f"malformed_claim:{malformed}")
        return self

    def validate_nonce(self) -> _Launch:
        nonce = str(self.body().get("nonce") or "")
        if not self._session_service.consume_nonce(nonce):
            raise LtiException("replayed_nonce")
        return self

    def validate_deployment(self) -> _Launch:
        if not self.body().get(claims.DEPLOYMENT_ID):
            raise LtiException(f"missing_claim:{claims.DEPLOYMENT_ID}")
        return super().validate_deployment()  # type: ignore[return-value]

    def validate_message(self) -> _Launch:
        body = self.body()
        if body.get(claims.VERSION) != "1.3.0":
            raise LtiException("bad_version")
        if body.get(claims.MESSAGE_TYPE) not in ACCEPTED_MESSAGE_TYPES:
            raise LtiException("unsupported_message")
        for name in ("sub", claims.ROLES, claims.CONTEXT):
            if not body.get(name):
                raise LtiException(f"missing_claim:{name}")
        context = body.get(claims.CONTEXT)
        if not isinstance(context, dict) or not context.get("id"):
            raise LtiException(f"missing_claim:{claims.CONTEXT}")
        return super().validate_message()  # type: ignore[return-value]

    def save_launch_data(self) -> _Launch:
        self._session_service.save_launch_data(self._launch_id, self._jwt["body"])
        return self


_ERRORS: dict[str, tuple[str, str]] = {
    "missing_state": (
        "This launch did not start from Canvas",
        "Open the item from your Canvas course instead of a bookmark or a copied link.",
    ),
    "state_mismatch": (
        "This launch does not match your browser session",
        "Open the item again from your Canvas course.",
    ),
    "state_cookie_missing": (
        "Your browser blocked the tool's cookie",
        "Open the item again from Canvas; if this keeps happening, open it in a new tab or allow "
        "cookies for this site.",
    ),
    "bad_algorithm": (
        "The launch was not signed correctly",
        "Only RS256-signed launches are accepted.",
    ),
    "missing_kid": ("The launch was not signed correctly", "The token names no signing key."),
    "bad_token": ("The launch could not be read", "Open the item again from your Canvas course."),
    "bad_audience": (
        "This launch was meant for another tool",
        "The token's audience does not match this tool's client id.",
    ),
    "unknown_registration": (
        "This platform is not registered with the tool",
        "Ask your Canvas administrator to install the tool.",
    ),
    "unknown_kid": (
        "The launch was signed with an unknown key",
        "The platform's key set does not contain the key that signed this launch.",
    ),
    "expired": ("This launch has expired", "Open the item again from your Canvas course."),
    "not_yet_valid": (
        "This launch is dated in the future",
        "Check the clock of the platform's server, then try again.",
    ),
    "bad_signature": (
        "The launch signature is not valid",
        "The token was not signed by the registered platform.",
    ),
    "replayed_nonce": (
        "This launch was already used",
        "Each launch works once. Open the item again from your Canvas course.",
    ),
    "bad_version": ("Unsupported LTI version", "This tool speaks LTI 1.3.0."),
    "unsupported_message": (
        "Unsupported kind of launch",
        "This tool accepts resource link and deep linking launches.",
    ),
}


def _as_launch_error(error: LtiException) -> LaunchError:
    code = str(error)
    if code in _ERRORS:
        return LaunchError(*_ERRORS[code])
    if code.startswith("missing_claim:"):
        return LaunchError(
            "The launch is missing information",
            f"The platform did not send the required claim {code.partition(':')[2]!r}.",
        )
    if code.startswith("malformed_claim:"):
        return LaunchError(
            "The launch carries information the tool cannot read",
            f"The platform sent the claim {code.partition(':')[2]!r} in a form the tool does not "
            "accept. Tell your Canvas administrator.",
        )
    if code.startswith("The platform's key set"):
        return LaunchError(
            "The platform's keys could not be read",
            "The tool could not fetch the platform's public keys. Try again in a minute.",
            status=502,
        )
    # pylti1p3's own checks (JWT format, deployment, message validators) end up here.
    return LaunchError("The launch could not be accepted", code)


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
