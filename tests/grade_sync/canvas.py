"""The demo Canvas served over loopback HTTP as the Canvas that grade sync talks to, plus the tool
rows (registration, course, people) that mirror it.

The demo fetches the tool's JWKS through `tests.fake_jwks.ToolJwks`, answered from the tool's key
store, so nothing leaves the machine.
"""

from __future__ import annotations

import shutil
import threading
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import select, update
from werkzeug.serving import BaseWSGIServer, make_server

from demo_canvas import clear_faults, create_app, set_fault
from demo_canvas.ags import record_hand_grade
from demo_canvas.db import EXTENSION_KEY, demo_session
from demo_canvas.models import (
    Assignment,
    Course,
    DeveloperKey,
    Enrollment,
    EnrollmentType,
    LineItem,
    Result,
    Submission,
    User,
)
from lti_tool.db import utcnow
from lti_tool.lti.advantage.client import ServiceClient
from lti_tool.models import Course as ToolCourse
from lti_tool.models import CourseRole, Person, Registration
from lti_tool.models import Enrollment as ToolEnrollment
from lti_tool.services.audit import ADMIN
from lti_tool.services.outbox import GradeSync, ScoreTarget
from lti_tool.services.registrations import RegistrationService
from lti_tool.web import session_scope, wiring
from tests.fake_jwks import ToolJwks

CLIENT_ID = "10000000000002"
ISSUER = "https://canvas.instructure.com"
TOOL_BASE = "http://localhost"
REVIEW = TOOL_BASE + "/lti/launch?review="


def demo_app(db_path: Path, jwks: Callable[[], dict[str, Any]], base_url: str) -> Flask:
    return create_app(
        {
            "TESTING": True,
            "DEMO_CANVAS_DATABASE_URL": f"sqlite:///{db_path}",
            "DEMO_CANVAS_HTTP": ToolJwks(TOOL_BASE + "/lti/jwks", jwks),
            "DEMO_CANVAS_BASE_URL": base_url,
            "LTI_TOOL_BASE_URL": TOOL_BASE,
        }
    )


def seed_database(folder: Path) -> Path:
    """A seeded demo database (its RSA keys are the slow part), to copy for each test."""
    path = folder / "seeded.db"
    app = demo_app(path, lambda: {"keys": []}, "http://127.0.0.1:1")
    app.extensions[EXTENSION_KEY]["engine"].dispose()
    return path


@dataclass
class Student:
    person_id: int
    sub: str


class DemoCanvas:
    """A served demo Canvas and the tool rows that mirror its Officers course."""

    def __init__(self, tool: Flask, seeded: Path, folder: Path) -> None:
        self.tool = tool
        self.server: BaseWSGIServer = make_server("127.0.0.1", 0, None, threaded=True)  # type: ignore[arg-type]
        self.base_url = f"http://127.0.0.1:{self.server.server_port}"
        db_path = folder / "demo.db"
        shutil.copy(seeded, db_path)
        self.app = demo_app(db_path, wiring(tool).key_store.jwks, self.base_url)
        self.server.app = self.app  # type: ignore[assignment]
        self.thread = threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self.paths: list[str] = []
        self.app.before_request(self._count)

    def _count(self) -> None:
        from flask import request

        self.paths.append(f"{request.method} {request.path}")

    @contextmanager
    def running(self) -> Iterator[DemoCanvas]:
        self.thread.start()
        try:
            yield self
        finally:
            self.server.shutdown()
            self.server.server_close()
            self.app.extensions[EXTENSION_KEY]["engine"].dispose()

    # Demo side --------------------------------------------------------------------------------

    @property
    def course_id(self) -> int:
        with demo_session(self.app) as session:
            return session.scalars(select(Course.id).where(Course.course_code == "OFFICERS")).one()

    def url(self, path: str) -> str:
        return f"{self.base_url}/demo{path}"

    def line_item_url(self, label: str = "Week 1 reflection") -> str:
        with demo_session(self.app) as session:
            item_id = session.scalars(
                select(LineItem.id).where(
                    LineItem.course_id == self.course_id, LineItem.label == label
                )
            ).one()
        return self.url(f"/api/lti/courses/{self.course_id}/line_items/{item_id}")

    def add_students(self, count: int) -> list[str]:
        """`count` more students in the Officers course; returns their LTI ids."""
        subs = []
        with demo_session(self.app) as session:
            for n in range(count):
                sub = str(uuid.uuid4())
                user = User(
                    login_id=f"extra{n}-{sub[:8]}",
                    name=f"Extra Student {n}",
                    given_name="Extra",
                    family_name=f"Student {n}",
                    email=f"extra{n}@example.edu",
                    lti_id=sub,
                    opaque_id=uuid.uuid4().hex,
                )
                session.add(user)
                session.flush()
                session.add(
                    Enrollment(
                        course_id=self.course_id, user_id=user.id, type=EnrollmentType.STUDENT
                    )
                )
                subs.append(sub)
        return subs

    def user_sub(self, login_id: str) -> str:
        with demo_session(self.app) as session:
            return session.scalars(select(User.lti_id).where(User.login_id == login_id)).one()

    def gradebook(self, label: str = "Week 1 reflection") -> dict[str, dict[str, Any]]:
        """Per LTI user id: score, attempt, submission data and comments of the assignment."""
        with demo_session(self.app) as session:
            assignment = session.scalars(
                select(Assignment).where(
                    Assignment.course_id == self.course_id, Assignment.name == label
                )
            ).one()
            submissions = session.scalars(
                select(Submission).where(Submission.assignment_id == assignment.id)
            )
            return {
                s.user.lti_id: {
                    "score": s.score,
                    "attempt": s.attempt,
                    "submission_data": s.submission_data,
                    "submitted_at": s.submitted_at,
                    "comments": [c.comment for c in s.comments],
                }
                for s in submissions
            }

    def clear_result(self, sub: str, label: str = "Week 1 reflection") -> None:
        """An instructor removing the grade in Canvas's gradebook."""
        self.grade_by_hand(sub, None, label)

    def grade_by_hand(
        self, sub: str, score: float | None, label: str = "Week 1 reflection"
    ) -> None:
        """What an instructor typing a grade in SpeedGrader leaves behind."""
        with demo_session(self.app) as session:
            submission = session.scalars(
                select(Submission)
                .join(Assignment, Assignment.id == Submission.assignment_id)
                .join(User, User.id == Submission.user_id)
                .where(Assignment.name == label, User.lti_id == sub)
            ).one()
            record_hand_grade(session, submission, score)

    def results(self) -> dict[str, float | None]:
        with demo_session(self.app) as session:
            return {r.user.lti_id: r.result_score for r in session.scalars(select(Result))}

    def delete_assignment(self, label: str = "Week 1 reflection") -> None:
        with demo_session(self.app) as session:
            assignment = session.scalars(select(Assignment).where(Assignment.name == label)).first()
            assert assignment is not None
            assignment.deleted = True

    def fault(self, service: str, **kwargs: Any) -> None:
        set_fault(self.app, service, **kwargs)

    def clear_faults(self) -> None:
        clear_faults(self.app)

    def count(self, fragment: str) -> int:
        return sum(1 for path in self.paths if fragment in path)

    # Tool side --------------------------------------------------------------------------------

    def register(self) -> tuple[int, int]:
        """The demo as a registration in the tool, and its Officers course; (course id, reg id)."""
        with session_scope(self.tool) as session:
            registration = RegistrationService(session).add(
                actor=ADMIN,
                issuer=ISSUER,
                client_id=CLIENT_ID,
                auth_login_url=self.url("/api/lti/authorize_redirect"),
                auth_token_url=self.url("/login/oauth2/token"),
                key_set_url=self.url("/api/lti/security/jwks"),
                deployment_ids=["5:deployment"],
            )
            course = ToolCourse(
                registration_id=registration.id,
                context_id="officers",
                title="Officers",
                lineitems_url=self.url(f"/api/lti/courses/{self.course_id}/line_items"),
                memberships_url=self.url(f"/api/lti/courses/{self.course_id}/names_and_roles"),
            )
            session.add(course)
            session.flush()
            return course.id, registration.id

    def answer_for(self, client_id: str) -> None:
        """The demo answers the services of the tool's registration with this client id, as if
        it had launched the tool itself."""
        with demo_session(self.app) as demo:
            demo.execute(update(DeveloperKey).values(client_id=client_id))
        with session_scope(self.tool) as session:
            session.execute(
                update(Registration)
                .where(Registration.client_id == client_id)
                .values(auth_token_url=self.url("/login/oauth2/token"))
            )

    def tool_student(self, course_id: int, sub: str) -> Student:
        with session_scope(self.tool) as session:
            course = session.get_one(ToolCourse, course_id)
            person = session.scalar(
                select(Person).where(
                    Person.registration_id == course.registration_id, Person.sub == sub
                )
            )
            if person is None:
                person = Person(registration_id=course.registration_id, sub=sub)
                session.add(person)
                session.flush()
                session.add(
                    ToolEnrollment(
                        course_id=course.id, person_id=person.id, role=CourseRole.PARTICIPANT
                    )
                )
            return Student(person.id, sub)


def target(
    lineitem_url: str | None, lineitems_url: str | None = None, label: str = "Week 1 reflection"
) -> ScoreTarget:
    return ScoreTarget(
        lineitem_url=lineitem_url,
        lineitems_url=lineitems_url,
        resource_link_id=None,
        resource_id="prompt-1",
        label=label,
        score_maximum=10.0,
    )


def queue_grade(
    tool: Flask,
    course_id: int,
    student: Student,
    score: float,
    *,
    lineitem_url: str | None,
    comment: str | None = None,
    subject: str = "prompt:1",
    lineitems_url: str | None = None,
    label: str = "Week 1 reflection",
    override_manual: bool = False,
) -> int:
    """A committed grade row, as the grading view would leave it."""
    with session_scope(tool) as session:
        item = GradeSync(session).grade(
            course=session.get_one(ToolCourse, course_id),
            person=session.get_one(Person, student.person_id),
            subject_key=subject,
            target=target(lineitem_url, lineitems_url, label),
            score_given=score,
            comment=comment,
            override_manual=override_manual,
            review_url=REVIEW + subject,
            submitted_at=None,
        )
        return item.id


SUBMITTED_MINUTES_AGO = 5


def queue_submission(
    tool: Flask, course_id: int, student: Student, *, lineitem_url: str, subject: str = "prompt:1"
) -> int:
    with session_scope(tool) as session:
        item = GradeSync(session).submission(
            course=session.get_one(ToolCourse, course_id),
            person=session.get_one(Person, student.person_id),
            subject_key=subject,
            target=target(lineitem_url),
            submitted_at=utcnow() - timedelta(minutes=SUBMITTED_MINUTES_AGO),
            review_url=REVIEW + subject,
            new_attempt=True,
        )
        return item.id


class FakeClock:
    """The senders' clock: stands still unless "slept", so backoffs of minutes pass instantly and
    exactly. It starts a minute ahead, so rows queued during the test are already due. (Score
    timestamps and token assertions use the service client's real clock, which Canvas checks.)"""

    def __init__(self) -> None:
        self.now = utcnow() + timedelta(minutes=1)
        self.slept: list[float] = []
        self.lock = threading.Lock()

    def __call__(self) -> datetime:
        return self.now

    def sleep(self, seconds: float) -> None:
        with self.lock:
            self.slept.append(seconds)
            self.now += timedelta(seconds=seconds)


def service_client(tool: Flask, deadline: float = 5.0) -> ServiceClient:
    return ServiceClient(
        wiring(tool).http,
        wiring(tool).key_store,
        wiring(tool).sessions,
        deadline=deadline,
    )
