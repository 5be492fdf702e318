"""The audit log: who read or changed which record, and when.

An event names people and records only by id; reflection text, names and e-mails never go in
(the instructor's page joins names in when it shows the log). Events outlive what they are
about: a deleted course or person leaves its events behind, detached, until the retention purge.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from lti_tool.db import Base, utcnow


class AuditAction(StrEnum):
    REFLECTION_VIEWED = "reflection.viewed"
    REFLECTION_SUBMITTED = "reflection.submitted"
    FEEDBACK_POSTED = "feedback.posted"
    FEEDBACK_REPLIED = "feedback.replied"
    GRADE_SAVED = "grade.saved"
    GRADES_RESENT = "grades.resent"
    PROMPT_EDITED = "prompt.edited"
    PROMPT_RELEASED = "prompt.released"
    REPORT_DOWNLOADED = "report.downloaded"
    COURSE_EXPORTED = "course.exported"
    PARTICIPANT_DELETED = "participant.deleted"
    REGISTRATION_ADDED = "registration.added"
    REGISTRATION_REMOVED = "registration.removed"
    WALKTHROUGH_CREATED = "walkthrough.created"
    WALKTHROUGH_REVOKED = "walkthrough.revoked"
    WALKTHROUGH_VISITED = "walkthrough.visited"
    REGISTRATION_INVITED = "registration.invited"

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    AuditAction.REFLECTION_VIEWED: "Read a reflection",
    AuditAction.REFLECTION_SUBMITTED: "Submitted a reflection",
    AuditAction.FEEDBACK_POSTED: "Posted feedback",
    AuditAction.FEEDBACK_REPLIED: "Replied to feedback",
    AuditAction.GRADE_SAVED: "Saved a grade",
    AuditAction.GRADES_RESENT: "Sent grades to Canvas again",
    AuditAction.PROMPT_EDITED: "Edited a prompt",
    AuditAction.PROMPT_RELEASED: "Showed a prompt to participants",
    AuditAction.REPORT_DOWNLOADED: "Downloaded the completion report",
    AuditAction.COURSE_EXPORTED: "Exported the course",
    AuditAction.PARTICIPANT_DELETED: "Deleted a participant's data on request",
    AuditAction.REGISTRATION_ADDED: "Registered a platform",
    AuditAction.REGISTRATION_REMOVED: "Removed a platform registration",
    AuditAction.WALKTHROUGH_CREATED: "Created a walk-through link",
    AuditAction.WALKTHROUGH_REVOKED: "Revoked a walk-through link",
    AuditAction.WALKTHROUGH_VISITED: "Opened a walk-through link",
    AuditAction.REGISTRATION_INVITED: "Made a registration invite",
}


class AuditEvent(Base):
    __tablename__ = "audit_event"
    __table_args__ = (Index("ix_audit_event_course_newest", "course_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("course.id", ondelete="SET NULL"))
    """None for events outside a course (registrations), or once the course is gone."""
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("person.id", ondelete="SET NULL"))
    """The person who acted; None for an administrator's command or the platform itself."""
    actor_role: Mapped[str] = mapped_column(String(20))
    """instructor, participant, admin (a command), platform (dynamic registration) or visitor
    (a walk-through link)."""
    action: Mapped[AuditAction] = mapped_column(String(40))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[int | None]
    """No foreign key: the record may since have been deleted, the event stays."""
    detail: Mapped[str] = mapped_column(String(255), default="")
    """Ids and counts only (`version 2`, `3 reflections`); never text, names or e-mails."""
