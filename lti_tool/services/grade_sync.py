"""Grades and submissions bound for Canvas, queued durably in the caller's transaction.

Nothing here talks to Canvas: a row in the outbox is written together with the grade or
submission it reports, so a crash after the commit loses nothing; the sender and the
`sync run` worker deliver it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from datetime import datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from lti_tool.db import utcnow
from lti_tool.lti import canvas
from lti_tool.models import Course, Person
from lti_tool.models.grade_sync import OutboxItem, OutboxKind, OutboxStatus


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
        payload = canvas.submission_score(
            user_id=person.sub,
            submitted_at=submitted_at,
            review_url=review_url,
            new_attempt=new_attempt,
            timestamp=utcnow(),
        )
        return self._enqueue(course, person, subject_key, OutboxKind.SUBMISSION, target, payload)

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
        payload = canvas.grade_score(
            user_id=person.sub,
            score_given=score_given,
            score_maximum=target.score_maximum,
            comment=comment,
            override_manual=override_manual,
            review_url=review_url,
            submitted_at=submitted_at,
            timestamp=utcnow(),
        )
        return self._enqueue(course, person, subject_key, OutboxKind.GRADE, target, payload)

    def _enqueue(
        self,
        course: Course,
        person: Person,
        subject_key: str,
        kind: OutboxKind,
        target: ScoreTarget,
        payload: dict[str, object],
    ) -> OutboxItem:
        """Queue a score; an older one of the same kind still waiting is superseded by it."""
        self.session.execute(
            update(OutboxItem)
            .where(
                OutboxItem.subject_key == subject_key,
                OutboxItem.person_id == person.id,
                OutboxItem.kind == kind,
                OutboxItem.status == OutboxStatus.PENDING,
            )
            .values(status=OutboxStatus.SUPERSEDED)
        )
        item = OutboxItem(
            registration_id=course.registration_id,
            course_id=course.id,
            person_id=person.id,
            subject_key=subject_key,
            kind=kind,
            target=asdict(target),
            payload=payload,
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
        )
        self.session.add(item)
        self.session.flush()
        return item
