"""Everything Canvas does differently from the LTI specifications, in one place."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

PLACEMENT_CLAIM = "https://www.instructure.com/placement"
SUBMISSION_EXTENSION = "https://canvas.instructure.com/lti/submission"
PRESERVE_ASSIGNMENT_NAME = "https://canvas.instructure.com/lti/preserveExistingAssignmentName"
PRIVACY_LEVEL = "public"
"""The developer key's privacy level: instructors need names to read and answer reflections."""

CUSTOM_FIELDS = {
    "canvas_course_id": "$Canvas.course.id",
    "canvas_user_id": "$Canvas.user.id",
    "canvas_assignment_id": "$Canvas.assignment.id",
    "due_at": "$Canvas.assignment.dueAt.iso8601",
    "points_possible": "$Canvas.assignment.pointsPossible",
    "person_name": "$Person.name.full",
}


@dataclass(frozen=True)
class Environment:
    issuer: str
    auth_login_url: str
    auth_token_url: str
    key_set_url: str


ENVIRONMENTS = {
    "prod": Environment(
        "https://canvas.instructure.com",
        "https://sso.canvaslms.com/api/lti/authorize_redirect",
        "https://sso.canvaslms.com/login/oauth2/token",
        "https://sso.canvaslms.com/api/lti/security/jwks",
    ),
    "beta": Environment(
        "https://canvas.beta.instructure.com",
        "https://sso.beta.canvaslms.com/api/lti/authorize_redirect",
        "https://sso.beta.canvaslms.com/login/oauth2/token",
        "https://sso.beta.canvaslms.com/api/lti/security/jwks",
    ),
    "test": Environment(
        "https://canvas.test.instructure.com",
        "https://sso.test.canvaslms.com/api/lti/authorize_redirect",
        "https://sso.test.canvaslms.com/login/oauth2/token",
        "https://sso.test.canvaslms.com/api/lti/security/jwks",
    ),
}


def framing_origins(issuer: str) -> set[str]:
    """Canvas cloud frames tools from each institution's own domain, not the issuer's."""
    if issuer.rstrip("/") in {env.issuer for env in ENVIRONMENTS.values()}:
        return {"https://*.instructure.com", "https://*.canvaslms.com"}
    return set()


def expanded_custom(custom: Mapping[str, object]) -> dict[str, str]:
    """Custom parameters with Canvas's unexpandable variables dropped.

    Canvas sends a variable it cannot expand as its literal name (`$Canvas.assignment.dueAt.iso8601`
    when an assignment has no due date), so a value starting with `$` means "not given".
    """
    return {
        str(key): str(value)
        for key, value in custom.items()
        if value is not None and not str(value).startswith("$")
    }


def due_at(custom: Mapping[str, str]) -> datetime | None:
    raw = custom.get("due_at")
    if not raw:
        return None
    try:
        return datetime.fromisoformat(raw.replace("Z", "+00:00"))
    except ValueError:
        return None


def login_deployment_id(params: Mapping[str, str]) -> str | None:
    """Canvas sends `lti_deployment_id`, `deployment_id`, or both, depending on a feature flag."""
    return params.get("lti_deployment_id") or params.get("deployment_id") or None
