"""Who is asking, within which course: the records behind the request's launch."""

from __future__ import annotations

from dataclasses import dataclass

from flask import abort, g
from sqlalchemy import and_, select

from lti_tool.auth import current_launch
from lti_tool.models import Course, Enrollment, Person, Prompt, Registration
from lti_tool.services.audit import Actor
from lti_tool.services.prompts import PromptService
from lti_tool.web import get_session


@dataclass(frozen=True)
class Member:
    course: Course
    person: Person
    enrollment: Enrollment


def member() -> Member:
    """The course, person and enrollment of the launch, loaded once per request.

    Everything a view reads is scoped by this course, so an id from another course finds
    nothing (404) rather than someone else's data.
    """
    if "member" not in g:
        launch = current_launch()
        row = (
            get_session()
            .execute(
                select(Course, Person, Enrollment)
                .join(Registration, Registration.id == Course.registration_id)
                .join(Person, Person.registration_id == Registration.id)
                .join(
                    Enrollment,
                    and_(Enrollment.course_id == Course.id, Enrollment.person_id == Person.id),
                )
                .where(
                    Registration.issuer == launch.issuer,
                    Registration.client_id == launch.client_id,
                    Course.context_id == launch.context_id,
                    Person.sub == launch.sub,
                )
            )
            .first()
        )
        if row is None:
            abort(404)
        g.member = Member(*row)
    found: Member = g.member
    return found


def course_prompt(prompt_id: int) -> Prompt:
    """A prompt of the launch's course, or 404 (another course's id finds nothing)."""
    prompt = PromptService(get_session()).get(member().course, prompt_id)
    if prompt is None:
        abort(404)
    return prompt


def actor() -> Actor:
    """The signed-in person as the audit log names them: their course role and person id."""
    scope = member()
    return Actor(str(scope.enrollment.role), scope.person.id)
