"""Who is asking, within which course: the records behind the request's launch."""

from __future__ import annotations

from flask import abort, g

from lti_tool.models import Prompt
from lti_tool.services.audit import Actor
from lti_tool.services.membership import Membership
from lti_tool.services.prompts import PromptService
from lti_tool.web import get_session


def member() -> Membership:
    """The course, person and enrollment of the launch, checked against the roster when the
    request's session was read (`launch_required`).

    Everything a view reads is scoped by this course, so an id from another course finds
    nothing (404) rather than someone else's data.
    """
    found: Membership = g.member
    return found


def course_prompt(prompt_id: int) -> Prompt:
    """A prompt of the launch's course, or 404 (another course's id finds nothing)."""
    prompt = PromptService(get_session()).get(member().course, prompt_id)
    if prompt is None:
        abort(404)
    return prompt


def visible_prompt(prompt_id: int) -> Prompt:
    """A prompt the signed-in participant may see (released, or launched into), else 404: an
    unpublished assignment's prompt is not found by guessing its id."""
    scope = member()
    prompt = PromptService(get_session()).visible(scope.course, prompt_id, scope.person)
    if prompt is None:
        abort(404)
    return prompt


def actor() -> Actor:
    """The signed-in person as the audit log names them: their course role and person id."""
    scope = member()
    return Actor(str(scope.enrollment.role), scope.person.id)
