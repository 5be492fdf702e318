"""The instructors' blueprint and what its screens share: the notices, the course-scoped
reflection lookup and the program chooser."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, render_template, request

from lti_tool.auth import attach_fresh_token
from lti_tool.models import Reflection
from lti_tool.services.programs import all_programs
from lti_tool.views import text
from lti_tool.views.scope import member
from lti_tool.web import get_session, services

bp = Blueprint("instructor", __name__, url_prefix="/instructor")
bp.after_request(attach_fresh_token)
text.register(bp)

QUEUE_PREVIEW = 5
NOTICES = {
    "program": "The course program is set.",
    "list-done": "You reached the end of the list.",
    "prompt": "This course's copy of the prompt is updated. The program's bank is unchanged.",
    "released": "Participants now see this prompt in their list and can open it.",
    "points-canvas": "The prompt is updated, and the Canvas assignment now has the same points.",
    "points-later": "The prompt is updated. Its Canvas assignment gets the new points once it "
    "has been opened from Canvas; edit the points again then.",
    "points-refused": "The prompt is updated, but Canvas did not take the new points, so the "
    "prompt keeps the Canvas assignment's points (one scale). Try again later, or change them "
    "in Canvas: the tool follows.",
}


def course_reflection(reflection_id: int) -> Reflection:
    reflection = get_session().get(Reflection, reflection_id)
    if reflection is None or reflection.course_id != member().course.id:
        abort(404)
    return reflection


def notice() -> str | None:
    return NOTICES.get(request.args.get("notice", ""))


def choose_program_page(next_page: str, status: int = 200) -> Any:
    scope = member()
    participants = {
        program.key: services().programs.capacity(scope.course, program)
        for program in all_programs()
    }
    return render_template(
        "instructor/program.html",
        course=scope.course,
        programs=all_programs(),
        capacities=participants,
        next_page=next_page,
        error=status != 200,
    ), status
