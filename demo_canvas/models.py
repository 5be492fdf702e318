"""Tables of the demo Canvas, named after Canvas's own models so the rules read alike."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from demo_canvas.db import Base, utcnow


class EnrollmentType(StrEnum):
    STUDENT = "StudentEnrollment"
    TEACHER = "TeacherEnrollment"
    TA = "TaEnrollment"
    STUDENT_VIEW = "StudentViewEnrollment"


class SigningKey(Base):
    """One of Canvas's three platform keys; ``slot`` is past, present or future."""

    __tablename__ = "signing_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    slot: Mapped[str] = mapped_column(String(10), unique=True)
    kid: Mapped[str] = mapped_column(String(40), unique=True)
    private_pem: Mapped[str] = mapped_column(Text)


class Secret(Base):
    """Named HMAC secrets (message hints, access tokens, registration tokens, deep-link data)."""

    __tablename__ = "secret"
    name: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(128))


class User(Base):
    __tablename__ = "user"
    id: Mapped[int] = mapped_column(primary_key=True)
    login_id: Mapped[str] = mapped_column(String(40), unique=True)
    """Stable handle used by the user switcher and by tests ("instructor", "participant1", ...)."""
    name: Mapped[str] = mapped_column(String(120))
    given_name: Mapped[str] = mapped_column(String(60))
    family_name: Mapped[str] = mapped_column(String(60))
    email: Mapped[str] = mapped_column(String(120))
    lti_id: Mapped[str] = mapped_column(String(36), unique=True)
    """The LTI 1.3 ``sub`` (a UUID)."""
    opaque_id: Mapped[str] = mapped_column(String(40), unique=True)
    """The 40-hex LTI 1.1 id, sent as ``login_hint`` and ``lti11_legacy_user_id``."""
    is_admin: Mapped[bool] = mapped_column(default=False)
    is_test_user: Mapped[bool] = mapped_column(default=False)


class DemoSession(Base):
    """Who is "logged in" to the demo Canvas, keyed by a cookie on the demo origin."""

    __tablename__ = "demo_session"
    token: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    user: Mapped[User] = relationship()


class Course(Base):
    __tablename__ = "course"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    course_code: Mapped[str] = mapped_column(String(40), unique=True)
    opaque_id: Mapped[str] = mapped_column(String(40), unique=True)
    start_at: Mapped[datetime]
    weeks: Mapped[int]
    modules: Mapped[list[Module]] = relationship(order_by="Module.position")


class Enrollment(Base):
    __tablename__ = "enrollment"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    type: Mapped[str] = mapped_column(String(30))
    user: Mapped[User] = relationship()

    @property
    def is_student(self) -> bool:
        """Students and the Student View test student may receive scores."""
        return self.type in (EnrollmentType.STUDENT, EnrollmentType.STUDENT_VIEW)

    @property
    def is_instructor(self) -> bool:
        return self.type in (EnrollmentType.TEACHER, EnrollmentType.TA)


class DeveloperKey(Base):
    """An LTI 1.3 developer key (manual JSON install or dynamic registration)."""

    __tablename__ = "developer_key"
    id: Mapped[int] = mapped_column(primary_key=True)
    client_id: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    oidc_initiation_url: Mapped[str] = mapped_column(String(500))
    target_link_uri: Mapped[str] = mapped_column(String(500))
    public_jwk_url: Mapped[str] = mapped_column(String(500))
    redirect_uris: Mapped[list[str]] = mapped_column(JSON)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    custom_fields: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    placements: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    """``[{placement, message_type, target_link_uri, custom_fields}]``, as in developer-key JSON."""
    privacy_level: Mapped[str] = mapped_column(String(20), default="public")
    enabled: Mapped[bool] = mapped_column(default=True)
    registration_jti: Mapped[str | None] = mapped_column(String(64), unique=True)
    """The registration token that created this key by dynamic registration (one key per token)."""
    deployments: Mapped[list[Deployment]] = relationship(back_populates="developer_key")

    def placement(self, name: str) -> dict[str, Any] | None:
        return next((p for p in self.placements if p.get("placement") == name), None)


class Deployment(Base):
    """An account-level install of a developer key (ContextExternalTool), valid in every course."""

    __tablename__ = "deployment"
    id: Mapped[int] = mapped_column(primary_key=True)
    deployment_id: Mapped[str] = mapped_column(String(60), unique=True)
    developer_key_id: Mapped[int] = mapped_column(ForeignKey("developer_key.id"))
    developer_key: Mapped[DeveloperKey] = relationship(back_populates="deployments")


class Module(Base):
    __tablename__ = "module"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    name: Mapped[str] = mapped_column(String(120))
    position: Mapped[int]
    items: Mapped[list[ModuleItem]] = relationship(order_by="ModuleItem.position")


class ResourceLink(Base):
    """An Lti::ResourceLink: the link's URL and the ``custom`` params a deep-link item set."""

    __tablename__ = "resource_link"
    id: Mapped[int] = mapped_column(primary_key=True)
    lookup_uuid: Mapped[str] = mapped_column(String(36), unique=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    developer_key_id: Mapped[int] = mapped_column(ForeignKey("developer_key.id"))
    url: Mapped[str] = mapped_column(String(1000))
    title: Mapped[str] = mapped_column(String(255))
    custom: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    developer_key: Mapped[DeveloperKey] = relationship()


class Assignment(Base):
    __tablename__ = "assignment"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    name: Mapped[str] = mapped_column(String(255))
    description: Mapped[str] = mapped_column(Text, default="")
    points_possible: Mapped[float]
    submission_types: Mapped[str] = mapped_column(String(40), default="external_tool")
    due_at: Mapped[datetime | None]
    unlock_at: Mapped[datetime | None]
    lock_at: Mapped[datetime | None]
    published: Mapped[bool] = mapped_column(default=False)
    deleted: Mapped[bool] = mapped_column(default=False)
    allowed_attempts: Mapped[int | None]
    """None means unlimited, as in Canvas."""
    resource_link_id: Mapped[int | None] = mapped_column(ForeignKey("resource_link.id"))
    resource_link: Mapped[ResourceLink | None] = relationship()


class ModuleItem(Base):
    """A content tag: an external-tool link or an assignment, both launching a resource link."""

    __tablename__ = "module_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey("module.id"))
    title: Mapped[str] = mapped_column(String(255))
    position: Mapped[int]
    published: Mapped[bool] = mapped_column(default=False)
    resource_link_id: Mapped[int] = mapped_column(ForeignKey("resource_link.id"))
    assignment_id: Mapped[int | None] = mapped_column(ForeignKey("assignment.id"))
    resource_link: Mapped[ResourceLink] = relationship()
    assignment: Mapped[Assignment | None] = relationship()
    module: Mapped[Module] = relationship(back_populates="items")


class LineItem(Base):
    __tablename__ = "line_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("course.id"))
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"))
    developer_key_id: Mapped[int] = mapped_column(ForeignKey("developer_key.id"))
    resource_link_id: Mapped[int | None] = mapped_column(ForeignKey("resource_link.id"))
    label: Mapped[str] = mapped_column(String(255))
    score_maximum: Mapped[float]
    resource_id: Mapped[str | None] = mapped_column(String(255))
    tag: Mapped[str | None] = mapped_column(String(255))
    start_at: Mapped[datetime | None]
    end_at: Mapped[datetime | None]
    submission_type: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    coupled: Mapped[bool] = mapped_column(default=False)
    """Coupled line items (made with their assignment, not by the API) cannot be deleted."""
    primary: Mapped[bool] = mapped_column(default=True)
    """Only the assignment's first line item writes grades, submissions and comments."""
    assignment: Mapped[Assignment] = relationship()
    resource_link: Mapped[ResourceLink | None] = relationship()


class Submission(Base):
    __tablename__ = "submission"
    __table_args__ = (UniqueConstraint("assignment_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    assignment_id: Mapped[int] = mapped_column(ForeignKey("assignment.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    score: Mapped[float | None]
    graded_by_tool: Mapped[bool] = mapped_column(default=False)
    """False once a person grades by hand: ``prioritize_non_tool_grade`` then keeps that grade."""
    attempt: Mapped[int] = mapped_column(default=0)
    submission_type: Mapped[str | None] = mapped_column(String(40))
    submission_data: Mapped[str | None] = mapped_column(Text)
    submitted_at: Mapped[datetime | None]
    graded_at: Mapped[datetime | None]
    user: Mapped[User] = relationship()
    comments: Mapped[list[SubmissionComment]] = relationship(order_by="SubmissionComment.id")


class SubmissionComment(Base):
    __tablename__ = "submission_comment"
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("submission.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    """None for comments posted by a tool through AGS (Canvas shows them without an author)."""
    comment: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Result(Base):
    __tablename__ = "result"
    __table_args__ = (UniqueConstraint("line_item_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    line_item_id: Mapped[int] = mapped_column(ForeignKey("line_item.id"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    result_score: Mapped[float | None]
    result_maximum: Mapped[float | None]
    comment: Mapped[str | None] = mapped_column(Text)
    activity_progress: Mapped[str] = mapped_column(String(20))
    grading_progress: Mapped[str] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    """Server time of the last score post; a score whose timestamp is older is refused."""
    user: Mapped[User] = relationship()


class LaunchCache(Base):
    """A launch built at login initiation and consumed once by the authorize step."""

    __tablename__ = "launch_cache"
    verifier: Mapped[str] = mapped_column(String(64), primary_key=True)
    client_id: Mapped[str] = mapped_column(String(20))
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    claims: Mapped[dict[str, Any]] = mapped_column(JSON)
    expires_at: Mapped[datetime]
    consumed_at: Mapped[datetime | None]


class Fault(Base):
    """Fault injection for one service: the next ``remaining`` answers fail; all are delayed."""

    __tablename__ = "fault"
    service: Mapped[str] = mapped_column(String(20), primary_key=True)
    remaining: Mapped[int] = mapped_column(default=0)
    status: Mapped[int] = mapped_column(default=500)
    retry_after: Mapped[int | None]
    latency_ms: Mapped[int] = mapped_column(default=0)
