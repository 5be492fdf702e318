"""Placing a prompt in Canvas by deep linking: pick from the program's bank or write one."""

from __future__ import annotations

from typing import Any

from flask import render_template, request

from lti_tool.auth import current_launch, launch_required
from lti_tool.db import parse_int
from lti_tool.lti.deep_linking import GradedLink, deep_link_response
from lti_tool.lti.errors import LaunchError
from lti_tool.models import GradingType
from lti_tool.services.placements import PROMPT_TAG
from lti_tool.services.programs import Program, get_program
from lti_tool.services.prompts import (
    CUSTOM_PROMPT_ID,
    PromptInput,
    PromptInvalid,
    input_from_bank,
)
from lti_tool.views.instructor.blueprint import (
    bp,
    choose_program_page,
)
from lti_tool.views.scope import member
from lti_tool.web import get_session, services


@bp.get("/deep-link")
@launch_required("instructor")
def deep_link() -> Any:
    """Placing a prompt (link_selection, assignment_selection): pick from the bank or write."""
    _require_deep_linking()
    program = get_program(member().course.program_key or "")
    if program is None:
        return choose_program_page("deep_link")
    return _deep_link_form(program, {}, {})


def _require_deep_linking() -> None:
    if not current_launch().is_deep_linking:
        raise LaunchError(
            "This page was not opened for placing content",
            "Start again from Canvas: Add item > External tool, or an assignment's Find button.",
        )


def _deep_link_form(program: Program, form: dict[str, str], errors: dict[str, str]) -> str:
    return render_template(
        "instructor/deep_link.html",
        course=member().course,
        launch=current_launch(),
        program=program,
        form=form,
        errors=errors,
        grading_types=list(GradingType),
    )


@bp.post("/deep-link")
@launch_required("instructor")
def place() -> Any:
    """Create the course's copy of the chosen prompt and answer Canvas with a signed link."""
    _require_deep_linking()
    scope, session, launch = member(), get_session(), current_launch()
    program = get_program(scope.course.program_key or "")
    if program is None:
        return choose_program_page("deep_link", 422)
    form = request.form.to_dict()
    data, bank_key, errors = _placement_input(program, form)
    week = placement_week(program, form.get("week", ""), errors)
    if not errors:
        try:
            prompt = services().prompts.create(scope.course, data, bank_key=bank_key, week=week)
        except PromptInvalid as invalid:
            errors = invalid.errors
    if errors:
        session.rollback()
        return _deep_link_form(program, form, errors), 422
    link = GradedLink(
        url=services().gateway.launch_url,
        title=prompt.title,
        text=prompt.body,
        score_maximum=prompt.points_possible,
        resource_id=prompt.resource_id,
        tag=PROMPT_TAG,
        custom={CUSTOM_PROMPT_ID: str(prompt.id), "program": program.key},
    )
    tool_conf = services().tool_conf
    response = deep_link_response(tool_conf, launch, [link])
    session.commit()
    return render_template(
        "instructor/deep_link_return.html", response=response, prompt=prompt, course=scope.course
    )


def placement_week(program: Program, raw: str, errors: dict[str, str]) -> int | None:
    """The module week the instructor chose (None: the bank prompt's own week)."""
    if not raw.strip():
        return None
    week = parse_int(raw)
    if week is None or program.module(week) is None:
        errors["week"] = f"Choose one of the program's weeks, 1 to {program.weeks}."
        return None
    return week


def _placement_input(
    program: Program, form: dict[str, str]
) -> tuple[PromptInput, str | None, dict[str, str]]:
    """The prompt to create: a bank prompt with the instructor's overrides, or their own."""
    source = form.get("source", "")
    if source == "own":
        base = PromptInput(title="", body="", points="10")
        bank_key = None
    else:
        bank = program.prompt(source)
        if bank is None:
            return PromptInput(title="", body=""), None, {"source": "Choose a prompt or write one."}
        base, bank_key = input_from_bank(bank), bank.key
    own = source == "own"
    data = PromptInput(
        title=(form.get("title", "") if own else "") or base.title,
        body=(form.get("body", "") if own else "") or base.body,
        guidance=(form.get("guidance", "") if own else "") or base.guidance,
        word_target=form.get("word_target", "").strip() or base.word_target,
        word_limit=form.get("word_limit", "").strip() or base.word_limit,
        points=form.get("points", "").strip() or base.points,
        grading_type=form.get("grading_type", "") or base.grading_type,
        rubric=form.get("rubric", "").strip() or base.rubric,
        outline=base.outline,
    )
    return data, bank_key, {}
