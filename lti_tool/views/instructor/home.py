"""Where an instructor's launch lands: the workspace, choosing the course's program, the
feedback queue and a prompt's page."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from typing import Any

from flask import abort, redirect, render_template, request

from lti_tool.auth import current_launch, launch_required, token_url
from lti_tool.db import parse_int
from lti_tool.lti.canvas.review import REVIEW_PARAM
from lti_tool.models import Prompt
from lti_tool.services.cohort import CohortService, ListQuery, Sort, matches, to_remind
from lti_tool.services.programs import get_program
from lti_tool.services.workspace import Status
from lti_tool.views.canvas_grades import read_canvas_grades
from lti_tool.views.instructor.blueprint import (
    QUEUE_PREVIEW,
    bp,
    choose_program_page,
    course_reflection,
    notice,
)
from lti_tool.views.scope import course_prompt, member
from lti_tool.web import get_session, services


@bp.get("/")
@launch_required("instructor")
def home() -> Any:
    """Where a launch lands: SpeedGrader's `review=<id>`, the linked prompt, or the workspace.
    Read only: the launch itself decided the prompt and its due date."""
    launch, scope = current_launch(), member()
    if REVIEW_PARAM in request.args:
        reflection_id = parse_int(request.args[REVIEW_PARAM])
        if reflection_id is None:
            abort(404)
        reflection = course_reflection(reflection_id)
        return redirect(token_url("review.review", reflection_id=reflection.id), 303)
    prompt = services().prompts.linked(scope.course, launch.resource_link_id)
    if prompt is None:
        return _workspace_page()
    return _prompt_page(prompt)


@bp.get("/workspace")
@launch_required("instructor")
def workspace() -> Any:
    return _workspace_page()


def _workspace_page() -> Any:
    scope = member()
    program = get_program(scope.course.program_key or "")
    if program is None:
        return choose_program_page("workspace")
    service = services().workspace
    return render_template(
        "instructor/workspace.html",
        course=scope.course,
        program=program,
        capacity=services().programs.capacity(scope.course, program),
        prompts=services().prompts.for_course(scope.course),
        summary=service.summary(scope.course),
        queue=service.queue(scope.course, scope.person, limit=QUEUE_PREVIEW + 1),
        queue_preview=QUEUE_PREVIEW,
        statuses=list(Status),
        not_started=Status.NOT_STARTED,
        draft=Status.DRAFT,
        waiting=ListQuery(),
        notice=notice(),
    )


@bp.post("/program")
@launch_required("instructor")
def choose_program() -> Any:
    next_page = "deep_link" if request.form.get("next") == "deep_link" else "workspace"
    try:
        services().programs.choose(member().course, request.form.get("program", ""))
    except ValueError:
        return choose_program_page(next_page, 422)
    get_session().commit()
    return redirect(token_url(f"instructor.{next_page}", notice="program"), 303)


@bp.get("/queue")
@launch_required("instructor")
def queue() -> Any:
    """Reflections across the course's prompts, waiting for feedback unless filtered otherwise."""
    scope, query = member(), ListQuery.from_args(request.args)
    read_canvas_grades(scope.course)  # a grade given in SpeedGrader answers a reflection too
    return render_template(
        "instructor/queue.html",
        course=scope.course,
        query=query,
        entries=CohortService(get_session()).entries(scope.course, scope.person, query),
        statuses=list(Status),
        sorts=list(Sort),
        notice=notice(),
    )


@bp.get("/prompts/<int:prompt_id>")
@launch_required("instructor")
def prompt_page(prompt_id: int) -> Any:
    return _prompt_page(course_prompt(prompt_id))


def _prompt_page(prompt: Prompt) -> str:
    """The prompt's participants as filtered, sorted and searched, with who to remind."""
    scope, cohort = member(), CohortService(get_session())
    query = ListQuery.from_args(request.args, prompt_id=prompt.id)
    everyone = cohort.entries(scope.course, scope.person, replace(query, status=None, search=""))
    return render_template(
        "instructor/prompt.html",
        course=scope.course,
        prompt=prompt,
        query=query,
        entries=[entry for entry in everyone if matches(entry, query)],
        counts=Counter(entry.status for entry in everyone),
        to_remind=to_remind(everyone),
        statuses=list(Status),
        sorts=list(Sort),
        notice=notice(),
    )
