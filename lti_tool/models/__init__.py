"""Every model, imported here so Alembic and create_all see the whole schema."""

from lti_tool.models.audit import AuditAction, AuditEvent
from lti_tool.models.canvas_result import CanvasResult
from lti_tool.models.comment_bank import BankComment
from lti_tool.models.course import Course
from lti_tool.models.feedback import FeedbackMessage, ReadMarker
from lti_tool.models.framing import FramingOrigin
from lti_tool.models.grade import Grade
from lti_tool.models.grade_sync import AccessToken, OutboxItem, OutboxKind, OutboxStatus
from lti_tool.models.lti_storage import LtiStorageEntry
from lti_tool.models.person import CourseRole, Enrollment, Person
from lti_tool.models.prompt import GradingType, Prompt
from lti_tool.models.rate_limit import RateLimitWindow
from lti_tool.models.reflection import Reflection, ReflectionVersion
from lti_tool.models.registration import Deployment, Registration, RegistrationInvite
from lti_tool.models.walkthrough import Walkthrough

__all__ = [
    "AuditAction",
    "AuditEvent",
    "AccessToken",
    "CanvasResult",
    "BankComment",
    "OutboxItem",
    "OutboxKind",
    "OutboxStatus",
    "Course",
    "CourseRole",
    "Deployment",
    "Enrollment",
    "FeedbackMessage",
    "FramingOrigin",
    "Grade",
    "GradingType",
    "LtiStorageEntry",
    "Person",
    "Prompt",
    "RateLimitWindow",
    "ReadMarker",
    "Reflection",
    "ReflectionVersion",
    "Registration",
    "RegistrationInvite",
    "Walkthrough",
]
