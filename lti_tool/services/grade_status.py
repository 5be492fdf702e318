"""What reached Canvas: per-participant sync status, retries, "sync all" and reconciliation.

Everything is keyed on outbox rows (subject key such as `prompt:12`, person, kind), so it works
whatever produced the grades. The row that speaks for a (subject, person, kind) is the newest one
that was not superseded.

A row still waiting `STUCK_AFTER` after it was queued needs attention like a refused one: an
instructor can retry it, and "sync all" sends it again. It stays queued meanwhile, so a worker
that comes back still delivers it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_tool.db import utcnow
from lti_tool.lti.advantage.client import ServiceClient
from lti_tool.lti.advantage.http import ServiceError
from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.models import AuditAction, CanvasResult, Person, Reflection, Registration
from lti_tool.models.grade_sync import OutboxItem, OutboxKind, OutboxStatus
from lti_tool.services.audit import ADMIN, Actor, AuditLog
from lti_tool.services.grading import GradingService, prompt_id_of
from lti_tool.services.outbox import GradeSync, lineitem_url_of

SCORE_TOLERANCE = 1e-6
STUCK_AFTER = timedelta(minutes=2)
"""A delivery normally takes a second; a row waiting this long needs a person to look."""


class SyncState(StrEnum):
    """What the instructor's *Grades in Canvas* page says about a participant's prompt."""

    SYNCED = "synced"
    """Canvas's result, read back, equals the grade the tool sent (or the one kept from Canvas)."""
    SUBMITTED = "submitted"
    """The submission is in Canvas; no grade has been sent yet."""
    GRADED_IN_CANVAS = "graded_in_canvas"
    """Graded in SpeedGrader or the gradebook; the tool has no grade of its own."""
    PENDING = "pending"
    CONFIRMING = "confirming"
    """Sent; Canvas has not been read back since."""
    CANVAS_DIFFERS = "canvas_differs"
    """Canvas holds another grade than the tool's: the instructor chooses which wins."""
    NEEDS_ATTENTION = "needs_attention"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    SyncState.SYNCED: "Synced",
    SyncState.SUBMITTED: "Submitted, not graded yet",
    SyncState.GRADED_IN_CANVAS: "Graded in Canvas",
    SyncState.PENDING: "Pending",
    SyncState.CONFIRMING: "Sent, checking Canvas",
    SyncState.CANVAS_DIFFERS: "Canvas has another grade",
    SyncState.NEEDS_ATTENTION: "Needs attention",
}
SEVERITY = {
    SyncState.SYNCED: 0,
    SyncState.SUBMITTED: 0,
    SyncState.GRADED_IN_CANVAS: 0,
    SyncState.PENDING: 1,
    SyncState.CONFIRMING: 1,
    SyncState.CANVAS_DIFFERS: 2,
    SyncState.NEEDS_ATTENTION: 3,
}


@dataclass(frozen=True)
class Points:
    given: float
    maximum: float | None

    def same_as(self, other: Points) -> bool:
        """Equal as fractions of their maximum (Canvas may keep another scale)."""
        mine, theirs = self.given / (self.maximum or 1), other.given / (other.maximum or 1)
        return abs(mine - theirs) <= SCORE_TOLERANCE

    def __str__(self) -> str:
        return f"{self.given:g} / {self.maximum:g}" if self.maximum else f"{self.given:g}"


def is_stuck(item: OutboxItem, now: datetime) -> bool:
    return item.status == OutboxStatus.PENDING and item.created_at <= now - STUCK_AFTER


def attention_reason(item: OutboxItem, now: datetime) -> str:
    """Why a row needs attention, in words for the instructor (Canvas's own message if any)."""
    if item.status == OutboxStatus.NEEDS_ATTENTION:
        return item.last_error or "Canvas refused it."
    minutes = int((now - item.created_at).total_seconds() // 60)
    last = f" Last answer: {item.last_error}" if item.last_error else ""
    return (
        f"Not delivered after {minutes} minutes.{last} Retry sends it now; if it keeps "
        "waiting, tell your tool administrator (grade delivery may have stopped)."
    )


@dataclass(frozen=True)
class SyncRow:
    """One participant and one subject: the latest submission and grade rows."""

    subject_key: str
    label: str
    person: Person
    items: tuple[OutboxItem, ...]
    now: datetime
    canvas: CanvasResult | None = None

    @property
    def state(self) -> SyncState:
        if self.attention:
            return SyncState.NEEDS_ATTENTION
        if self.pending:
            return SyncState.PENDING
        expected, held = self.tool_points, self.canvas_points
        if expected is None:
            return SyncState.SUBMITTED if held is None else SyncState.GRADED_IN_CANVAS
        if not self._read_since_sent:
            return SyncState.CONFIRMING
        if held is not None and held.same_as(expected):
            return SyncState.SYNCED
        return SyncState.CANVAS_DIFFERS

    @property
    def sent_grade(self) -> OutboxItem | None:
        return next(
            (i for i in self.items if i.kind == OutboxKind.GRADE and i.status == OutboxStatus.SENT),
            None,
        )

    @property
    def tool_points(self) -> Points | None:
        """What Canvas should hold: the grade last sent, or Canvas's own kept after it."""
        canvas, sent = self.canvas, self.sent_grade
        if canvas is not None and canvas.kept_at is not None and canvas.kept_score is not None:
            if sent is None or sent.sent_at is None or canvas.kept_at >= sent.sent_at:
                return Points(canvas.kept_score, canvas.kept_maximum)
        if sent is None:
            return None
        return Points(float(sent.payload["scoreGiven"]), float(sent.payload["scoreMaximum"]))

    @property
    def canvas_points(self) -> Points | None:
        if self.canvas is None or self.canvas.score is None:
            return None
        return Points(self.canvas.score, self.canvas.maximum)

    @property
    def _read_since_sent(self) -> bool:
        sent = self.sent_grade
        if sent is None or sent.sent_at is None:
            return self.canvas is not None
        return self.canvas is not None and self.canvas.read_at >= sent.sent_at

    @property
    def synced_at(self) -> datetime | None:
        return max((i.sent_at for i in self.items if i.sent_at), default=None)

    @property
    def attention(self) -> list[OutboxItem]:
        """Refused rows, and rows still waiting after `STUCK_AFTER`."""
        return [
            i
            for i in self.items
            if i.status == OutboxStatus.NEEDS_ATTENTION or is_stuck(i, self.now)
        ]

    @property
    def pending(self) -> list[OutboxItem]:
        return [
            i for i in self.items if i.status == OutboxStatus.PENDING and i not in self.attention
        ]

    def reason(self, item: OutboxItem) -> str:
        return attention_reason(item, self.now)


def latest_items(
    session: Session, course_id: int, person_id: int | None = None
) -> list[OutboxItem]:
    """The newest non-superseded row of each (subject, person, kind) in a course."""
    newest = select(func.max(OutboxItem.id)).where(
        OutboxItem.course_id == course_id, OutboxItem.status != OutboxStatus.SUPERSEDED
    )
    if person_id is not None:
        newest = newest.where(OutboxItem.person_id == person_id)
    newest = newest.group_by(OutboxItem.subject_key, OutboxItem.person_id, OutboxItem.kind)
    return list(
        session.scalars(select(OutboxItem).where(OutboxItem.id.in_(newest)).order_by(OutboxItem.id))
    )


def course_rows(
    session: Session, course_id: int, person_id: int | None = None, now: datetime | None = None
) -> list[SyncRow]:
    now = now or utcnow()
    grouped: dict[tuple[str, int], list[OutboxItem]] = defaultdict(list)
    for item in latest_items(session, course_id, person_id):
        grouped[(item.subject_key, item.person_id)].append(item)
    people = {
        p.id: p
        for p in session.scalars(select(Person).where(Person.id.in_({k[1] for k in grouped})))
    }
    results = _canvas_results(session, course_id, person_id)
    rows = [
        SyncRow(
            subject,
            str(items[-1].target.get("label") or subject),
            people[pid],
            tuple(items),
            now,
            results.get((subject, pid)),
        )
        for (subject, pid), items in grouped.items()
    ]
    return sorted(rows, key=lambda r: (-SEVERITY[r.state], r.person.display_name, r.label))


def _canvas_results(
    session: Session, course_id: int, person_id: int | None
) -> dict[tuple[str, int], CanvasResult]:
    query = select(CanvasResult).where(CanvasResult.course_id == course_id)
    if person_id is not None:
        query = query.where(CanvasResult.person_id == person_id)
    return {(r.subject_key, r.person_id): r for r in session.scalars(query)}


def row_for(session: Session, course_id: int, person_id: int, subject_key: str) -> SyncRow | None:
    """One participant's row for one subject (their page, the instructor's review page)."""
    rows = course_rows(session, course_id, person_id)
    return next((row for row in rows if row.subject_key == subject_key), None)


def participant_status(rows: Iterable[SyncRow]) -> list[dict[str, Any]]:
    """What a participant may see: whether each grade and submission reached Canvas."""
    return [
        {
            "subject": row.subject_key,
            "label": row.label,
            "state": str(row.state),
            "canvas_grade": str(row.canvas_points) if row.canvas_points else None,
            "synced_at": row.synced_at.isoformat() if row.synced_at else None,
            "kinds": {str(i.kind): str(i.status) for i in row.items},
        }
        for row in rows
    ]


def retry(session: Session, course_id: int, item_id: int, actor: Actor) -> OutboxItem | None:
    """Send again a row that needs attention: a refused one as a fresh copy, a stuck one at once
    (only the newest of its kind is worth sending)."""
    item = session.get(OutboxItem, item_id)
    if item is None or item.course_id != course_id:
        return None
    if item.status not in (OutboxStatus.NEEDS_ATTENTION, OutboxStatus.PENDING):
        return None
    if item not in latest_items(session, course_id, item.person_id):
        if item.status == OutboxStatus.NEEDS_ATTENTION:
            item.status = OutboxStatus.SUPERSEDED
        return None
    resent = _send_again(GradeSync(session), item)
    if resent is not None:
        _record_resent(session, actor, course_id, f"row {item_id} queued (retry)")
    return resent


def _send_again(grade_sync: GradeSync, item: OutboxItem) -> OutboxItem | None:
    if item.status == OutboxStatus.PENDING:
        return item if grade_sync.due_now(item) else None
    return grade_sync.requeue(item)


def sync_all(session: Session, course_id: int, actor: Actor) -> list[OutboxItem]:
    """Send the course's latest grades again, with the submissions that never arrived and every
    row still waiting (sent at once, not copied)."""
    queued = []
    grade_sync = GradeSync(session)
    for item in latest_items(session, course_id):
        if item.kind == OutboxKind.SUBMISSION and item.status == OutboxStatus.SENT:
            continue
        resent = _send_again(grade_sync, item)
        if resent is not None:
            queued.append(resent)
    if queued:
        _record_resent(session, actor, course_id, f"{len(queued)} queued (sync all)")
    return queued


@dataclass(frozen=True)
class Difference:
    item: OutboxItem
    tool_score: float
    canvas_score: float | None
    """None when Canvas has no result for the person."""
    reason: str


def reconcile(
    session: Session, client: ServiceClient, *, repair: bool = False
) -> tuple[int, list[Difference]]:
    """Compare each latest sent grade with Canvas's result; returns (matching, differences).

    With `repair`, a differing grade is queued again (without its comment, which Canvas has).
    """
    matching, differences = 0, []
    for (registration_id, lineitem_url), items in _sent_grades(session).items():
        credentials = Credentials.of(session.get_one(Registration, registration_id))
        try:
            results = client.results(credentials, lineitem_url)
        except ServiceError as error:
            differences += [_difference(i, None, error.message) for i in items]
            continue
        by_user = {str(r.get("userId")): r for r in results}
        for item in items:
            found = _compare(item, by_user.get(str(item.payload["userId"])))
            if found is None:
                matching += 1
            else:
                differences.append(found)
    if repair:
        _requeue(session, differences)
    return matching, differences


def _requeue(session: Session, differences: list[Difference]) -> None:
    per_course: dict[int, int] = defaultdict(int)
    for difference in differences:
        if GradeSync(session).requeue(difference.item) is not None:
            per_course[difference.item.course_id] += 1
    for course_id, count in per_course.items():
        _record_resent(session, ADMIN, course_id, f"{count} queued (reconcile --repair)")


def _record_resent(session: Session, actor: Actor, course_id: int, detail: str) -> None:
    AuditLog(session).record(
        AuditAction.GRADES_RESENT,
        actor,
        course_id=course_id,
        subject_type="course",
        subject_id=course_id,
        detail=detail,
    )


def _sent_grades(session: Session) -> dict[tuple[int, str], list[OutboxItem]]:
    newest = (
        select(func.max(OutboxItem.id))
        .where(OutboxItem.status != OutboxStatus.SUPERSEDED, OutboxItem.kind == OutboxKind.GRADE)
        .group_by(OutboxItem.subject_key, OutboxItem.person_id)
    )
    grouped: dict[tuple[int, str], list[OutboxItem]] = defaultdict(list)
    for item in session.scalars(select(OutboxItem).where(OutboxItem.id.in_(newest))):
        url = lineitem_url_of(item)
        if item.status == OutboxStatus.SENT and url:
            grouped[(item.registration_id, str(url))].append(item)
    return grouped


def _compare(item: OutboxItem, result: dict[str, Any] | None) -> Difference | None:
    given, maximum = float(item.payload["scoreGiven"]), float(item.payload["scoreMaximum"])
    if result is None or result.get("resultScore") is None:
        return _difference(item, None, "Canvas has no grade for this person")
    canvas_score = float(result["resultScore"])
    canvas_maximum = float(result.get("resultMaximum") or maximum)
    if abs(canvas_score / (canvas_maximum or 1) - given / (maximum or 1)) <= SCORE_TOLERANCE:
        return None
    return _difference(item, canvas_score, "Canvas has a different grade")


def _difference(item: OutboxItem, canvas_score: float | None, reason: str) -> Difference:
    return Difference(item, float(item.payload["scoreGiven"]), canvas_score, reason)


class Winner(StrEnum):
    """Which grade wins when Canvas holds another one than the tool's."""

    CANVAS = "canvas"
    TOOL = "tool"


def choose_winner(
    session: Session,
    grading: GradingService,
    *,
    course_id: int,
    person: Person,
    subject_key: str,
    winner: Winner,
    actor: Actor,
    now: datetime,
) -> bool:
    """Settle a difference: keep Canvas's grade (it becomes the tool's, nothing is sent), or send
    the tool's grade again over the one typed in Canvas. False when there is nothing to settle."""
    row = row_for(session, course_id, person.id, subject_key)
    if row is None or row.state not in (SyncState.CANVAS_DIFFERS, SyncState.GRADED_IN_CANVAS):
        return False
    if winner == Winner.TOOL:
        return _send_tool_grade(session, row, actor)
    return _keep_canvas_grade(session, grading, row, actor, now)


def _send_tool_grade(session: Session, row: SyncRow, actor: Actor) -> bool:
    sent = row.sent_grade
    copy = GradeSync(session).requeue(sent, over_canvas=True) if sent else None
    if copy is None:
        return False
    detail = f"row {sent.id if sent else 0} queued (the tool's grade over Canvas's)"
    _record_resent(session, actor, copy.course_id, detail)
    return True


def _keep_canvas_grade(
    session: Session, grading: GradingService, row: SyncRow, actor: Actor, now: datetime
) -> bool:
    held, canvas = row.canvas_points, row.canvas
    prompt_id = prompt_id_of(row.subject_key)
    reflection = (
        session.scalar(
            select(Reflection).where(
                Reflection.prompt_id == prompt_id, Reflection.person_id == row.person.id
            )
        )
        if prompt_id is not None
        else None
    )
    grader = session.get(Person, actor.person_id) if actor.person_id else None
    if held is None or canvas is None or reflection is None or grader is None:
        return False
    canvas.kept_score, canvas.kept_maximum, canvas.kept_at = held.given, held.maximum, now
    if reflection.version_count:
        points = reflection.prompt.points_possible
        given = held.given / held.maximum * points if held.maximum else held.given
        grading.keep_canvas_grade(reflection, given, grader, now)
    AuditLog(session).record(
        AuditAction.GRADE_SAVED,
        actor,
        course_id=reflection.course_id,
        subject_type="reflection",
        subject_id=reflection.id,
        detail=f"kept Canvas's grade {held}",
    )
    return True
