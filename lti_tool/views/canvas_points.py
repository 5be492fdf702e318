"""Putting a prompt's edited points to its Canvas assignment (one scale)."""

from __future__ import annotations

from lti_tool.lti.advantage.http import ServiceError
from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.models import Course, Prompt, Registration
from lti_tool.services.points import LineItemPoints, rescale
from lti_tool.web import get_session, wiring


def put_points_to_canvas(prompt: Prompt, points_before: float) -> str:
    """Set the edited points on the line item and keep what Canvas then holds (its refusal
    puts the old points back); returns the notice to show. The edit is committed already, so
    nothing holds the database while Canvas answers."""
    session = get_session()
    course = session.get_one(Course, prompt.course_id)
    if not prompt.lineitem_url or course.registration_id is None:
        return "points-later"
    credentials = Credentials.of(session.get_one(Registration, course.registration_id))
    try:
        held = LineItemPoints(wiring().service_client).put(
            credentials, prompt.lineitem_url, prompt.points_possible
        )
    except ServiceError:
        rescale(prompt, points_before)
        session.commit()
        return "points-refused"
    if held != prompt.points_possible:
        rescale(prompt, held)
    session.commit()
    return "points-canvas"
