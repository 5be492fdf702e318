"""The demo's own seed data names prompts of the tool's published program bank: the same ones the
tool's sample course is placed with, so the demo and a walk-through show the same work."""

from __future__ import annotations

import pytest

from demo_canvas.seed import COURSES, SEEDED_BANK_PROMPTS, SeedCourse
from lti_tool.services.programs import find_bank_prompt, get_program, sample_prompts


@pytest.mark.parametrize("course", COURSES, ids=lambda course: course.code)
def test_each_seeded_week_links_a_bank_prompt_of_that_week_and_program(
    course: SeedCourse,
) -> None:
    links = SEEDED_BANK_PROMPTS[course.code]
    assert sorted(links) == list(range(1, course.weeks + 1))
    for week, custom in links.items():
        found = find_bank_prompt(custom["prompt_bank"])
        assert found is not None, custom
        program, prompt = found
        assert program.key == custom["program"] == course.code.lower()
        assert prompt.week == week
    program = get_program(course.code.lower())
    assert program is not None
    sample_course = [prompt.key for prompt in sample_prompts(program)]
    assert sample_course == [links[week]["prompt_bank"] for week in sorted(links)]
