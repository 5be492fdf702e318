"""Where a participant stands in their course: the weeks, which one is current, what is due and
what they have submitted. Pure rules over the participant's own items; no queries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from lti_tool.services.programs import Program
from lti_tool.services.workspace import OwnItem


def due_of(item: OwnItem) -> datetime | None:
    """The participant's own due date (from their launch), else the assignment's."""
    own = item.reflection.due_at if item.reflection is not None else None
    return own or item.prompt.due_at


def is_submitted(item: OwnItem) -> bool:
    return item.reflection is not None and item.reflection.version_count > 0


@dataclass(frozen=True)
class WeekPlan:
    number: int
    title: str
    items: list[OwnItem]
    is_current: bool

    @property
    def due_at(self) -> datetime | None:
        """The week's last due date: when everything in it is due."""
        dates = [due for item in self.items if (due := due_of(item)) is not None]
        return max(dates) if dates else None

    @property
    def submitted(self) -> int:
        return sum(1 for item in self.items if is_submitted(item))


@dataclass(frozen=True)
class Orientation:
    course_title: str
    program: Program | None
    weeks: list[WeekPlan]
    current_week: int | None
    other_items: list[OwnItem]
    """Prompts without a week (an instructor's own, placed outside the weekly modules)."""

    @property
    def week_count(self) -> int:
        return self.program.weeks if self.program is not None else len(self.weeks)

    @property
    def items(self) -> list[OwnItem]:
        return [item for week in self.weeks for item in week.items] + self.other_items

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def submitted(self) -> int:
        return sum(1 for item in self.items if is_submitted(item))

    def next_due(self, now: datetime) -> OwnItem | None:
        """The earliest upcoming prompt not yet submitted."""
        open_items = [
            (due, item)
            for item in self.items
            if not is_submitted(item) and (due := due_of(item)) is not None and due >= now
        ]
        return min(open_items, key=lambda pair: pair[0])[1] if open_items else None


def orient(
    course_title: str,
    program: Program | None,
    items: list[OwnItem],
    now: datetime,
    course_start: datetime | None = None,
) -> Orientation:
    """Weeks come from the program (every week shown, also those with nothing placed yet)."""
    numbers = sorted(
        {m.week for m in program.modules}
        if program is not None
        else {item.prompt.week for item in items if item.prompt.week is not None}
    )
    titles = {m.week: m.title for m in program.modules} if program is not None else {}
    by_week = {n: [item for item in items if item.prompt.week == n] for n in numbers}
    current = current_week(by_week, now, course_start)
    return Orientation(
        course_title=course_title,
        program=program,
        weeks=[WeekPlan(n, titles.get(n, ""), by_week[n], n == current) for n in numbers],
        current_week=current,
        other_items=[item for item in items if item.prompt.week not in by_week],
    )


def current_week(
    by_week: dict[int, list[OwnItem]], now: datetime, course_start: datetime | None
) -> int | None:
    """The first week whose due dates are still ahead (the last week once all have passed);
    without due dates, counted from the course's start; None when neither is known."""
    if not by_week:
        return None
    due_by_week = {
        week: max(dates)
        for week, items in by_week.items()
        if (dates := [due for item in items if (due := due_of(item)) is not None])
    }
    if due_by_week:
        upcoming = [week for week, due in sorted(due_by_week.items()) if due >= now]
        return upcoming[0] if upcoming else max(due_by_week)
    if course_start is not None:
        elapsed = (now - course_start).days // 7 + 1
        return min(max(elapsed, min(by_week)), max(by_week))
    return None
