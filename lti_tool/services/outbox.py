"""The outbox: grades and submissions bound for Canvas, queued durably in the caller's transaction.

`GradeSync` only writes outbox rows, so a crash after the commit loses nothing; `delivery.Sender`
sends them. Each row is claimed by one atomic conditional UPDATE (the predicates below), which
behaves the same on PostgreSQL and SQLite, and a row waits while an earlier row of the same
(subject, person) is pending, so Canvas sees each person's scores in the order they were made.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, or_, select, update
from sqlalchemy.orm import Session, aliased

from lti_tool.db import utcnow
from lti_tool.lti.canvas.scores import SUBMISSION_EXTENSION, grade_score, submission_score
from lti_tool.models import Course, Person
from lti_tool.models.grade_sync import OutboxItem, OutboxKind, OutboxStatus

RESOLVED_URL = "resolved_lineitem_url"
"""Target key for a line item the sender found or created (as opposed to the launch's own)."""
QUEUED_IDS = "outbox_queued_ids"


def queued_ids(session: Session) -> list[int]:
    """The rows queued (or made due) through this session, so whoever owns it (a web request)
    can hand them to the delivery thread once its transaction is committed (see `lti_tool.web`)."""
    ids: list[int] = session.info.setdefault(QUEUED_IDS, [])
    return ids


@dataclass(frozen=True)
class ScoreTarget:
    """Where a score goes: the launch's line item when known, else how to find or create one."""

    lineitem_url: str | None
    lineitems_url: str | None
    resource_link_id: str | None
    resource_id: str
    label: str
    score_maximum: float


class GradeSync:
    def __init__(self, session: Session) -> None:
        self.session = session

    def submission(
        self,
        *,
        course: Course,
        person: Person,
        subject_key: str,
        target: ScoreTarget,
        submitted_at: datetime,
        review_url: str,
        new_attempt: bool,
    ) -> OutboxItem:
        payload = submission_score(
            user_id=person.sub,
            submitted_at=submitted_at,
            review_url=review_url,
            new_attempt=new_attempt,
            timestamp=utcnow(),
        )
        return self.enqueue(
            course, person.id, subject_key, OutboxKind.SUBMISSION, asdict(target), payload
        )

    def grade(
        self,
        *,
        course: Course,
        person: Person,
        subject_key: str,
        target: ScoreTarget,
        score_given: float,
        comment: str | None,
        override_manual: bool,
        review_url: str,
        submitted_at: datetime | None,
    ) -> OutboxItem:
        payload = grade_score(
            user_id=person.sub,
            score_given=score_given,
            score_maximum=target.score_maximum,
            comment=comment,
            override_manual=override_manual,
            review_url=review_url,
            submitted_at=submitted_at,
            timestamp=utcnow(),
        )
        return self.enqueue(
            course, person.id, subject_key, OutboxKind.GRADE, asdict(target), payload
        )

    def requeue(self, item: OutboxItem, *, over_canvas: bool = False) -> OutboxItem | None:
        """A fresh copy of `item` (retry, "sync all", reconcile repair); the old row is retired.

        A comment Canvas already has is not sent again, and a submission Canvas already has is not
        re-sent (it would count as a new attempt). A line item the sender found is looked up again
        after a 404, in case the instructor re-created the assignment. `over_canvas`: the grade
        replaces one a person typed in Canvas (the instructor chose the tool's).
        """
        if item.status == OutboxStatus.PENDING:
            return None
        if item.kind == OutboxKind.SUBMISSION and item.status == OutboxStatus.SENT:
            return None
        payload = dict(item.payload)
        if item.status == OutboxStatus.SENT:
            payload.pop("comment", None)
        extension = payload.get(SUBMISSION_EXTENSION)
        if over_canvas and isinstance(extension, dict):
            payload[SUBMISSION_EXTENSION] = {**extension, "prioritize_non_tool_grade": False}
        target = dict(item.target)
        if item.last_error and "(404)" in item.last_error:
            target.pop(RESOLVED_URL, None)
        course = self.session.get(Course, item.course_id)
        if course is None:
            return None
        item.status = OutboxStatus.SUPERSEDED
        kind = OutboxKind(item.kind)
        copy = self.enqueue(course, item.person_id, item.subject_key, kind, target, payload)
        copy.uncertain = item.uncertain
        return copy

    def enqueue(
        self,
        course: Course,
        person_id: int,
        subject_key: str,
        kind: OutboxKind,
        target: dict[str, Any],
        payload: dict[str, Any],
    ) -> OutboxItem:
        """Queue a score in the caller's transaction (see `queued_ids`)."""
        self._coalesce(person_id, subject_key, kind)
        item = OutboxItem(
            registration_id=course.registration_id,
            course_id=course.id,
            person_id=person_id,
            subject_key=subject_key,
            kind=kind,
            target=target,
            payload=payload,
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
        )
        self.session.add(item)
        self.session.flush()
        queued_ids(self.session).append(item.id)
        return item

    def due_now(self, item: OutboxItem) -> bool:
        """Make a waiting row due at once (retry, "sync all") and note it for delivery after the
        caller's transaction; False while a sender holds it (it is being sent right now) or it is
        not waiting.
        """
        now = utcnow()
        if item.status != OutboxStatus.PENDING:
            return False
        if item.claimed_until is not None and item.claimed_until > now:
            return False
        item.next_attempt_at = now
        queued_ids(self.session).append(item.id)
        return True

    def _coalesce(self, person_id: int, subject_key: str, kind: OutboxKind) -> None:
        """Older waiting scores of the same kind are superseded by the new one, except one a
        sender is delivering right now, and one carrying a comment (it must still arrive)."""
        now = utcnow()
        waiting = self.session.scalars(
            select(OutboxItem).where(
                OutboxItem.subject_key == subject_key,
                OutboxItem.person_id == person_id,
                OutboxItem.kind == kind,
                OutboxItem.status == OutboxStatus.PENDING,
            )
        )
        ids = [item.id for item in waiting if not item.payload.get("comment")]
        if ids:
            self.session.execute(
                update(OutboxItem)
                .where(OutboxItem.id.in_(ids), unclaimed(now))
                .values(status=OutboxStatus.SUPERSEDED)
                .execution_options(synchronize_session="fetch")
            )


def lineitem_url_of(item: OutboxItem) -> str | None:
    """The line item a row was (or will be) posted to."""
    url = item.target.get("lineitem_url") or item.target.get(RESOLVED_URL)
    return str(url) if url else None


def unclaimed(now: datetime) -> ColumnElement[bool]:
    return or_(OutboxItem.claimed_until.is_(None), OutboxItem.claimed_until <= now)


def unblocked() -> ColumnElement[bool]:
    """No earlier row of the same subject and person is still pending."""
    earlier = aliased(OutboxItem)
    return ~exists().where(
        earlier.subject_key == OutboxItem.subject_key,
        earlier.person_id == OutboxItem.person_id,
        earlier.status == OutboxStatus.PENDING,
        earlier.id < OutboxItem.id,
    )


def claimable(now: datetime) -> ColumnElement[bool]:
    return and_(
        OutboxItem.status == OutboxStatus.PENDING,
        OutboxItem.next_attempt_at <= now,
        unclaimed(now),
        unblocked(),
    )
