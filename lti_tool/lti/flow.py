"""OIDC login and launch: the tool's one entrance to pylti1p3 (`LtiGateway`).

Nothing outside `lti_tool.lti` imports the library; the validation chain is in `validation`, the
library's interfaces in `adapters`, the platforms' keys in `platform_keys`, the words shown on a
refusal in `errors`. Launch data is kept server-side with an expiry, and a launch whose state
cookie was blocked is finished through LTI Platform Storage.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

from pylti1p3.exception import LtiException, OIDCException

from lti_tool.http import GuardedHttp
from lti_tool.lti import claims
from lti_tool.lti.adapters import (
    STATE_LIFETIME_SECONDS,
    Cookies,
    LaunchStorage,
    Login,
    Params,
)
from lti_tool.lti.canvas.messages import login_deployment_id
from lti_tool.lti.claims import LaunchContext
from lti_tool.lti.errors import LaunchError, as_launch_error
from lti_tool.lti.platform_keys import PlatformKeys
from lti_tool.lti.storage import DbStorage
from lti_tool.lti.tool_config import DbToolConf
from lti_tool.lti.validation import LaunchMessage
from lti_tool.models import Registration

LOG = logging.getLogger(__name__)


@dataclass(frozen=True)
class LoginResult:
    registration_id: int | None
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


class LtiGateway:
    """The tool's one entrance to pylti1p3; nothing outside `lti_tool.lti` imports the library."""

    def __init__(
        self,
        tool_conf: DbToolConf,
        storage: DbStorage,
        *,
        base_url: str,
        http: GuardedHttp,
    ) -> None:
        self.tool_conf = tool_conf
        self.storage = storage
        self.base_url = base_url
        self.http = http

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
        cookies = Cookies({})
        session = LaunchStorage(self.storage)
        login = Login(Params(params, secure), self.tool_conf, session, cookies)
        login.pass_params_to_launch(
            {"target_link_uri": target, "deployment_id": login_deployment_id(params)}
        )
        try:
            auth_url = login.get_redirect_object(self.launch_url).get_redirect_url()
        except OIDCException as error:
            LOG.info(
                "login refused: %s (iss=%s client_id=%s deployment=%s)",
                error,
                params.get("iss"),
                params.get("client_id"),
                login_deployment_id(params),
            )
            raise LaunchError(
                "This platform is not registered with the tool",
                "Ask your Canvas administrator to install the tool (see the tool's README: "
                "registration add or dynamic registration).",
            ) from error
        registration = login._registration
        # Found (and cached) by pylti1p3's lookup just above.
        model = self.tool_conf.find_model(params["iss"], params.get("client_id", ""))
        state = next(iter(cookies.outgoing.values()))
        return LoginResult(
            registration_id=model.id if model else None,
            auth_url=auth_url,
            state=state,
            storage_target=params.get("lti_storage_target") or None,
            storage_origin=_origin(registration.get_auth_login_url() or ""),
            cookies=cookies.outgoing,
        )

    def launch(self, params: Mapping[str, str], cookies: Mapping[str, str]) -> LaunchResult:
        cookie_service = Cookies(cookies)
        message = LaunchMessage(
            Params(params, secure=True),
            self.tool_conf,
            session_service=LaunchStorage(self.storage),
            cookie_service=cookie_service,
        )
        message.platform_keys = PlatformKeys(self.storage, self.http)
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
            raise as_launch_error(error) from error
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


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""
