"""Every prompt placed in a course, learned from Canvas's line items instead of waiting for
someone to open each link.

Deep linking gives each placed prompt a line item tagged `reflection` whose resourceId names the
prompt (`reflection-prompt-<id>`) or, for links set up outside the tool's picker (seeded demo
courses, hand-made links), the bank prompt (`reflection-bank-<key>`). Reading the course's line
items therefore tells the tool every prompt Canvas shows, with the assignment's name and, where
Canvas gives it, its due date. Instructor launches refresh the list at most every
`PLACEMENTS_MAX_AGE`, a course's first launch by anyone refreshes it once, and the `sync run`
worker refreshes courses in the background.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, or_, select, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.db import parse_int, write_after_call
from lti_tool.lti.advantage.client import ServiceClient
from lti_tool.lti.advantage.http import ServiceError
from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.lti.canvas.custom import instant
from lti_tool.models import Course, Prompt, Registration
from lti_tool.services.programs import find_bank_prompt
from lti_tool.services.prompts import PromptService, input_from_bank

LOG = logging.getLogger(__name__)
PROMPT_TAG = "reflection"
"""The line-item tag of every prompt the tool places."""
PROMPT_RESOURCE = "reflection-prompt-"
BANK_RESOURCE = "reflection-bank-"
PLACEMENTS_MAX_AGE = timedelta(minutes=5)
WORKER_MAX_AGE = timedelta(minutes=30)
"""How stale a course may get before the background worker reads its line items again."""
TITLE_LIMIT = 255


def bank_resource_id(bank_key: str) -> str:
    return BANK_RESOURCE + bank_key


@dataclass(frozen=True)
class PlacedItem:
    """The parts of a Canvas line item the tool uses."""

    url: str
    resource_id: str
    label: str
    resource_link_id: str | None
    due_at: datetime | None

    @classmethod
    def read(cls, entry: Mapping[str, Any]) -> PlacedItem | None:
        """None for anything that is not one of the tool's prompts, or malformed."""
        url, resource_id = entry.get("id"), entry.get("resourceId")
        if not isinstance(url, str) or not url or not isinstance(resource_id, str):
            return None
        if entry.get("tag") != PROMPT_TAG:
            return None
        label = entry.get("label")
        link = entry.get("resourceLinkId")
        return cls(
            url=url,
            resource_id=resource_id,
            label=label.strip()[:TITLE_LIMIT] if isinstance(label, str) else "",
            resource_link_id=link if isinstance(link, str) and link else None,
            due_at=instant(due) if isinstance(due := entry.get("endDateTime"), str) else None,
        )


@dataclass(frozen=True)
class PlacementSummary:
    line_items: int
    added: int


class PlacementService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.prompts = PromptService(session)

    def apply(self, course: Course, items: list[PlacedItem]) -> PlacementSummary:
        """Tie each placed line item to the course's prompt, creating the prompts the course
        does not have yet. Prompts already known are never removed here: a line item missing
        from one answer may be an unpublished or paged-out assignment, and reflections stay."""
        added = 0
        for item in items:
            prompt = self._by_line_item(course, item.url)
            if prompt is None:
                prompt, created = self._adopt(course, item)
                added += created
            if prompt is not None:
                self._note(course, prompt, item)
        self.session.flush()
        return PlacementSummary(len(items), added)

    def _by_line_item(self, course: Course, url: str) -> Prompt | None:
        return self.session.scalar(
            select(Prompt).where(Prompt.course_id == course.id, Prompt.lineitem_url == url)
        )

    def _adopt(self, course: Course, item: PlacedItem) -> tuple[Prompt | None, bool]:
        """The prompt a line item names, and whether it is new to the course: this course's
        own (placed by its deep linking), a copy of another course's (a Canvas course copy),
        or a new copy of a bank prompt."""
        if item.resource_id.startswith(PROMPT_RESOURCE):
            prompt_id = parse_int(item.resource_id.removeprefix(PROMPT_RESOURCE))
            source = self.prompts.named(course, prompt_id)
            if source is None:
                return None, False
            if source.course_id == course.id and source.lineitem_url is None:
                return source, False
            return self.prompts.copy(course, source), True
        if item.resource_id.startswith(BANK_RESOURCE):
            bank = find_bank_prompt(item.resource_id.removeprefix(BANK_RESOURCE))
            if bank is None:
                return None, False
            return self.prompts.create(course, input_from_bank(bank[1]), bank_key=bank[1].key), True
        return None, False

    def _note(self, course: Course, prompt: Prompt, item: PlacedItem) -> None:
        prompt.lineitem_url = item.url
        if item.label:
            prompt.canvas_title = item.label
        if item.due_at is not None:
            prompt.due_at = item.due_at
        if item.resource_link_id and prompt.resource_link_id is None:
            taken = self.session.scalar(
                select(Prompt.id).where(
                    Prompt.course_id == course.id,
                    Prompt.resource_link_id == item.resource_link_id,
                )
            )
            if taken is None:
                prompt.resource_link_id = item.resource_link_id
        self.session.flush()


def sync_placements(
    session: Session, client: ServiceClient, course: Course, now: datetime
) -> PlacementSummary:
    """Read the course's line items with the tool's tag and record every placed prompt."""
    if not course.lineitems_url:
        raise ServiceError("Canvas gave the tool no line items service for this course")
    registration = session.get_one(Registration, course.registration_id)
    entries = client.find_line_items(
        Credentials.of(registration), course.lineitems_url, tag=PROMPT_TAG
    )
    write_after_call(session, course, placements_synced_at=now)  # re-marked: takes the lock
    items = [item for entry in entries if (item := PlacedItem.read(entry)) is not None]
    try:
        with session.begin_nested():
            summary = PlacementService(session).apply(course, items)
    except IntegrityError:
        # A launch tied one of these links at the same moment; the next refresh completes it.
        LOG.info("placements of course %s changed during the refresh", course.id)
        return PlacementSummary(len(items), 0)
    LOG.info(
        "placements of course %s: %s line items, %s new prompts",
        course.id,
        summary.line_items,
        summary.added,
    )
    return summary


def refresh_if_stale(
    session: Session,
    client: ServiceClient,
    course: Course,
    now: datetime,
    *,
    max_age: timedelta | None = PLACEMENTS_MAX_AGE,
) -> PlacementSummary | None:
    """Refresh when never done, or older than `max_age` (None: only when never done).

    The refresh is claimed first (one atomic update, committed), so two launches or workers at
    the same moment read Canvas once and never create a prompt twice. Never fails a launch: a
    Canvas error is logged and the next launch or worker pass after `max_age` tries again.
    """
    if not course.lineitems_url or not _claim(session, course, now, max_age):
        return None
    try:
        summary = sync_placements(session, client, course, now)
    except ServiceError as error:
        session.rollback()
        LOG.warning("placements of course %s not read: status %s", course.id, error.status)
        return None
    except OperationalError:
        session.rollback()
        LOG.warning("placements of course %s not stored: the database was busy", course.id)
        return None
    session.commit()
    return summary


def _claim(session: Session, course: Course, now: datetime, max_age: timedelta | None) -> bool:
    due: ColumnElement[bool] = Course.placements_synced_at.is_(None)
    if max_age is not None:
        due = or_(due, Course.placements_synced_at <= now - max_age)
    result = session.execute(
        update(Course)
        .where(Course.id == course.id, due)
        .values(placements_synced_at=now)
        .execution_options(synchronize_session=False)
    )
    session.commit()
    return bool(getattr(result, "rowcount", 0))


def stale_courses(session: Session, now: datetime, limit: int = 20) -> list[Course]:
    """Courses the worker should refresh: never read, or not for `WORKER_MAX_AGE`."""
    return list(
        session.scalars(
            select(Course)
            .where(
                Course.lineitems_url.is_not(None),
                or_(
                    Course.placements_synced_at.is_(None),
                    Course.placements_synced_at <= now - WORKER_MAX_AGE,
                ),
            )
            .order_by(Course.placements_synced_at.is_not(None), Course.placements_synced_at)
            .limit(limit)
        )
    )


def refresh_stale(sessions: sessionmaker[Session], client: ServiceClient, now: datetime) -> int:
    """The worker's pass: refresh each course not read for `WORKER_MAX_AGE`; returns how many
    were read."""
    refreshed = 0
    with sessions() as session:
        for course in stale_courses(session, now):
            summary = refresh_if_stale(session, client, course, now, max_age=WORKER_MAX_AGE)
            refreshed += summary is not None
    return refreshed
