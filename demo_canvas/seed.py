"""Seeded demo data: the tool's developer key and deployment, users, the Officers and Leaders
courses.

Seeded prompts: module items carry custom params from ``app.config["DEMO_CANVAS_SEED_PROMPTS"]``, a
mapping ``{course_code: {week: {custom_name: value}}}`` (course codes ``OFFICERS`` and ``LEADERS``;
week 0 is the "Start here" link). Those params reach the tool in the launch's custom claim, like
deep-link ``custom``.
"""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from demo_canvas import urls
from demo_canvas.claims import AGS_SCOPES, NRPS_SCOPE
from demo_canvas.db import utcnow
from demo_canvas.models import (
    Assignment,
    Course,
    DeveloperKey,
    Enrollment,
    EnrollmentType,
    LineItem,
    Module,
    ModuleItem,
    ResourceLink,
    User,
)
from demo_canvas.registration import FIRST_CLIENT_ID, add_deployment, apply_tool_config

POINTS = 10.0
ASSIGNMENT_POINTS: Mapping[tuple[str, int], float] = {("LEADERS", 6): 20.0}
"""Weeks whose assignment the course designer made worth more than ``POINTS`` when placing
the prompt (the Leaders' assessment is worth 20), so Canvas and the tool agree on the scale."""

SEEDED_BANK_PROMPTS: Mapping[str, Mapping[int, Mapping[str, str]]] = {
    "OFFICERS": {
        1: {"program": "officers", "prompt_bank": "officers-rights-prevention"},
        2: {"program": "officers", "prompt_bank": "officers-systemic-routine"},
    },
    "LEADERS": {
        1: {"program": "leaders", "prompt_bank": "leaders-rights-culture"},
        2: {"program": "leaders", "prompt_bank": "leaders-systemic-outcomes"},
        3: {"program": "leaders", "prompt_bank": "leaders-bias-review"},
        4: {"program": "leaders", "prompt_bank": "leaders-community-partnership"},
        5: {"program": "leaders", "prompt_bank": "leaders-risk-conditions"},
        6: {"program": "leaders", "prompt_bank": "leaders-change-assessment"},
    },
}
"""The default ``DEMO_CANVAS_SEED_PROMPTS``: each week's link carries the custom params an
instructor's deep-linking placement of one of the tool's bank prompts would (``program`` and
``prompt_bank``, keys of the tool's published program bank), so opening it gives the course its
copy of that prompt. Like a course copied from a template course in Canvas."""


@dataclass(frozen=True)
class SeedUser:
    login_id: str
    given_name: str
    family_name: str
    is_admin: bool = False
    is_test_user: bool = False


USERS = (
    SeedUser("instructor", "Ines", "Moreau", is_admin=True),
    SeedUser("ta", "Tomas", "Reyes"),
    SeedUser("participant1", "Amara", "Okafor"),
    SeedUser("participant2", "Ben", "Carter"),
    SeedUser("participant3", "Chen", "Wei"),
    SeedUser("participant4", "Dana", "Novak"),
    SeedUser("participant5", "Elif", "Yilmaz"),
    SeedUser("participant6", "Farid", "Haddad"),
    SeedUser("test_student", "Test", "Student", is_test_user=True),
)


@dataclass(frozen=True)
class SeedCourse:
    code: str
    name: str
    weeks: int
    participants: tuple[str, ...]


COURSES = (
    SeedCourse(
        "OFFICERS",
        "Officers: Human Rights in Everyday Policing",
        2,
        ("participant1", "participant2", "participant3", "participant4"),
    ),
    SeedCourse(
        "LEADERS",
        "Leaders: Leading Rights-Respecting Policing",
        6,
        ("participant3", "participant4", "participant5", "participant6"),
    ),
)


def default_tool_config() -> dict[str, Any]:
    """Developer-key JSON for the tool at ``LTI_TOOL_BASE_URL``, used until the tool's own config is
    applied.
    """
    tool = urls.tool_base()
    launch = f"{tool}/lti/launch"
    return {
        "title": "Reflections",
        "oidc_initiation_url": f"{tool}/lti/login",
        "target_link_uri": launch,
        "public_jwk_url": f"{tool}/lti/jwks",
        "scopes": sorted(AGS_SCOPES | {NRPS_SCOPE}),
        "custom_fields": {
            "canvas_course_id": "$Canvas.course.id",
            "canvas_user_id": "$Canvas.user.id",
            "canvas_assignment_id": "$Canvas.assignment.id",
            "due_at": "$Canvas.assignment.dueAt.iso8601",
            "person_name": "$Person.name.full",
        },
        "extensions": [
            {
                "platform": "canvas.instructure.com",
                "privacy_level": "public",
                "settings": {
                    "placements": [
                        {
                            "placement": name,
                            "message_type": "LtiDeepLinkingRequest",
                            "target_link_uri": launch,
                        }
                        for name in ("link_selection", "assignment_selection")
                    ]
                    + [
                        {
                            "placement": "course_navigation",
                            "message_type": "LtiResourceLinkRequest",
                            "target_link_uri": launch,
                        }
                    ]
                },
            }
        ],
    }


def opaque(text: str) -> str:
    """A stable 40-hex id like Canvas's opaque ids."""
    return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()


def seed(session: Session) -> None:
    """Create the demo world once; a database that already has courses is left as it is."""
    if session.scalar(select(Course.id).limit(1)) is not None:
        return
    key = DeveloperKey(
        client_id=str(FIRST_CLIENT_ID), name="Reflections", redirect_uris=[], scopes=[]
    )
    apply_tool_config(key, default_tool_config())
    session.add(key)
    session.flush()
    add_deployment(session, key)
    users = {u.login_id: add_user(session, u) for u in USERS}
    prompts: Mapping[str, Mapping[int, Mapping[str, str]]] = (
        current_app.config.get("DEMO_CANVAS_SEED_PROMPTS") or {}
    )
    for spec in COURSES:
        course = _add_course(session, spec, users)
        add_modules(session, course, key, prompts.get(spec.code, {}))
    session.flush()


def add_user(session: Session, spec: SeedUser) -> User:
    user = User(
        login_id=spec.login_id,
        name=f"{spec.given_name} {spec.family_name}",
        given_name=spec.given_name,
        family_name=spec.family_name,
        email=f"{spec.login_id}@example.edu",
        lti_id=str(uuid.uuid4()),
        opaque_id=opaque("user:" + spec.login_id),
        is_admin=spec.is_admin,
        is_test_user=spec.is_test_user,
    )
    session.add(user)
    return user


def _add_course(session: Session, spec: SeedCourse, users: dict[str, User]) -> Course:
    today = utcnow().replace(hour=0, minute=0, second=0, microsecond=0)
    course = Course(
        name=spec.name,
        course_code=spec.code,
        opaque_id=opaque("course:" + spec.code),
        start_at=today - timedelta(days=3),
        weeks=spec.weeks,
    )
    session.add(course)
    session.flush()
    roles = {
        "instructor": EnrollmentType.TEACHER,
        "ta": EnrollmentType.TA,
        "test_student": EnrollmentType.STUDENT_VIEW,
    }
    roles.update(dict.fromkeys(spec.participants, EnrollmentType.STUDENT))
    for login_id, enrollment_type in roles.items():
        session.add(
            Enrollment(course_id=course.id, user_id=users[login_id].id, type=enrollment_type)
        )
    return course


def _link(
    session: Session, course: Course, key: DeveloperKey, title: str, custom: Mapping[str, str]
) -> ResourceLink:
    link = ResourceLink(
        lookup_uuid=str(uuid.uuid4()),
        course_id=course.id,
        developer_key_id=key.id,
        url=key.target_link_uri,
        title=title,
        custom=dict(custom),
    )
    session.add(link)
    session.flush()
    return link


def _placed_line_item(custom: Mapping[str, str]) -> dict[str, str]:
    """The tag and resourceId the tool's deep linking gives a bank prompt's line item, so the
    tool finds seeded prompts among the course's line items as it finds placed ones."""
    bank_key = custom.get("prompt_bank")
    if not bank_key:
        return {}
    return {"tag": "reflection", "resource_id": f"reflection-bank-{bank_key}"}


def _points(course: Course, week: int) -> float:
    return ASSIGNMENT_POINTS.get((course.course_code, week), POINTS)


def add_modules(
    session: Session,
    course: Course,
    key: DeveloperKey,
    prompts: Mapping[int, Mapping[str, str]],
    schedule: Mapping[int, tuple[datetime, float]] | None = None,
) -> None:
    """A "Start here" module with an ungraded link, then one module per week with a graded
    reflection, due at the end of its week and worth ``POINTS`` unless `schedule` gives the
    week's (due date, points).
    """
    start = Module(course_id=course.id, name="Start here", position=0)
    session.add(start)
    session.flush()
    title = "Course reflections"
    link = _link(session, course, key, title, prompts.get(0, {}))
    session.add(
        ModuleItem(
            module_id=start.id, title=title, position=1, published=True, resource_link_id=link.id
        )
    )
    for week in range(1, course.weeks + 1):
        module = Module(course_id=course.id, name=f"Week {week}", position=week)
        session.add(module)
        session.flush()
        title = f"Week {week} reflection"
        link = _link(session, course, key, title, prompts.get(week, {}))
        due_at, points = (schedule or {}).get(week) or (
            course.start_at + timedelta(weeks=week, hours=23, minutes=59),
            _points(course, week),
        )
        assignment = Assignment(
            course_id=course.id,
            name=title,
            description=f"<p>Reflect on what you practised in week {week}.</p>",
            points_possible=points,
            due_at=due_at,
            unlock_at=None,
            lock_at=None,
            published=True,
            allowed_attempts=None,
            resource_link_id=link.id,
        )
        session.add(assignment)
        session.flush()
        session.add(
            LineItem(
                course_id=course.id,
                assignment_id=assignment.id,
                developer_key_id=key.id,
                resource_link_id=link.id,
                label=title,
                score_maximum=points,
                coupled=True,
                primary=True,
                **_placed_line_item(prompts.get(week, {})),
            )
        )
        session.add(
            ModuleItem(
                module_id=module.id,
                title=title,
                position=1,
                published=True,
                resource_link_id=link.id,
                assignment_id=assignment.id,
            )
        )
