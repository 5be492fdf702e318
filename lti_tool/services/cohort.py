"""Finding people in a cohort: every participant x prompt of a course with its status, filtered,
sorted and searched; the order save-and-next follows; the participant x week matrix; the list
of who to remind. Each answer is a fixed number of queries, whatever the roster."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, and_, or_, select, true
from sqlalchemy.orm import Session

from lti_tool.models import CanvasResult, Course, Grade, Person, Prompt, Reflection
from lti_tool.services.feedback import FeedbackService
from lti_tool.services.grading import subject_key
from lti_tool.services.workspace import Status, participants_query, status_of

MAX_SEARCH = 100
REMIND = (Status.NOT_STARTED, Status.DRAFT)
"""Who a reminder is for: nothing submitted yet."""


class Sort(StrEnum):
    WAITING = "waiting"
    NAME = "name"
    SUBMITTED = "submitted"

    @property
    def label(self) -> str:
        return _SORT_LABELS[self]


_SORT_LABELS = {
    Sort.WAITING: "Waiting longest first",
    Sort.NAME: "Name (A to Z)",
    Sort.SUBMITTED: "Submitted earliest first",
}


@dataclass(frozen=True)
class ListQuery:
    """Which rows a list shows, in which order. It travels in the URL, so the review page
    knows the list the instructor came from and "next" follows it."""

    prompt_id: int | None = None
    """One prompt's participants; None: the queue, over every prompt."""
    status: Status | None = Status.AWAITING_FEEDBACK
    sort: Sort = Sort.WAITING
    search: str = ""

    @classmethod
    def from_args(cls, args: Mapping[str, str], *, prompt_id: int | None = None) -> ListQuery:
        """The query named by request arguments; an unknown value falls back to the default
        (a prompt's table shows everyone, the queue who is waiting)."""
        default = None if prompt_id is not None else Status.AWAITING_FEEDBACK
        raw_status = args.get("status")
        status: Status | None = default
        if raw_status == "all":
            status = None
        elif raw_status in set(Status):
            status = Status(raw_status)
        raw_sort = args.get("sort", "")
        sort = Sort(raw_sort) if raw_sort in set(Sort) else Sort.WAITING
        search = " ".join(args.get("q", "").split())[:MAX_SEARCH]
        return cls(prompt_id, status, sort, search)

    @classmethod
    def from_review_args(cls, args: Mapping[str, str]) -> ListQuery:
        """The list a review page was opened from (`list=queue` or `list=prompt-<id>`)."""
        origin = args.get("list", "")
        prompt_id = None
        if origin.startswith("prompt-") and origin[7:].isdigit() and len(origin) < 20:
            prompt_id = int(origin[7:])
        return cls.from_args(args, prompt_id=prompt_id)

    @classmethod
    def everyone(cls, prompt_id: int | None = None) -> ListQuery:
        """Every participant (of one prompt, or of all), by name."""
        return cls(prompt_id, None, Sort.NAME)

    @property
    def origin(self) -> str:
        return "queue" if self.prompt_id is None else f"prompt-{self.prompt_id}"

    def params(self) -> dict[str, str]:
        """URL arguments that name this list from a review page."""
        found = {"list": self.origin, "sort": self.sort.value}
        found["status"] = self.status.value if self.status else "all"
        if self.search:
            found["q"] = self.search
        return found


@dataclass(frozen=True)
class Entry:
    """One participant's work on one prompt, as lists show it."""

    person: Person
    prompt: Prompt
    reflection: Reflection | None
    grade: Grade | None
    status: Status
    unread: int

    @property
    def reviewable(self) -> bool:
        """Something is submitted: the review page has a version to show."""
        return self.reflection is not None and self.reflection.version_count > 0


@dataclass(frozen=True)
class Neighbours:
    previous: Entry | None
    next: Entry | None
    position: int | None
    """1-based place of the current reflection in the list; None when it is not in it."""
    total: int


@dataclass(frozen=True)
class Matrix:
    prompts: list[Prompt]
    rows: list[tuple[Person, list[Entry]]]

    @property
    def weeks(self) -> list[tuple[int | None, int]]:
        """Each week with its number of prompt columns, in column order."""
        spans: list[tuple[int | None, int]] = []
        for prompt in self.prompts:
            if spans and spans[-1][0] == prompt.week:
                spans[-1] = (prompt.week, spans[-1][1] + 1)
            else:
                spans.append((prompt.week, 1))
        return spans


class CohortService:
    def __init__(self, session: Session) -> None:
        self.session = session
        self.feedback = FeedbackService(session)

    def entries(self, course: Course, viewer: Person, query: ListQuery) -> list[Entry]:
        """Participants x prompts of the course matching `query`, in its order (two queries)."""
        rows = self._all(course, viewer, query.prompt_id, query.status)
        found = [e for e in rows if matches(e, query)]
        return sorted(found, key=_SORT_KEYS[query.sort])

    def neighbours(self, entries: list[Entry], reflection_id: int) -> Neighbours:
        """Previous and next submitted reflections around this one. When it has left the list
        (saving answered it), "next" is the first other one still there."""
        reviewable = [e for e in entries if e.reviewable]
        ids = [e.reflection.id for e in reviewable if e.reflection]
        if reflection_id not in ids:
            following = next((e for e in reviewable), None)
            return Neighbours(None, following, None, len(reviewable))
        at = ids.index(reflection_id)
        previous = reviewable[at - 1] if at > 0 else None
        following = reviewable[at + 1] if at + 1 < len(reviewable) else None
        return Neighbours(previous, following, at + 1, len(reviewable))

    def matrix(self, course: Course, viewer: Person) -> Matrix:
        """Every participant (by name) x every prompt (by week): three queries."""
        prompts = list(
            self.session.scalars(
                select(Prompt)
                .where(Prompt.course_id == course.id)
                .order_by(Prompt.week.is_(None), Prompt.week, Prompt.id)
            )
        )
        column = {prompt.id: n for n, prompt in enumerate(prompts)}
        rows: dict[int, tuple[Person, list[Entry | None]]] = {}
        for entry in self.entries(course, viewer, ListQuery.everyone()):
            person, cells = rows.setdefault(entry.person.id, (entry.person, [None] * len(prompts)))
            cells[column[entry.prompt.id]] = entry
        return Matrix(prompts, [(p, [c for c in cells if c]) for p, cells in rows.values()])

    def _all(
        self,
        course: Course,
        viewer: Person,
        prompt_id: int | None,
        status: Status | None = None,
    ) -> list[Entry]:
        query = (
            participants_query(course)
            .add_columns(Prompt, Reflection, Grade)
            .join(Prompt, Prompt.course_id == course.id)
            .outerjoin(
                Reflection,
                and_(Reflection.person_id == Person.id, Reflection.prompt_id == Prompt.id),
            )
            .outerjoin(Grade, Grade.reflection_id == Reflection.id)
        )
        if prompt_id is not None:
            query = query.where(Prompt.id == prompt_id)
        if status is not None:
            query = query.where(_narrowing(status))
        rows = self.session.execute(query).all()
        unread = self.feedback.unread_counts(viewer, course)
        in_canvas = self._graded_in_canvas(course)
        return [
            Entry(
                person,
                prompt,
                reflection,
                grade,
                status_of(
                    reflection,
                    grade.version_number if grade else None,
                    graded_in_canvas=(person.id, subject_key(prompt)) in in_canvas,
                ),
                unread.get(reflection.id, 0) if reflection else 0,
            )
            for person, prompt, reflection, grade in rows
        ]

    def _graded_in_canvas(self, course: Course) -> set[tuple[int, str]]:
        """(person, line item) pairs where Canvas holds a grade, as last read back."""
        rows = self.session.execute(
            select(CanvasResult.person_id, CanvasResult.subject_key).where(
                CanvasResult.course_id == course.id, CanvasResult.score.is_not(None)
            )
        )
        return {(person_id, key) for person_id, key in rows}


def _narrowing(status: Status) -> ColumnElement[bool]:
    """A condition every row of `status` meets, so the database leaves out most of the others
    (status_of still decides: this only narrows)."""
    submitted = Reflection.version_count > 0
    if status in REMIND:
        return or_(Reflection.id.is_(None), Reflection.version_count == 0)
    if status == Status.AWAITING_FEEDBACK:
        return and_(submitted, Reflection.waiting_since.is_not(None))
    if status in (Status.AWAITING_REPLY, Status.SUBMITTED, Status.GRADED):
        return and_(submitted, Reflection.waiting_since.is_(None))
    return true()


def to_remind(entries: list[Entry]) -> list[Entry]:
    """Who a reminder is for, by name: nothing submitted yet."""
    return sorted((e for e in entries if e.status in REMIND), key=_name_key)


def matches(entry: Entry, query: ListQuery) -> bool:
    if query.status is not None and entry.status != query.status:
        return False
    return not query.search or query.search.casefold() in entry.person.display_name.casefold()


def _name_key(entry: Entry) -> tuple[str, int, int]:
    return (entry.person.display_name.casefold(), entry.person.id, entry.prompt.id)


def _moment_key(moment: datetime | None, entry: Entry) -> tuple[Any, ...]:
    """Earliest first; rows without the moment last, by name."""
    return (moment is None, moment.timestamp() if moment else 0.0, *_name_key(entry))


_SORT_KEYS = {
    Sort.NAME: _name_key,
    Sort.WAITING: lambda e: _moment_key(e.reflection.waiting_since if e.reflection else None, e),
    Sort.SUBMITTED: lambda e: _moment_key(e.reflection.submitted_at if e.reflection else None, e),
}
