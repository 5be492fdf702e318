"""Canvas's grades read back through AGS results, so the tool never says "synced" on its word.

Read after each grade delivery (that person's result) and when an instructor opens a participant
or the *Grades in Canvas* page (every result of each line item of the course: one paged call per
line item, at most once per `read_interval` across instances).
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from lti_tool.lti.advantage.client import ServiceClient
from lti_tool.lti.advantage.http import ServiceError
from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.lti.storage import DbStorage
from lti_tool.models import (
    CanvasResult,
    Course,
    Grade,
    Person,
    Prompt,
    Reflection,
    Registration,
)
from lti_tool.models.grade_sync import OutboxItem, OutboxStatus
from lti_tool.services.grade_status import Points
from lti_tool.services.grading import prompt_id_of
from lti_tool.services.outbox import lineitem_url_of
from lti_tool.services.result_store import record_results

DEFAULT_READ_INTERVAL = timedelta(seconds=10)


@dataclass(frozen=True)
class ReadProblem:
    subject_key: str
    message: str


class CanvasResults:
    """Reads in its own short transactions: none is open while Canvas answers."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        client: ServiceClient,
        *,
        read_interval: timedelta = DEFAULT_READ_INTERVAL,
    ) -> None:
        self.sessions = sessions
        self.client = client
        self.read_interval = read_interval

    def refresh_course(
        self, course_id: int, now: datetime, *, subjects: set[str] | None = None
    ) -> list[ReadProblem]:
        """Read every line item the course's grades go to (or these subjects'); what Canvas
        would not answer is returned, and the last values read stay."""
        with self.sessions() as session:
            course = session.get_one(Course, course_id)
            if course.registration_id is None:
                return []  # a sample course: no Canvas behind it
            credentials = Credentials.of(session.get_one(Registration, course.registration_id))
            due = [
                (subject_key, url)
                for subject_key, url in sorted(self._line_items(session, course).items())
                if (subjects is None or subject_key in subjects)
                and self._may_read(session, credentials.registration_id, url)
            ]
            session.commit()
        problems = []
        for subject_key, url in due:
            try:
                results = self.client.results(credentials, url)
            except ServiceError as error:
                problems.append(ReadProblem(subject_key, error.message))
                continue
            with self.sessions() as session:
                course = session.get_one(Course, course_id)
                subs = {str(r.get("userId")) for r in results}
                people = self._people(session, course, subject_key, subs)
                changed = record_results(
                    session, course_id, subject_key, url, results, now, people=people
                )
                _graded_elsewhere(session, subject_key, changed)
                session.commit()
        return problems

    @staticmethod
    def _line_items(session: Session, course: Course) -> dict[str, str]:
        """Subject -> line item URL: where the course's rows went, else the prompt's own."""
        urls: dict[str, str] = {}
        prompts = session.scalars(
            select(Prompt).where(Prompt.course_id == course.id, Prompt.lineitem_url.is_not(None))
        )
        for prompt in prompts:
            urls[f"prompt:{prompt.id}"] = str(prompt.lineitem_url)
        rows = session.scalars(
            select(OutboxItem)
            .where(OutboxItem.course_id == course.id, OutboxItem.status == OutboxStatus.SENT)
            .order_by(OutboxItem.id)
        )
        for item in rows:
            url = lineitem_url_of(item)
            if url:
                urls[item.subject_key] = url
        return urls

    @staticmethod
    def _people(
        session: Session, course: Course, subject_key: str, subs: set[str]
    ) -> dict[str, int]:
        """The course's people Canvas returned a result for, and those the tool knew a result
        or a row of (so a grade deleted in Canvas is seen as gone)."""
        known = select(CanvasResult.person_id).where(
            CanvasResult.course_id == course.id, CanvasResult.subject_key == subject_key
        )
        queued = select(OutboxItem.person_id).where(
            OutboxItem.course_id == course.id, OutboxItem.subject_key == subject_key
        )
        people = session.execute(
            select(Person.sub, Person.id).where(
                Person.registration_id == course.registration_id,
                Person.sub.in_(subs) | Person.id.in_(known) | Person.id.in_(queued),
            )
        ).all()
        return {sub: person_id for sub, person_id in people}

    def _may_read(self, session: Session, registration_id: int, lineitem_url: str) -> bool:
        """One read per line item and interval, whichever instance or page asks."""
        if self.read_interval <= timedelta(0):
            return True
        scope = f"{registration_id} {lineitem_url}".encode()
        key = "read-results-" + hashlib.sha256(scope).hexdigest()
        return DbStorage(session).claim_once(key, int(self.read_interval.total_seconds()))


def _graded_elsewhere(session: Session, subject_key: str, people: list[int]) -> None:
    """A grade that appeared in Canvas (SpeedGrader, the gradebook) answers the reflection: it
    leaves "Awaiting feedback", as a grade given in the tool does. A read-back of the tool's own
    grade changes nothing."""
    prompt_id = prompt_id_of(subject_key)
    if prompt_id is None or not people:
        return
    waiting = session.scalars(
        select(Reflection).where(
            Reflection.prompt_id == prompt_id,
            Reflection.person_id.in_(people),
            Reflection.waiting_since.is_not(None),
        )
    )
    for reflection in waiting:
        result = session.scalars(
            select(CanvasResult).where(
                CanvasResult.person_id == reflection.person_id,
                CanvasResult.subject_key == subject_key,
            )
        ).first()
        grade = session.scalar(select(Grade).where(Grade.reflection_id == reflection.id))
        if result is None or result.score is None or _is_tools(grade, reflection, result):
            continue
        reflection.waiting_since = None


def _is_tools(grade: Grade | None, reflection: Reflection, result: CanvasResult) -> bool:
    if grade is None or grade.version_number != reflection.version_count or result.score is None:
        return False
    return Points(grade.score_given, grade.score_maximum).same_as(
        Points(result.score, result.maximum)
    )
