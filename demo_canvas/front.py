"""The demo's front door: who each seeded user is (their course roles, shown in the user
switcher), and for each course the ways in a presenter needs: take the tool's walk-through,
sign in as the instructor, sign in as a participant."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from demo_canvas.models import Course, Enrollment, EnrollmentType, User

ROLE_LABELS = {
    EnrollmentType.TEACHER: "Instructor",
    EnrollmentType.TA: "TA",
    EnrollmentType.STUDENT: "Participant",
    EnrollmentType.STUDENT_VIEW: "Student View",
}
PROGRAMS = {
    "OFFICERS": "officers",
    "LEADERS": "leaders",
    "OFFICERS-SAMPLE": "officers",
    "LEADERS-SAMPLE": "leaders",
}
"""The tool's program each seeded course runs, by course code."""
SAMPLE_LOGIN_PREFIX = "sample-"
"""Sample-session participants sign in under their plan id (``sample-officers-001``…)."""
_LINK = re.compile(r"(https?://\S+/walkthrough/\S+)")


@dataclass(frozen=True)
class Door:
    course: Course
    program: str | None
    instructor: User | None
    participant: User | None


def role_labels(session: Session) -> dict[int, str]:
    """Each user's course roles in words ("Instructor", "Participant"…), admins marked."""
    roles: dict[int, list[str]] = defaultdict(list)
    rows = session.execute(select(Enrollment.user_id, Enrollment.type).order_by(Enrollment.id))
    for user_id, kind in rows:
        label = ROLE_LABELS.get(EnrollmentType(kind), kind)
        if label not in roles[user_id]:
            roles[user_id].append(label)
    admins = session.scalars(select(User.id).where(User.is_admin.is_(True)))
    for user_id in admins:
        roles[user_id].append("admin")
    return {user_id: ", ".join(labels) for user_id, labels in roles.items()}


def switcher_users(session: Session, current: User | None) -> list[User]:
    """The user switcher's people: the seeded ones, not the sample sessions' fictional cohorts
    (a hundred names; their courses' doors sign in as one), but whoever is signed in."""
    cohort = User.login_id.startswith(SAMPLE_LOGIN_PREFIX)
    shown = ~cohort if current is None else ~cohort | (User.id == current.id)
    return list(session.scalars(select(User).where(shown).order_by(User.id)))


def doors(session: Session) -> list[Door]:
    """Every course with the first instructor and the first participant enrolled in it."""
    found = []
    for course in session.scalars(select(Course).order_by(Course.id)):
        found.append(
            Door(
                course,
                PROGRAMS.get(course.course_code),
                _first(session, course, EnrollmentType.TEACHER),
                _first(session, course, EnrollmentType.STUDENT),
            )
        )
    return found


def _first(session: Session, course: Course, kind: EnrollmentType) -> User | None:
    return session.scalar(
        select(User)
        .join(Enrollment, Enrollment.user_id == User.id)
        .where(Enrollment.course_id == course.id, Enrollment.type == kind)
        .order_by(Enrollment.id)
        .limit(1)
    )


def tour_links(run_tool_command: Callable[[list[str]], str]) -> dict[str, str]:
    """One walk-through link per program, made as the tool's operator makes them (its
    `walkthrough create` command, whose output names the link)."""
    links = {}
    for program in sorted(set(PROGRAMS.values())):
        output = run_tool_command(
            ["walkthrough", "create", "--program", program, "--visitor", "Demo Canvas visitor",
             "--days", "30"]
        )  # fmt: skip
        found = _LINK.search(output)
        if found is None:
            raise RuntimeError(f"`walkthrough create` printed no link: {output!r}")
        links[program] = found.group(1)
    return links
