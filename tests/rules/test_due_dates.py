"""The due-date rule on its own: what Canvas sends, whose date counts, and when work is late."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from lti_tool.lti.canvas.custom import due_at, expanded_custom
from lti_tool.models import Prompt, Reflection
from lti_tool.services.reflections import due_date, is_late

DUE = datetime(2026, 12, 4, 23, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    "raw",
    ["2026-12-04T23:59:00Z", "2026-12-04T23:59:00+00:00", "2026-12-04T18:59:00-05:00"],
)
def test_canvas_due_dates_are_read_in_any_offset(raw: str) -> None:
    assert due_at({"due_at": raw}) == DUE


def test_an_unexpanded_variable_means_no_due_date() -> None:
    """Canvas sends `$Canvas.assignment.dueAt.iso8601` itself when the assignment has none."""
    custom = expanded_custom({"due_at": "$Canvas.assignment.dueAt.iso8601", "program": "officers"})
    assert custom == {"program": "officers"}
    assert due_at(custom) is None


@pytest.mark.parametrize("raw", ["", "tomorrow", "2026-13-40T00:00:00Z"])
def test_an_unreadable_due_date_is_none(raw: str) -> None:
    assert due_at({"due_at": raw}) is None


def test_the_participants_own_due_date_wins_over_the_prompts() -> None:
    prompt = Prompt(title="t", body="b", due_at=DUE)
    extended = DUE + timedelta(days=2)
    assert due_date(Reflection(due_at=extended), prompt) == extended
    assert due_date(Reflection(due_at=None), prompt) == DUE
    assert due_date(Reflection(due_at=None), Prompt(title="t", body="b")) is None


def test_work_is_late_only_after_the_due_moment() -> None:
    assert not is_late(DUE, DUE)
    assert is_late(DUE + timedelta(seconds=1), DUE)
    assert not is_late(DUE - timedelta(days=1), DUE)
    assert not is_late(DUE + timedelta(days=365), None)
