"""LTI endpoints Canvas talks to: OIDC login, launch, JWKS, install configuration."""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import parse_qs, urlsplit

from flask import (
    Blueprint,
    Response,
    current_app,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)

from lti_tool.auth import TOKEN_PARAM, issue_token, launch_cap
from lti_tool.db import utcnow
from lti_tool.http import DestinationRefused
from lti_tool.lti.adapters import STATE_COOKIE_PREFIX, STATE_LIFETIME_SECONDS
from lti_tool.lti.canvas.developer_key import canvas_developer_key
from lti_tool.lti.canvas.review import REVIEW_PARAM
from lti_tool.lti.claims import LaunchContext
from lti_tool.lti.errors import LaunchError
from lti_tool.lti.flow import LtiGateway
from lti_tool.lti.storage import purge_expired_now_and_then
from lti_tool.services.invites import InviteRefused
from lti_tool.services.registrations import RegistrationConflict, RegistrationError
from lti_tool.views.security import allow_framing_for
from lti_tool.web import get_session, services, wiring

LOG = logging.getLogger(__name__)

bp = Blueprint("lti", __name__, url_prefix="/lti")

PASSTHROUGH_PARAMS = (REVIEW_PARAM,)
"""Query parameters of a launch URL the landing page receives (SpeedGrader's submission URL)."""


def gateway() -> LtiGateway:
    return services().gateway


@bp.route("/login", methods=["GET", "POST"])
def login() -> Any:
    params = {key: value for key, value in request.values.items() if isinstance(value, str)}
    result = gateway().login(params, secure=_secure())
    allow_framing_for(result.registration_id, _posting_page())
    purge_expired_now_and_then(get_session())
    get_session().commit()
    if result.storage_target:
        page = render_template(
            "lti/login_storage.html",
            auth_url=result.auth_url,
            state=result.state,
            storage_target=result.storage_target,
            storage_origin=result.storage_origin,
        )
        response = current_app.make_response(page)
    elif params.get("new_window"):
        response = current_app.make_response(redirect(result.auth_url))
    else:
        page = render_template(
            "lti/login_cookie_check.html",
            auth_url=result.auth_url,
            login_params={k: v for k, v in params.items() if k != "new_window"},
        )
        response = current_app.make_response(page)
    for name, value in result.cookies.items():
        _set_state_cookie(response, name, value)
    return response


@bp.post("/launch")
def launch() -> Any:
    params = {key: value for key, value in request.form.items()}
    if params.get("error"):
        raise LaunchError(
            "Canvas could not start the tool",
            f"Canvas answered: {params.get('error_description') or params['error']}. "
            "Open the item again from your course.",
        )
    lti = gateway()
    result = lti.launch(params, request.cookies)
    if result.pending_ticket:
        get_session().commit()
        allow_framing_for(
            lti.registration_of(result.context).id,
            *result.context.page_urls,
            request.headers.get("Origin", ""),
        )
        return render_template(
            "lti/launch_verify.html",
            ticket=result.pending_ticket,
            state=result.state,
            storage_target=result.storage_target,
            storage_origin=result.storage_origin,
        )
    response = _enter(lti, result.context)
    # Used once: left in place, every launch would add one to each request's Cookie header.
    _set_state_cookie(response, STATE_COOKIE_PREFIX + result.state, "", max_age=0)
    return response


@bp.post("/launch/verify")
def launch_verify() -> Any:
    """Second half of a cookie-less launch: the page proved the state through Platform Storage.

    Only the tool's own page can post here (same-origin check), so a forged cross-site post of
    someone else's ticket cannot sign a person in as another.
    """
    if not _from_own_page():
        raise LaunchError(
            "This launch did not come from the tool's page", "Open the item again from Canvas.", 403
        )
    lti = gateway()
    return _enter(lti, lti.redeem_ticket(request.form.get("ticket", "")))


@bp.get("/jwks")
def jwks() -> Response:
    response = jsonify(wiring().key_store.jwks())
    response.cache_control.max_age = 300
    response.cache_control.public = True
    return response


@bp.get("/config.json")
def config_json() -> Response:
    return jsonify(canvas_developer_key(wiring().base_url))


@bp.route("/register", methods=["GET", "POST"])
def register() -> Any:
    """Without an operator's installation link, nobody can make the tool trust a platform."""
    raise LaunchError(
        "An installation link is needed",
        "This tool is installed with a single-use link from its operator (who makes it with "
        "`flask --app lti_tool registration invite`). In Canvas: Admin > Developer Keys > "
        "+ Developer Key > LTI Registration, then paste that link.",
        status=403,
    )


@bp.route("/register/<token>", methods=["GET", "POST"])
def register_invited(token: str) -> Any:
    """LTI Dynamic Registration through an operator's invite: Canvas opens this page with
    `openid_configuration` and `registration_token`; the admin confirms, the tool registers, and
    the page tells Canvas to close the dialog (`org.imsglobal.lti.close`)."""
    try:
        invite = services().invites.open(token)
    except InviteRefused as error:
        raise LaunchError(error.title, error.advice, error.status) from error
    config_url = request.values.get("openid_configuration", "")
    registration_token = request.values.get("registration_token", "")
    if not config_url:
        raise LaunchError(
            "Open this page from Canvas",
            "In Canvas: Admin > Developer Keys > + Developer Key > LTI Registration, then paste "
            "this page's address.",
        )
    try:
        wiring().http.policy.check_url(config_url)
    except DestinationRefused as error:
        raise LaunchError(
            "This registration cannot be accepted",
            f"The platform's configuration address is refused: {error}",
        ) from error
    # The registering platform frames this page before it is registered (only its origin).
    allow_framing_for(None, config_url)
    form = {"config_url": config_url, "token": registration_token, "invite": token}
    if request.method == "GET":
        return render_template("lti/register.html", **form)
    try:
        result = services().dynamic_registration.register(config_url, registration_token, invite)
    except (RegistrationError, InviteRefused) as error:
        get_session().rollback()
        status = 409 if isinstance(error, RegistrationConflict) else 400
        message = str(error) if isinstance(error, RegistrationError) else error.title
        LOG.warning("dynamic registration through invite %s refused: %s", invite.id, status)
        return render_template("lti/register.html", **form, error=message), status
    get_session().commit()
    return render_template("lti/registered.html", registration=result.registration)


def _posting_page() -> str:
    """The page that posted (or linked) this login into its iframe: the course page, on whichever
    host the platform serves it. Browsers send `Origin` with a POST; a GET has only `Referer`."""
    return request.headers.get("Origin") or request.referrer or ""


def _enter(lti: LtiGateway, context: LaunchContext) -> Any:
    """Everything the launch decides happens here, once (`LaunchService.launch`); the landing
    page it redirects to only reads."""
    registration = lti.registration_of(context)
    allow_framing_for(registration.id)
    now = utcnow()
    services().launches.launch(context, registration, now)
    token = issue_token(context, current_app.config["SECRET_KEY"], cap=launch_cap(now))
    return redirect(_landing_url(context, token), code=303)


def _landing_url(context: LaunchContext, token: str) -> str:
    query = parse_qs(urlsplit(context.target_link_uri).query)
    values: dict[str, Any] = {key: query[key][0] for key in PASSTHROUGH_PARAMS if key in query}
    values[TOKEN_PARAM] = token
    if context.is_deep_linking:
        return url_for("instructor.deep_link", **values)
    endpoint = "instructor.home" if context.is_instructor else "participant.home"
    return url_for(endpoint, **values)


def _secure() -> bool:
    return request.is_secure or wiring().base_url.startswith("https://")


def _set_state_cookie(
    response: Response, name: str, value: str, max_age: int = STATE_LIFETIME_SECONDS
) -> None:
    """Over HTTPS the cookie is sent back inside Canvas's iframe only with SameSite=None; Secure,
    and Partitioned (CHIPS) keeps it working where third-party cookies are blocked."""
    secure = _secure()
    response.set_cookie(
        name,
        value,
        max_age=max_age,
        path="/lti",
        secure=secure,
        httponly=True,
        samesite="None" if secure else "Lax",
        partitioned=secure,
    )


def _from_own_page() -> bool:
    """Browsers say where a request comes from (Sec-Fetch-Site, else Origin); a client that says
    neither is not a browser and so cannot be the victim of a cross-site post."""
    fetch_site = request.headers.get("Sec-Fetch-Site")
    if fetch_site is not None:
        return fetch_site == "same-origin"
    origin = request.headers.get("Origin")
    own = (f"{request.scheme}://{request.host}", wiring().base_url)
    return origin is None or origin in own
