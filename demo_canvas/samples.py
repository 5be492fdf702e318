"""Sample sessions: two more demo courses, each holding one of the tool's fictional sample
cohorts (75 officers over 2 weeks, 25 leaders over 6), so a presenter signed in as the demo's
instructor sees a full course from the instructor's side and in the Canvas gradebook.

Everything crosses to the tool as a Canvas and the tool's operator would cross it: the tool's
`sample cohort` command says who the cohort is (fictional names from its seeded plan, the weekly
prompts and their due dates); the demo enrols those people and places the prompts as module
assignments; then `sample populate` fills the tool's side of the course keyed exactly as the
demo's launches key it (issuer, client, deployment, context, each user's `sub`, resource links,
line items) and queues the cohort's grades and submissions in the tool's outbox. The tool's
delivery then posts them over AGS like any grade: nothing is written into the gradebook here.

Safe to repeat: a course the demo already has keeps its people and dates, and `sample populate`
leaves a tool course that already holds reflections as it is.
"""

from __future__ import annotations

import json
import tempfile
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from demo_canvas import urls
from demo_canvas.db import demo_session
from demo_canvas.models import (
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
from demo_canvas.oidc import deployment_for
from demo_canvas.seed import SeedUser, add_modules, add_user, opaque

ToolCommand = Callable[[list[str]], str]
"""Runs `flask --app lti_tool ARGUMENTS` and returns what it printed."""

SEED = 16
INSTRUCTORS = ("instructor", "ta")
"""The demo users who stand for the plan's two instructors: the same instructor (and TA) as in
the other demo courses, so one sign-in shows every course."""


@dataclass(frozen=True)
class SampleSession:
    code: str
    program: str
    name: str


SAMPLE_SESSIONS = (
    SampleSession("OFFICERS-SAMPLE", "officers", "Officers — sample session (75, fictional)"),
    SampleSession("LEADERS-SAMPLE", "leaders", "Leaders — sample session (25, fictional)"),
)


def load_sample_sessions(demo: Flask, tool_command: ToolCommand) -> None:
    """Create the sample sessions the demo does not have yet, and have the tool fill them."""
    for spec in SAMPLE_SESSIONS:
        arguments = ["sample", "cohort", "--program", spec.program, "--seed", str(SEED)]
        with demo.app_context(), demo_session(demo) as session:
            started = session.scalar(select(Course.start_at).where(Course.course_code == spec.code))
        if started is not None:  # the course keeps the dates it was made with
            arguments += ["--starts-on", started.date().isoformat()]
        cohort = json.loads(tool_command(arguments))
        with demo.app_context(), demo_session(demo) as session:
            course = session.scalar(select(Course).where(Course.course_code == spec.code))
            course = course or _create_course(session, spec, cohort)
            populate = _populate_spec(session, course, cohort)
        with tempfile.TemporaryDirectory(prefix="demo-canvas-sample-") as folder:
            path = Path(folder) / "populate.json"
            path.write_text(json.dumps(populate), encoding="utf-8")
            tool_command(["sample", "populate", str(path)])


def _create_course(session: Session, spec: SampleSession, cohort: dict[str, Any]) -> Course:
    start = datetime.combine(date.fromisoformat(cohort["starts_on"]), time(0), UTC)
    prompts = cohort["prompts"]
    course = Course(
        name=spec.name,
        course_code=spec.code,
        opaque_id=opaque("course:" + spec.code),
        start_at=start,
        weeks=len(prompts),
    )
    session.add(course)
    session.flush()
    roles = {
        "instructor": EnrollmentType.TEACHER,
        "ta": EnrollmentType.TA,
        "test_student": EnrollmentType.STUDENT_VIEW,
    }
    for person in cohort["participants"]:
        _participant(session, person["sub"], person["name"])
        roles[person["sub"]] = EnrollmentType.STUDENT
    users = dict(
        session.execute(select(User.login_id, User.id).where(User.login_id.in_(list(roles)))).all()
    )
    for login_id, kind in roles.items():
        session.add(Enrollment(course_id=course.id, user_id=users[login_id], type=kind))
    add_modules(
        session,
        course,
        _developer_key(session),
        {p["week"]: {"program": spec.program, "prompt_bank": p["bank_key"]} for p in prompts},
        {p["week"]: (datetime.fromisoformat(p["due_at"]), float(p["points"])) for p in prompts},
    )
    session.flush()
    return course


def _developer_key(session: Session) -> DeveloperKey:
    """The seeded developer key: the tool's, which the seeded courses' links launch."""
    key = session.scalars(select(DeveloperKey).order_by(DeveloperKey.id)).first()
    if key is None:
        raise RuntimeError("the demo Canvas has no developer key for the tool")
    return key


def _participant(session: Session, login_id: str, name: str) -> None:
    """The plan's person as a demo user, with a stable LTI id (the tool knows them by it)."""
    if session.scalar(select(User.id).where(User.login_id == login_id)) is not None:
        return
    given, _, family = name.partition(" ")
    user = add_user(session, SeedUser(login_id, given, family))
    user.lti_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"demo-canvas:user:{login_id}"))
    user.opaque_id = opaque("user:" + login_id)
    session.flush()


def _populate_spec(session: Session, course: Course, cohort: dict[str, Any]) -> dict[str, Any]:
    """What `sample populate` needs, named as this course's launches name it."""
    subs = dict(
        session.execute(
            select(User.login_id, User.lti_id)
            .join(Enrollment, Enrollment.user_id == User.id)
            .where(Enrollment.course_id == course.id)
        ).all()
    )
    names = dict(session.execute(select(User.login_id, User.name)).all())
    people = {
        plan["sub"]: {"sub": subs[login_id], "name": names[login_id]}
        for plan, login_id in zip(cohort["instructors"], INSTRUCTORS, strict=True)
    }
    people |= {
        plan["sub"]: {"sub": subs[plan["sub"]], "name": plan["name"]}
        for plan in cohort["participants"]
    }
    placements = {}
    rows = session.execute(
        select(Module.position, LineItem.id, ResourceLink.lookup_uuid, ModuleItem.title)
        .join(ModuleItem, ModuleItem.module_id == Module.id)
        .join(LineItem, LineItem.assignment_id == ModuleItem.assignment_id)
        .join(ResourceLink, ResourceLink.id == LineItem.resource_link_id)
        .where(Module.course_id == course.id, LineItem.primary.is_(True))
    )
    key = _developer_key(session)
    for week, line_item_id, resource_link_id, title in rows:
        placements[str(week)] = {
            "resource_link_id": resource_link_id,
            "lineitem_url": urls.line_item(course.id, line_item_id),
            "title": title,
        }
    deployment = deployment_for(session, key)
    if deployment is None:
        raise RuntimeError("the tool's developer key is not deployed in the demo Canvas")
    return {
        "program": cohort["program"],
        "seed": cohort["seed"],
        "starts_on": cohort["starts_on"],
        "platform": {
            "issuer": urls.issuer(),
            "client_id": key.client_id,
            "deployment_id": deployment.deployment_id,
        },
        "course": {
            "context_id": course.opaque_id,
            "title": course.name,
            "label": course.course_code,
            "lineitems_url": urls.line_items(course.id),
            "memberships_url": urls.names_and_roles(course.id),
        },
        "people": people,
        "placements": placements,
    }
