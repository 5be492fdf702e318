"""Editing the course's copy of a prompt."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request

from lti_tool.auth import launch_required, token_url
from lti_tool.db import utcnow
from lti_tool.models import GradingType, Prompt
from lti_tool.services.programs import get_program
from lti_tool.services.prompts import (
    PromptInput,
    PromptInvalid,
    rubric_text,
)
from lti_tool.views.canvas_points import put_points_to_canvas
from lti_tool.views.instructor.blueprint import bp
from lti_tool.views.instructor.placing import placement_week
from lti_tool.views.scope import actor, course_prompt, member
from lti_tool.web import get_session, services


@bp.post("/prompts/<int:prompt_id>/release")
@launch_required("instructor")
def release_prompt(prompt_id: int) -> Any:
    """Show a placed prompt to participants now, rather than at the first one's launch."""
    prompt = course_prompt(prompt_id)
    services().prompts.release(prompt, utcnow(), actor=actor())
    get_session().commit()
    return redirect(
        token_url("instructor.prompt_page", prompt_id=prompt.id, notice="released"), 303
    )


@bp.route("/prompts/<int:prompt_id>/edit", methods=["GET", "POST"])
@launch_required("instructor")
def edit_prompt(prompt_id: int) -> Any:
    prompt = course_prompt(prompt_id)
    if request.method == "GET":
        return _prompt_form(prompt, _input_from_prompt(prompt), week=str(prompt.week or ""))
    data = _prompt_input(request.form, outline=tuple(prompt.outline))
    raw_week = request.form.get("week", "")
    errors: dict[str, str] = {}
    program = get_program(member().course.program_key or "")
    week = placement_week(program, raw_week, errors) if program is not None else None
    points_before = prompt.points_possible
    try:
        if errors:
            raise PromptInvalid(errors)
        services().prompts.update(prompt, data, actor=actor(), week=week)
    except PromptInvalid as invalid:
        get_session().rollback()
        return _prompt_form(prompt, data, {**invalid.errors, **errors}, week=raw_week), 422
    get_session().commit()
    changed = prompt.points_possible != points_before
    notice = put_points_to_canvas(prompt, points_before) if changed else "prompt"
    return redirect(token_url("instructor.prompt_page", prompt_id=prompt.id, notice=notice), 303)


def _prompt_form(
    prompt: Prompt, data: PromptInput, errors: dict[str, str] | None = None, *, week: str
) -> str:
    course = member().course
    return render_template(
        "instructor/prompt_edit.html",
        course=course,
        prompt=prompt,
        data=data,
        errors=errors or {},
        grading_types=list(GradingType),
        program=get_program(course.program_key or ""),
        week=week,
    )


def _input_from_prompt(prompt: Prompt) -> PromptInput:
    return PromptInput(
        title=prompt.title,
        body=prompt.body,
        guidance=prompt.guidance,
        word_target=str(prompt.word_target or ""),
        word_limit=str(prompt.word_limit or ""),
        points=f"{prompt.points_possible:g}",
        grading_type=prompt.grading_type,
        rubric=rubric_text(prompt.rubric),
        outline=tuple(prompt.outline),
    )


def _prompt_input(form: Any, *, outline: tuple[str, ...] = ()) -> PromptInput:
    return PromptInput(
        title=form.get("title", ""),
        body=form.get("body", ""),
        guidance=form.get("guidance", ""),
        word_target=form.get("word_target", ""),
        word_limit=form.get("word_limit", ""),
        points=form.get("points", ""),
        grading_type=form.get("grading_type", GradingType.POINTS),
        rubric=form.get("rubric", ""),
        outline=outline,
    )
