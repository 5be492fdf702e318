"""A program's sample cohort in the tool's own tables.

The walk-throughs' sample course belongs to no registration, so no Canvas launch, roster sync or
grade delivery can reach it, and it reaches no real record; loading replaces the program's
previous sample course and its fictional people as a whole.

A cohort can also fill a course of a registered platform (the demo Canvas's sample sessions):
its rows are keyed as that platform's launches key them, and its grades and submissions are
queued in the outbox for delivery like any other, so the platform's gradebook agrees with the tool.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from lti_tool.db import get_or_create
from lti_tool.models import (
    Course,
    CourseRole,
    Enrollment,
    FeedbackMessage,
    Grade,
    GradingType,
    Person,
    Prompt,
    ReadMarker,
    Reflection,
    ReflectionVersion,
    Registration,
)
from lti_tool.sample.cohort import (
    CohortPlan,
    SampleMessage,
    SamplePerson,
    SamplePrompt,
    SampleWork,
    Stage,
    guide_sub,
)
from lti_tool.services.grading import queue_grade, queue_submission
from lti_tool.services.outbox import GradeSync
from lti_tool.services.prompts import PromptService, input_from_bank
from lti_tool.services.sections import word_count

UNREAD_FOR = timedelta(days=2)
"""Instructor messages newer than this are still unread by the participant."""


@dataclass(frozen=True)
class SampleCourse:
    course: Course
    instructor: Person
    participant: Person
    """The participant a walk-through follows: one with feedback and a grade to show."""


@dataclass(frozen=True)
class Placement:
    """Where the platform placed a week's prompt: its link and the assignment's line item."""

    resource_link_id: str
    lineitem_url: str
    title: str


@dataclass(frozen=True)
class PlatformCourse:
    """A registered platform's course a cohort fills, named as its launches name it."""

    registration: Registration
    context_id: str
    title: str
    label: str
    lineitems_url: str | None
    memberships_url: str | None
    people: Mapping[str, SamplePerson]
    """The platform's person (their `sub`, name) standing for each person of the plan, by the
    plan's sub; instructors included."""
    placements: Mapping[int, Placement]
    """By week; every prompt of the plan is placed."""


class SampleCourseStore:
    def __init__(self, session: Session) -> None:
        self.session = session

    def find(self, program_key: str) -> Course | None:
        return self.session.scalar(select(Course).where(Course.sample_program == program_key))

    def guide(self, course: Course) -> SampleCourse:
        """The sample course with the instructor and the participant a visitor sees it as."""
        program = str(course.sample_program)
        return SampleCourse(
            course,
            self.session.scalars(
                select(Person).where(Person.sub == f"sample-{program}-instructor-1")
            ).one(),
            self.session.scalars(select(Person).where(Person.sub == guide_sub(program))).one(),
        )

    def remove(self, program_key: str) -> None:
        """Delete the sample course and its fictional people (their records cascade)."""
        course = self.find(program_key)
        if course is not None:
            self.session.delete(course)
        self.session.execute(
            delete(Person).where(
                Person.registration_id.is_(None), Person.sub.like(f"sample-{program_key}-%")
            )
        )
        self.session.flush()

    def load(self, plan: CohortPlan) -> Course:
        self.remove(plan.program.key)
        course = Course(
            registration_id=None,
            context_id=f"sample-{plan.program.key}",
            title=plan.title,
            label="SAMPLE",
            program_key=plan.program.key,
            sample_program=plan.program.key,
            created_at=plan.starts_at,
        )
        self.session.add(course)
        self.session.flush()
        people = self._enroll(course, plan)
        prompts = {}
        for sample in plan.prompts:
            prompt = self._prompt(course, sample, plan)
            prompt.resource_link_id = f"sample-week-{sample.bank.week}"  # "placed", as in Canvas
            prompts[sample.bank.key] = prompt
        self.session.flush()
        self._work(course, plan, prompts, people)
        return course

    def populate(
        self, plan: CohortPlan, target: PlatformCourse, grade_sync: GradeSync, base_url: str
    ) -> Course | None:
        """Fill a platform's course with the cohort, and queue its submissions and grades for
        delivery; None, changing nothing, when the course already holds reflections (filled
        before, or real work that must not be mixed with fiction)."""
        course = get_or_create(
            self.session,
            Course,
            {"registration_id": target.registration.id, "context_id": target.context_id},
            created_at=plan.starts_at,
        )
        self.session.flush()
        if self.session.scalar(select(Reflection.id).where(Reflection.course_id == course.id)):
            return None
        course.title, course.label = target.title, target.label
        course.program_key = plan.program.key
        course.lineitems_url = target.lineitems_url or course.lineitems_url
        course.memberships_url = target.memberships_url or course.memberships_url
        people = self._enroll_platform(course, plan, target)
        prompts = {}
        for sample in plan.prompts:
            placement = target.placements[sample.bank.week]
            prompt = self._placed(course, placement) or self._prompt(course, sample, plan)
            prompt.resource_link_id = placement.resource_link_id
            prompt.lineitem_url = placement.lineitem_url
            prompt.canvas_title = placement.title
            prompts[sample.bank.key] = prompt
        self.session.flush()
        self._work(course, plan, prompts, people)
        self._queue(course, prompts, grade_sync, base_url)
        return course

    def _placed(self, course: Course, placement: Placement) -> Prompt | None:
        """The course's prompt for a placement, if a launch or a line-item refresh made it."""
        return self.session.scalar(
            select(Prompt).where(
                Prompt.course_id == course.id,
                (Prompt.resource_link_id == placement.resource_link_id)
                | (Prompt.lineitem_url == placement.lineitem_url),
            )
        )

    def _prompt(self, course: Course, sample: SamplePrompt, plan: CohortPlan) -> Prompt:
        prompt = PromptService(self.session).create(
            course, input_from_bank(sample.bank), bank_key=sample.bank.key
        )
        prompt.due_at = sample.due_at
        prompt.created_at = prompt.updated_at = plan.starts_at
        prompt.released_at = plan.starts_at  # published, as a running course's are
        return prompt

    def _work(
        self,
        course: Course,
        plan: CohortPlan,
        prompts: dict[str, Prompt],
        people: dict[str, Person],
    ) -> None:
        for work in plan.work:
            if work.stage != Stage.NOT_STARTED:
                self._reflection(course, prompts[work.prompt_key], work, people, plan.now)
        self.session.flush()

    def _queue(
        self, course: Course, prompts: dict[str, Prompt], grade_sync: GradeSync, base_url: str
    ) -> None:
        """What the services would have queued, as the latest state: the grade of a graded
        reflection (it carries its submission), else the submission of a submitted one."""
        graded = {
            grade.reflection_id: grade
            for grade in self.session.scalars(
                select(Grade).join(Reflection).where(Reflection.course_id == course.id)
            )
        }
        by_id = {prompt.id: prompt for prompt in prompts.values()}
        reflections = self.session.scalars(
            select(Reflection)
            .where(Reflection.course_id == course.id, Reflection.version_count > 0)
            .order_by(Reflection.id)
        )
        for reflection in reflections:
            prompt, grade = by_id[reflection.prompt_id], graded.get(reflection.id)
            if grade is None:
                submitted_at = reflection.submitted_at or course.created_at
                queue_submission(grade_sync, course, prompt, reflection, base_url, submitted_at)
            else:
                queue_grade(
                    grade_sync,
                    course,
                    prompt,
                    reflection,
                    base_url,
                    score_given=grade.score_given,
                    comment=grade.comment,
                    override_manual=False,
                )

    def _enroll(self, course: Course, plan: CohortPlan) -> dict[str, Person]:
        people: dict[str, Person] = {}
        roles = [(p, CourseRole.INSTRUCTOR) for p in plan.instructors]
        roles += [(p, CourseRole.PARTICIPANT) for p in plan.participants]
        for sample, _role in roles:
            person = Person(registration_id=None, sub=sample.sub, name=sample.name)
            self.session.add(person)
            people[sample.sub] = person
        self.session.flush()
        for sample, role in roles:
            self.session.add(
                Enrollment(
                    course_id=course.id,
                    person_id=people[sample.sub].id,
                    role=role,
                    created_at=plan.starts_at,
                )
            )
        return people

    def _enroll_platform(
        self, course: Course, plan: CohortPlan, target: PlatformCourse
    ) -> dict[str, Person]:
        """The platform's people, keyed by the plan's subs (instructors' names stay theirs)."""
        people: dict[str, Person] = {}
        roles = [(p, CourseRole.INSTRUCTOR) for p in plan.instructors]
        roles += [(p, CourseRole.PARTICIPANT) for p in plan.participants]
        for sample, role in roles:
            stand_in = target.people[sample.sub]
            person = get_or_create(
                self.session,
                Person,
                {"registration_id": target.registration.id, "sub": stand_in.sub},
            )
            person.name = person.name or stand_in.name
            self.session.flush()
            enrollment = get_or_create(
                self.session,
                Enrollment,
                {"course_id": course.id, "person_id": person.id},
                role=role,
                created_at=plan.starts_at,
            )
            enrollment.role, enrollment.active = role, True
            people[sample.sub] = person
        self.session.flush()
        return people

    def _reflection(
        self,
        course: Course,
        prompt: Prompt,
        work: SampleWork,
        people: dict[str, Person],
        now: datetime,
    ) -> None:
        """The rows a participant's work leaves, with the derived columns the services keep."""
        latest = work.versions[-1] if work.versions else None
        reflection = Reflection(
            course_id=course.id,
            prompt_id=prompt.id,
            person_id=people[work.participant.sub].id,
            draft_text=work.draft,
            revision=len(work.versions) + 1,
            draft_saved_at=latest.submitted_at if latest else now - timedelta(hours=5),
            version_count=len(work.versions),
            submitted_at=latest.submitted_at if latest else None,
            is_late=latest.is_late if latest else False,
            waiting_since=_waiting_since(work),
            reply_requested=bool(work.messages and work.messages[-1].asks_reply),
            created_at=prompt.created_at,
        )
        self.session.add(reflection)
        self.session.flush()
        for number, version in enumerate(work.versions, start=1):
            self.session.add(
                ReflectionVersion(
                    reflection_id=reflection.id,
                    number=number,
                    text=version.text,
                    word_count=word_count(version.text),
                    submitted_at=version.submitted_at,
                    is_late=version.is_late,
                )
            )
        messages = [self._message(reflection, m, people) for m in work.messages]
        self.session.flush()
        self._read_markers(reflection, work, messages, people, now)
        if work.grade is not None:
            grade = work.grade
            self.session.add(
                Grade(
                    reflection_id=reflection.id,
                    version_number=grade.version_number,
                    grading_type=prompt.grading_type,
                    score_given=grade.points,
                    score_maximum=prompt.points_possible,
                    rubric_scores=grade.rubric,
                    complete=None if prompt.grading_type != GradingType.COMPLETE else True,
                    comment=grade.comment,
                    graded_by_id=people[grade.grader.sub].id,
                    graded_at=grade.at,
                )
            )

    def _message(
        self, reflection: Reflection, sample: SampleMessage, people: dict[str, Person]
    ) -> FeedbackMessage:
        message = FeedbackMessage(
            reflection_id=reflection.id,
            author_id=people[sample.author.sub].id,
            author_role=CourseRole.INSTRUCTOR if sample.is_instructor else CourseRole.PARTICIPANT,
            version_number=sample.version_number,
            body=sample.body,
            asks_reply=sample.asks_reply,
            created_at=sample.at,
        )
        self.session.add(message)
        return message

    def _read_markers(
        self,
        reflection: Reflection,
        work: SampleWork,
        messages: list[FeedbackMessage],
        people: dict[str, Person],
        now: datetime,
    ) -> None:
        """Instructors have read everything but a reply still waiting for them; a participant
        has read everything but instructor messages of the last two days."""
        if not messages:
            return
        waiting_reply = not work.messages[-1].is_instructor
        for instructor in _instructors(people):
            seen = messages[-2] if waiting_reply and len(messages) > 1 else messages[-1]
            if not waiting_reply or len(messages) > 1:
                self._mark(reflection, instructor, seen.id)
        read = [
            message
            for message, sample in zip(messages, work.messages, strict=True)
            if not sample.is_instructor or now - sample.at > UNREAD_FOR
        ]
        if read:
            self._mark(reflection, people[work.participant.sub], read[-1].id)

    def _mark(self, reflection: Reflection, person: Person, message_id: int) -> None:
        self.session.add(
            ReadMarker(reflection_id=reflection.id, person_id=person.id, last_read_id=message_id)
        )


def _instructors(people: dict[str, Person]) -> list[Person]:
    return [person for sub, person in people.items() if "-instructor-" in sub]


def _waiting_since(work: SampleWork) -> datetime | None:
    """When the participant's oldest unanswered action happened, as the services record it."""
    if not work.versions:
        return None
    events: list[tuple[datetime, bool]] = [(v.submitted_at, False) for v in work.versions]
    events += [(m.at, m.is_instructor) for m in work.messages]
    if work.grade is not None:
        events.append((work.grade.at, True))
    waiting: datetime | None = None
    for at, answered in sorted(events, key=lambda event: event[0]):
        waiting = None if answered else (waiting or at)
    return waiting
