"""The Flask side of the composition root: the app's `Wiring`, the request's session and its
services, and handing what a request queued to the delivery thread.

Views and commands ask here; services never do (they know no Flask).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager

from flask import Flask, Response, current_app, g
from sqlalchemy.orm import Session

from lti_tool.db import transaction
from lti_tool.services.outbox import queued_ids
from lti_tool.wiring import Services, Wiring

LOG = logging.getLogger(__name__)

EXTENSION = "lti_tool"
"""The one entry this tool keeps in `app.extensions`: its `Wiring`."""


def init_app(app: Flask, built: Wiring) -> None:
    app.extensions[EXTENSION] = built
    app.teardown_appcontext(_close_session)
    app.after_request(_hand_off_queued)


def wiring(app: Flask | None = None) -> Wiring:
    """The app's composition root (the current app's when none is given)."""
    found: Wiring = (app or current_app).extensions[EXTENSION]
    return found


def get_session() -> Session:
    """The request's session: one per app context, closed (and so rolled back) at teardown."""
    if "db_session" not in g:
        g.db_session = wiring().sessions()
    session: Session = g.db_session
    return session


def services() -> Services:
    """Every service over the request's session (built on first use, once per request)."""
    if "services" not in g:
        g.services = wiring().services(get_session())
    found: Services = g.services
    return found


@contextmanager
def session_scope(app: Flask) -> Iterator[Session]:
    """A session outside a request (tests, seeding): commit on success, else roll back."""
    with transaction(wiring(app).sessions) as session:
        yield session


def _close_session(_exc: BaseException | None) -> None:
    g.pop("services", None)
    session = g.pop("db_session", None)
    if session is not None:
        session.close()


def _hand_off_queued(response: Response) -> Response:
    """The request's transaction is committed by now: the rows it queued go to this process's
    delivery thread, so nobody waits on Canvas and delivery does not depend on how the
    connection ends. Whatever fails stays queued for the worker."""
    session: Session | None = g.get("db_session")
    if session is None:
        return response
    item_ids = list(queued_ids(session))
    queued_ids(session).clear()
    if item_ids and current_app.config.get("GRADE_SYNC_SEND_AFTER_RESPONSE", True):
        wiring().background_delivery.hand_off(item_ids)
    return response
