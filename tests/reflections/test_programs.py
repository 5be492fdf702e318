"""The two course programs as data, and the prompts the demo courses come with."""

from __future__ import annotations

import pytest

from lti_tool.services.programs import all_programs, find_bank_prompt, get_program, sample_prompts

THEMES = {
    "Rights promotion and protection as prevention",
    "Systemic racism in policing structures",
    "Implicit bias in individual decisions",
    "Policing multicultural communities and community policing",
    "Risk factors for rights violations against minorities",
}


def test_programs_match_the_course_design() -> None:
    officers, leaders = get_program("officers"), get_program("leaders")
    assert officers is not None and leaders is not None
    assert (officers.weeks, officers.capacity, officers.hours_label) == (
        2,
        75,
        "about 4 hours a week",
    )
    assert (leaders.weeks, leaders.capacity, leaders.hours_label) == (6, 25, "4 to 6 hours a week")
    assert THEMES <= set(officers.themes.values()) and THEMES <= set(leaders.themes.values())
    assert get_program("cadets") is None


@pytest.mark.parametrize("key", ["officers", "leaders"])
def test_every_week_and_theme_has_prompts(key: str) -> None:
    program = get_program(key)
    assert program is not None
    assert [m.week for m in program.modules] == list(range(1, program.weeks + 1))
    for module in program.modules:
        assert program.prompts_for_week(module.week), module.title
    covered = {prompt.theme for prompt in program.prompts}
    assert covered == set(program.themes)
    keys = [prompt.key for prompt in program.prompts]
    assert len(keys) == len(set(keys))
    for prompt in program.prompts:
        assert prompt.word_target <= prompt.word_limit and prompt.points > 0
        if prompt.grading_type == "rubric":
            assert sum(c.points for c in prompt.rubric) == prompt.points


def test_leaders_end_with_a_structured_change_assessment() -> None:
    found = find_bank_prompt("leaders-change-assessment")
    assert found is not None
    program, prompt = found
    assert program.key == "leaders" and prompt.week == 6 and prompt.theme == "change"
    assert prompt.grading_type == "rubric" and len(prompt.outline) >= 5


@pytest.mark.parametrize("key", ["officers", "leaders"])
def test_a_sample_course_is_placed_with_one_bank_prompt_a_week(key: str) -> None:
    program = get_program(key)
    assert program is not None
    prompts = sample_prompts(program)
    assert [prompt.week for prompt in prompts] == list(range(1, program.weeks + 1))
    assert all(program.prompt(prompt.key) == prompt for prompt in prompts)


def test_two_programs() -> None:
    assert [program.key for program in all_programs()] == ["officers", "leaders"]
    assert get_program("cadets") is None
