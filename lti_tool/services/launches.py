"""What a validated launch decides, all at once and only here: the course, the person and their
enrollment, the roster's freshness, the course's program, the prompt the link opens (tied or
created on its first launch), the participant's reflection and the due date Canvas sent.

The landing pages that follow only read what was decided, so reloading them changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.orm import Session

from lti_tool.db import get_or_create, utcnow
from lti_tool.lti.advantage.client import ServiceClient
from lti_tool.lti.canvas.custom import due_at
from lti_tool.lti.canvas.review import review_requested
from lti_tool.lti.claims import LaunchContext
from lti_tool.lti.errors import LaunchError
from lti_tool.models import Course, CourseRole, Enrollment, Person, Prompt, Reflection, Registration
from lti_tool.services import placements
from lti_tool.services.framing import FramingService
from lti_tool.services.programs import ProgramService
from lti_tool.services.prompts import PromptService
from lti_tool.services.reflections import ReflectionService
from lti_tool.services.roster import refresh_if_stale


@dataclass(frozen=True)
class LaunchRecord:
    course: Course
    person: Person
    enrollment: Enrollment
    prompt: Prompt | None = None
    """The prompt the link opens; None for the course's own pages (navigation, deep linking,
    SpeedGrader's review launches, which name a reflection instead)."""
    reflection: Reflection | None = None
    """The participant's reflection on `prompt` (None for instructors)."""


class LaunchService:
    def __init__(
        self,
        session: Session,
        *,
        programs: ProgramService,
        prompts: PromptService,
        reflections: ReflectionService,
        framing: FramingService,
        roster_client: ServiceClient,
    ) -> None:
        self.session = session
        self.framing = framing
        self.programs = programs
        self.prompts = prompts
        self.reflections = reflections
        self.roster_client = roster_client

    def launch(
        self, context: LaunchContext, registration: Registration, now: datetime
    ) -> LaunchRecord:
        """Everything this launch decides, committed. `registration` is the one the launch was
        validated against.

        The launch is its own unit of work: what it decided is committed before an instructor's
        launch asks Canvas for the roster, so no write lock is held while Canvas answers (a
        roster failure is logged and never fails the launch)."""
        if context.role == "other":
            raise LaunchError(
                "This tool is for course participants and instructors",
                "Your role in this course does not give access to reflections. "
                "Ask the course instructor if you think this is wrong.",
                status=403,
            )
        record = self.record(context, registration)
        # Every kind of launch, so a first launch that is "Add to module" (deep linking) does
        # not ask for the program the tool was configured with.
        self.programs.adopt_from_custom(record.course, context.custom)
        if not context.is_deep_linking and not review_requested(context.target_link_uri):
            record = self._open_link(context, record)
        self.session.commit()
        if context.is_instructor:
            refresh_if_stale(self.session, self.roster_client, record.course, now)
            self.session.commit()
        placements.refresh_if_stale(
            self.session,
            self.roster_client,
            record.course,
            now,
            max_age=placements.PLACEMENTS_MAX_AGE if context.is_instructor else None,
        )
        return record

    def record(self, context: LaunchContext, registration: Registration) -> LaunchRecord:
        """The course, person and enrollment, created or brought up to date."""
        course = self._course(registration.id, context)
        person = self._person(registration.id, context)
        enrollment = self._enrollment(course, person, context)
        self.framing.vouch(registration, context.page_urls, utcnow())
        return LaunchRecord(course, person, enrollment)

    def _open_link(self, context: LaunchContext, record: LaunchRecord) -> LaunchRecord:
        """The link's prompt; Canvas's due date for the prompt (an instructor's
        launch) or for the participant's own reflection (which may differ: overrides)."""
        prompt = self.prompts.resolve_launch(
            record.course,
            context.resource_link_id,
            context.custom,
            lineitem_url=context.lineitem_url,
        )
        if prompt is None:
            return record
        due = due_at(context.custom)
        if context.is_instructor:
            self.prompts.note_due_at(prompt, due)
            return LaunchRecord(record.course, record.person, record.enrollment, prompt)
        if not context.is_test_user:
            self.prompts.note_learner_launch(prompt, utcnow())
        reflection = self.reflections.open(prompt, record.person, due_at=due)
        return LaunchRecord(record.course, record.person, record.enrollment, prompt, reflection)

    def _course(self, registration_id: int, context: LaunchContext) -> Course:
        course = get_or_create(
            self.session,
            Course,
            {"registration_id": registration_id, "context_id": context.context_id},
        )
        course.title = context.context_title or course.title
        course.label = context.context_label or course.label
        course.memberships_url = context.memberships_url or course.memberships_url
        course.lineitems_url = context.lineitems_url or course.lineitems_url
        return course

    def _person(self, registration_id: int, context: LaunchContext) -> Person:
        person = get_or_create(
            self.session, Person, {"registration_id": registration_id, "sub": context.sub}
        )
        person.name = context.name or person.name
        person.email = context.email or person.email
        return person

    def _enrollment(self, course: Course, person: Person, context: LaunchContext) -> Enrollment:
        enrollment = get_or_create(
            self.session,
            Enrollment,
            {"course_id": course.id, "person_id": person.id},
            role=CourseRole(context.role),
        )
        enrollment.role = CourseRole(context.role)
        enrollment.is_test_user = context.is_test_user
        enrollment.active = True
        enrollment.last_launch_at = utcnow()
        return enrollment
