"""The steps of a walk-through: which real page each shows, as whom, and what it explains.

A step names a page of the tool (participant or instructor), found in the sample course when
the visitor reaches it, so the tour always shows the pages as they are today.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from lti_tool.models import Course, Grade, GradingType, Prompt, Reflection
from lti_tool.sample.store import SampleCourse
from lti_tool.services.prompts import PromptService

Values = Callable[[Session, SampleCourse], dict[str, Any] | None]
"""A page's URL values in the sample course; None when the course has nothing to show there."""


def _no_values(_session: Session, _sample: SampleCourse) -> dict[str, Any]:
    return {}


@dataclass(frozen=True)
class Step:
    perspective: str
    title: str
    explanation: str
    endpoints: tuple[str, ...]
    """The page, by endpoint: the first the app has (pages move between blueprints)."""
    values: Values = _no_values
    programs: tuple[str, ...] = ("officers", "leaders")

    def endpoint(self, available: Collection[str]) -> str | None:
        return next((name for name in self.endpoints if name in available), None)


def _prompts(session: Session, course: Course) -> list[Prompt]:
    return PromptService(session).for_course(course)


def _first_week(session: Session, sample: SampleCourse) -> dict[str, Any]:
    return {"prompt_id": _prompts(session, sample.course)[0].id}


def _current_week(session: Session, sample: SampleCourse) -> dict[str, Any]:
    return {"prompt_id": _prompts(session, sample.course)[-1].id}


def _waiting_reflection(session: Session, sample: SampleCourse) -> dict[str, Any] | None:
    """The reflection that has waited longest for an instructor, as the queue would open it."""
    reflection_id = session.scalar(
        select(Reflection.id)
        .where(Reflection.course_id == sample.course.id, Reflection.waiting_since.is_not(None))
        .order_by(Reflection.waiting_since, Reflection.id)
        .limit(1)
    )
    return {"reflection_id": reflection_id} if reflection_id else None


def _graded_assessment(session: Session, sample: SampleCourse) -> dict[str, Any] | None:
    """A structured assessment graded with the rubric, the highest score first."""
    reflection_id = session.scalar(
        select(Reflection.id)
        .join(Grade, Grade.reflection_id == Reflection.id)
        .join(Prompt, Prompt.id == Reflection.prompt_id)
        .where(
            Reflection.course_id == sample.course.id,
            Prompt.grading_type == GradingType.RUBRIC,
        )
        .order_by(Grade.score_given.desc(), Reflection.id)
        .limit(1)
    )
    return {"reflection_id": reflection_id} if reflection_id else None


REVIEW = ("review.review", "instructor.review")
STEPS: tuple[Step, ...] = (
    Step(
        "participant",
        "A participant's course at a glance",
        "Each week has a reflection prompt. A participant sees every week's prompt here with "
        "where it stands: not started, draft, submitted, awaiting their reply, or graded. "
        "They open the tool from their Canvas course; there is no separate account.",
        ("participant.overview",),
    ),
    Step(
        "participant",
        "Feedback, a reply and a second version",
        "The instructor read the first version and asked for more. The participant replied "
        "in the private thread, revised and submitted again; every version is kept, and the "
        "grade was given on the second. Only this participant and the instructors see it.",
        ("participant.write",),
        _first_week,
    ),
    Step(
        "participant",
        "All feedback in one place",
        "Everything instructors wrote to this participant, newest first, with unread messages "
        "marked, so nothing is missed between weeks.",
        ("participant.feedback",),
    ),
    Step(
        "participant",
        "This week's reflection, in progress",
        "The current week is a draft: the editor saves as the participant writes, and they "
        "submit when ready. In a walk-through the editor is shown but nothing can be typed.",
        ("participant.write",),
        _current_week,
        programs=("officers",),
    ),
    Step(
        "participant",
        "The internal change assessment, in progress",
        "In the last week, Leaders write a structured assessment of where their own department "
        "needs to change, section by section, ending with their priorities. This participant "
        "is part-way through it.",
        ("participant.write",),
        _current_week,
        programs=("leaders",),
    ),
    Step(
        "instructor",
        "The instructor's workspace",
        "The whole cohort on one page: how many participants are enrolled against the "
        "program's capacity, each week's prompt with its counts by status, and the start of "
        "the feedback queue.",
        ("instructor.workspace",),
    ),
    Step(
        "instructor",
        "The feedback queue",
        "Every reflection waiting for an instructor, the longest-waiting first: new "
        "submissions, resubmissions and participants' replies.",
        ("instructor.queue",),
    ),
    Step(
        "instructor",
        "Every participant, every week",
        "The whole cohort against every week in one table: who has submitted, who is late, "
        "who waits for feedback and who has been graded. A cell opens that reflection.",
        ("review.matrix", "instructor.matrix"),
    ),
    Step(
        "instructor",
        "One week across the whole cohort",
        "Every participant on one prompt: status, versions, late work, unread replies and "
        "grades, ready to work through in order.",
        ("instructor.prompt_page",),
        _first_week,
    ),
    Step(
        "instructor",
        "Reading and answering a reflection",
        "The instructor reads the latest version (earlier ones stay available), answers in "
        "the private thread, can quote a passage or ask for a reply, and grades. Grades go "
        "to the Canvas gradebook; in this sample course nothing is sent anywhere.",
        REVIEW,
        _waiting_reflection,
    ),
    Step(
        "instructor",
        "The internal change assessment, graded by rubric",
        "The Leaders' final assessment is graded against a four-part rubric: evidence, "
        "structures rather than individuals, clear priorities, and realistic steps.",
        REVIEW,
        _graded_assessment,
        programs=("leaders",),
    ),
    Step(
        "instructor",
        "What the department receives: the completion report",
        "For certificates and the department's records: per participant, the reflections "
        "submitted each week, the feedback received and whether everything was submitted. "
        "Instructors download it as a spreadsheet.",
        ("tour.completion",),
    ),
)


def for_program(program_key: str, available: Collection[str]) -> list[Step]:
    """The program's steps whose pages this app has (`available`: its endpoint names)."""
    return [
        step
        for step in STEPS
        if program_key in step.programs and step.endpoint(available) is not None
    ]
