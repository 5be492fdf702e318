"""Learning a course's placed prompts from its line items (the rules; the HTTP path through the
demo Canvas is in tests/integration/test_placed_prompts.py)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from flask import Flask
from sqlalchemy import event, select, update
from sqlalchemy.exc import OperationalError

from lti_tool.lti.advantage.http import ServiceError
from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.models import Course, Prompt, Registration
from lti_tool.services import placements
from lti_tool.web import session_scope, wiring
from tests.reflections.conftest import CANVAS, Canvas

NOW = datetime(2031, 3, 1, 12, 0, tzinfo=UTC)
LINE_ITEMS = f"{CANVAS}/api/lti/courses/42/line_items"


class FakeCanvas:
    """Answers the line-items listing like Canvas, and counts the calls."""

    def __init__(self, entries: list[dict[str, Any]], fail: bool = False) -> None:
        self.entries = entries
        self.fail = fail
        self.calls: list[dict[str, str]] = []

    def find_line_items(
        self, credentials: Credentials, lineitems_url: str, **filters: str
    ) -> list[dict[str, Any]]:
        self.calls.append(filters)
        if self.fail:
            raise ServiceError("Canvas said no", status=503)
        return [e for e in self.entries if all(e.get(k) == v for k, v in filters.items())]


def _item(number: int, resource_id: str, label: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"{LINE_ITEMS}/{number}",
        "scoreMaximum": 10,
        "label": label,
        "resourceId": resource_id,
        "tag": "reflection",
        **extra,
    }


def _refresh(app: Flask, fake: FakeCanvas, **kwargs: Any) -> placements.PlacementSummary | None:
    with app.app_context(), session_scope(app) as session:
        course = session.scalars(select(Course)).one()
        return placements.refresh_if_stale(session, fake, course, NOW, **kwargs)  # type: ignore[arg-type]


def test_line_items_tie_placed_prompts_and_bring_in_bank_ones(canvas: Canvas, app: Flask) -> None:
    placed = canvas.place({"source": "officers-rights-prevention"})
    prompt_id = int(placed["custom"]["prompt_id"])
    fake = FakeCanvas(
        [
            _item(
                1,
                f"reflection-prompt-{prompt_id}",
                "Week 1: rights",
                resourceLinkId="rl-a",
                endDateTime="2031-03-08T23:59:00Z",
            ),
            _item(2, "reflection-bank-officers-systemic-routine", "Week 2 reflection"),
            _item(3, "something-else", "Not ours"),
            {**_item(4, "reflection-bank-officers-risk-moments", "Other tag"), "tag": "quiz"},
        ]
    )
    summary = _refresh(app, fake)
    assert summary == placements.PlacementSummary(line_items=3, added=1)
    assert fake.calls == [{"tag": "reflection"}]
    with app.app_context(), session_scope(app) as session:
        prompts = {p.lineitem_url: p for p in session.scalars(select(Prompt))}
        own = prompts[f"{LINE_ITEMS}/1"]
        assert own.id == prompt_id and own.canvas_title == "Week 1: rights"
        assert own.resource_link_id == "rl-a"
        assert own.due_at == datetime(2031, 3, 8, 23, 59, tzinfo=UTC)
        bank = prompts[f"{LINE_ITEMS}/2"]
        assert bank.bank_key == "officers-systemic-routine" and bank.week == 2
        assert len(prompts) == 2


def test_a_refresh_is_claimed_once_and_never_duplicates(canvas: Canvas, app: Flask) -> None:
    canvas.instructor(link="nav", custom={"program": "officers"})
    fake = FakeCanvas([_item(2, "reflection-bank-officers-systemic-routine", "Week 2")])
    assert _refresh(app, fake) is not None
    assert _refresh(app, fake) is None  # fresh: not asked again
    assert _refresh(app, fake, max_age=None) is None
    with app.app_context(), session_scope(app) as session:
        course = session.scalars(select(Course)).one()
        course.placements_synced_at = NOW - timedelta(hours=1)
    assert _refresh(app, fake) == placements.PlacementSummary(line_items=1, added=0)
    assert len(fake.calls) == 2
    with app.app_context(), session_scope(app) as session:
        assert len(session.scalars(select(Prompt)).all()) == 1


def test_canvas_refusing_leaves_everything_and_the_launch_works(canvas: Canvas, app: Flask) -> None:
    canvas.instructor(link="nav", custom={"program": "officers"})
    assert _refresh(app, FakeCanvas([], fail=True)) is None
    with app.app_context(), session_scope(app) as session:
        assert session.scalars(select(Prompt)).all() == []


def test_the_worker_refreshes_courses_gone_stale(canvas: Canvas, app: Flask) -> None:
    canvas.instructor(link="nav", custom={"program": "officers"})
    fake = FakeCanvas([_item(2, "reflection-bank-officers-systemic-routine", "Week 2")])
    later = NOW + placements.WORKER_MAX_AGE
    sessions = wiring(app).sessions
    with app.app_context():
        with session_scope(app) as session:
            course = session.scalars(select(Course)).one()
            course.placements_synced_at = NOW
        assert placements.refresh_stale(sessions, fake, NOW) == 0  # type: ignore[arg-type]
        assert placements.refresh_stale(sessions, fake, later) == 1  # type: ignore[arg-type]
        with session_scope(app) as session:
            assert session.scalars(select(Prompt.canvas_title)).one() == "Week 2"


@contextmanager
def commits_elsewhere_before_storing(app: Flask) -> Iterator[list[str]]:
    """Just before the refresh stores a new prompt, another connection of the tool commits (the
    delivery thread recording a sent grade, as under `make run`). Yields what it managed: on
    SQLite it waits a moment for the write lock and gives up if the refresh holds it."""
    engine = wiring(app).engine
    outcome: list[str] = []

    def meanwhile(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if outcome or not statement.lstrip().upper().startswith("INSERT INTO PROMPT"):
            return
        with engine.connect() as other:
            if engine.dialect.name == "sqlite":
                other.exec_driver_sql("PRAGMA busy_timeout=200")
            try:
                other.execute(update(Registration).values(issuer=Registration.issuer))
                other.commit()
                outcome.append("committed")
            except OperationalError:
                outcome.append("waited for the refresh")
            finally:
                if engine.dialect.name == "sqlite":
                    other.exec_driver_sql("PRAGMA busy_timeout=30000")

    event.listen(engine, "before_cursor_execute", meanwhile)
    try:
        yield outcome
    finally:
        event.remove(engine, "before_cursor_execute", meanwhile)


def test_a_commit_elsewhere_while_storing_does_not_lose_the_refresh(
    canvas: Canvas, app: Flask
) -> None:
    """SQLite refuses a write from a read snapshot another connection committed over; the
    refresh writes first after the Canvas call, so it is stored on both databases."""
    canvas.instructor(link="nav", custom={"program": "officers"})
    fake = FakeCanvas([_item(2, "reflection-bank-officers-systemic-routine", "Week 2")])
    with commits_elsewhere_before_storing(app) as outcome:
        assert _refresh(app, fake) == placements.PlacementSummary(line_items=1, added=1)
    assert outcome, "the other connection never ran"
    with app.app_context(), session_scope(app) as session:
        assert session.scalars(select(Prompt.canvas_title)).one() == "Week 2"
