"""The grading rules on their own: how typed points are read, and how a rubric adds up."""

from __future__ import annotations

import pytest

from lti_tool.models import GradingType, Prompt
from lti_tool.services.grading import GradeInput, GradeInvalid, parse_points, score


@pytest.mark.parametrize(
    ("typed", "points"),
    [("8", 8.0), (" 7.5 ", 7.5), ("7,5", 7.5), ("0", 0.0), ("10", 10.0), ("1e1", 10.0)],
)
def test_points_as_typed_are_read(typed: str, points: float) -> None:
    assert parse_points(typed, 10.0) == points


@pytest.mark.parametrize(
    "typed", ["", "  ", "ten", "10.5", "-1", "nan", "NaN", "inf", "-0.1", "1,5,0", "8 points"]
)
def test_anything_else_is_refused(typed: str) -> None:
    assert parse_points(typed, 10.0) is None


def _rubric_prompt(points: float = 10.0) -> Prompt:
    return Prompt(
        title="Rights",
        body="What happened?",
        points_possible=points,
        grading_type=GradingType.RUBRIC,
        rubric=[
            {"key": "c1", "label": "Reasoning", "points": 6.0},
            {"key": "c2", "label": "Rights named", "points": 4.0},
        ],
    )


def test_a_rubric_adds_its_criteria() -> None:
    result = score(_rubric_prompt(), GradeInput(rubric={"c1": "5,5", "c2": "3"}))
    assert (result.given, result.rubric, result.complete) == (8.5, {"c1": 5.5, "c2": 3.0}, None)


def test_a_rubric_total_never_exceeds_the_prompts_points() -> None:
    """Criteria may add up to more than the prompt's points after an edit of the points."""
    result = score(_rubric_prompt(points=8.0), GradeInput(rubric={"c1": "6", "c2": "4"}))
    assert result.given == 8.0


def test_a_rubric_names_every_criterion_out_of_range() -> None:
    with pytest.raises(GradeInvalid) as refused:
        score(_rubric_prompt(), GradeInput(rubric={"c1": "7", "c2": ""}))
    assert refused.value.errors == {
        "rubric-c1": "Reasoning: enter 0 to 6.",
        "rubric-c2": "Rights named: enter 0 to 4.",
    }


def test_complete_gives_all_points_or_none() -> None:
    prompt = Prompt(title="t", body="b", points_possible=5.0, grading_type=GradingType.COMPLETE)
    assert score(prompt, GradeInput(complete="complete")).given == 5.0
    assert score(prompt, GradeInput(complete="incomplete")).given == 0.0
    with pytest.raises(GradeInvalid):
        score(prompt, GradeInput(complete=""))


def test_points_outside_the_prompts_range_are_refused() -> None:
    prompt = Prompt(title="t", body="b", points_possible=10.0, grading_type=GradingType.POINTS)
    assert score(prompt, GradeInput(points="9.5")).given == 9.5
    with pytest.raises(GradeInvalid) as refused:
        score(prompt, GradeInput(points="11"))
    assert refused.value.errors == {"points": "Enter points from 0 to 10."}
