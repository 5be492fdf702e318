"""A walk-through visitor's read-only session: its own token, its own checks, its own database
session, separate from Canvas launches.

A tour token names a walk-through link, the perspective (participant or instructor) and the
tour step; it opens only that link's sample course, as its guide participant or instructor.
While it is in use:
- the request signs in as that fictional person before any view runs, so the real pages
  (participant and instructor views) render the sample course as they would for them;
- only GET and HEAD reach a view, and only the pages of that perspective;
- the database session never commits: whatever a page would record (read markers, audit
  events) is flushed for the page to read and rolled back when the request ends;
- every form on a page is served inside a disabled fieldset, so nothing invites an edit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import jwt
from flask import Flask, Response, current_app, g, request
from sqlalchemy.orm import Session

from lti_tool.auth import token_from_request
from lti_tool.db import utcnow
from lti_tool.lti.claims import RESOURCE_LINK_REQUEST, LaunchContext
from lti_tool.models import Course, Enrollment, Person, Walkthrough
from lti_tool.sample.store import SampleCourseStore
from lti_tool.services.membership import Membership
from lti_tool.services.walkthroughs import WalkthroughClosed, WalkthroughService
from lti_tool.web import wiring

AUDIENCE = "lti-tool-walkthrough"
TOKEN_LIFETIME = timedelta(hours=2)
PERSPECTIVES = ("participant", "instructor")
_FORM_OPEN = re.compile(r"(<form\b[^>]*>)", re.IGNORECASE)
_FORM_CLOSE = re.compile(r"(</form>)", re.IGNORECASE)


class TourRefused(Exception):
    """What a tour cannot do; shown as a readable page that leads back to the tour."""

    def __init__(self, title: str, advice: str, status: int) -> None:
        super().__init__(title)
        self.title, self.advice, self.status = title, advice, status


CLOSED = {
    "unknown": TourRefused(
        "This walk-through link does not work",
        "Check that the whole link was copied, or ask the person who sent it for a new one.",
        404,
    ),
    "expired": TourRefused(
        "This walk-through link has expired",
        "Ask the person who sent it for a new link.",
        410,
    ),
    "revoked": TourRefused(
        "This walk-through link has been withdrawn",
        "Ask the person who sent it for a new link.",
        410,
    ),
}


class ReadOnlySession(Session):
    """A session whose commit only flushes: a page reads its own writes, and they are rolled
    back when the request ends (`close`)."""

    def commit(self) -> None:
        self.flush()


@dataclass(frozen=True)
class Tour:
    walkthrough: Walkthrough
    course: Course
    perspective: str
    step: int

    @property
    def program_key(self) -> str:
        return self.walkthrough.program_key


def issue(walkthrough: Walkthrough, perspective: str, step: int, secret: str) -> str:
    now = datetime.now(UTC)
    payload = {
        "wt": walkthrough.id,
        "as": perspective,
        "step": step,
        "iat": now,
        "exp": min(now + TOKEN_LIFETIME, walkthrough.expires_at),
        "aud": AUDIENCE,
    }
    return jwt.encode(payload, secret, algorithm="HS256")


def current() -> Tour | None:
    return cast(Tour | None, g.get("tour"))


def current_token() -> str:
    token: str = g.session_token
    return token


def _is_tour_token(token: str) -> bool:
    """Whether a token claims to be a tour's (checked properly by `_payload` afterwards)."""
    try:
        claims = jwt.decode(token, options={"verify_signature": False})
    except jwt.InvalidTokenError:
        return False
    return bool(claims.get("aud") == AUDIENCE)


def _payload(token: str) -> dict[str, Any]:
    try:
        payload = jwt.decode(
            token, current_app.config["SECRET_KEY"], algorithms=["HS256"], audience=AUDIENCE
        )
    except jwt.ExpiredSignatureError as error:
        raise CLOSED["expired"] from error
    except jwt.InvalidTokenError as error:
        raise CLOSED["unknown"] from error
    if payload.get("as") not in PERSPECTIVES or not isinstance(payload.get("wt"), int):
        raise CLOSED["unknown"]
    return cast(dict[str, Any], payload)


def read_only_session() -> ReadOnlySession:
    return ReadOnlySession(bind=wiring().engine, expire_on_commit=False)


def sign_in() -> None:
    """before_request: a request carrying a tour token becomes the tour's read-only session."""
    token = token_from_request()
    if not token or not _is_tour_token(token):
        return
    g.db_session = read_only_session()
    payload = _payload(token)
    try:
        walkthrough = WalkthroughService(g.db_session).find_open(payload["wt"], utcnow())
    except WalkthroughClosed as closed:
        raise CLOSED[closed.reason] from closed
    store = SampleCourseStore(g.db_session)
    course = store.find(walkthrough.program_key)
    if course is None:
        raise CLOSED["unknown"]
    tour = Tour(walkthrough, course, str(payload["as"]), int(payload.get("step") or 0))
    g.tour = tour
    g.session_token = token
    _refuse_what_a_tour_cannot_do(tour)
    _sign_in_as_guide(tour, store)


def _refuse_what_a_tour_cannot_do(tour: Tour) -> None:
    if request.method not in ("GET", "HEAD"):
        raise TourRefused(
            "Nothing can be changed in a walk-through",
            "This is a read-only tour of a fictional sample course: forms are shown as they "
            "look, but nothing is saved or sent.",
            403,
        )
    if not request.path.startswith(("/tour/", f"/{tour.perspective}/")):
        raise TourRefused(
            "This page is not part of the walk-through",
            "The walk-through shows the sample course's participant and instructor pages "
            "only; there is no Canvas course or gradebook behind it.",
            403,
        )


def _sign_in_as_guide(tour: Tour, store: SampleCourseStore) -> None:
    """The launch and course membership the real pages expect, for the fictional guide."""
    guide = store.guide(tour.course)
    person = guide.instructor if tour.perspective == "instructor" else guide.participant
    enrollment = (
        g.db_session.query(Enrollment)
        .filter_by(course_id=tour.course.id, person_id=person.id)
        .one()
    )
    g.member = Membership(tour.course, person, enrollment)
    g.launch = _launch(tour, person)


def _launch(tour: Tour, person: Person) -> LaunchContext:
    return LaunchContext(
        launch_id=f"walkthrough-{tour.walkthrough.id}",
        issuer="",
        client_id="",
        deployment_id="",
        message_type=RESOURCE_LINK_REQUEST,
        sub=person.sub,
        name=person.name,
        email=None,
        roles=(),
        role=tour.perspective,
        is_test_user=False,
        context_id=tour.course.context_id,
        context_title=tour.course.title,
        context_label=tour.course.label,
        resource_link_id=None,
        target_link_uri="",
        placement=None,
    )


def disable_forms(response: Response) -> Response:
    """after_request: on a tour's pages every form's controls are disabled (a fieldset per
    form), so a visitor sees the form as a participant or instructor would, inert."""
    if current() is None or response.mimetype != "text/html" or response.direct_passthrough:
        return response
    html = response.get_data(as_text=True)
    html = _FORM_OPEN.sub(r'\1<fieldset class="tour-inert" disabled>', html)
    html = _FORM_CLOSE.sub(r"</fieldset>\1", html)
    response.set_data(html)
    return response


def init_app(app: Flask) -> None:
    app.before_request(sign_in)
    app.after_request(disable_forms)
