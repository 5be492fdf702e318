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


def submission_score(
    *, user_id: str, submitted_at: datetime, review_url: str, new_attempt: bool, timestamp: datetime
) -> dict[str, object]:
    """A score that reports a submission without touching the grade.

    Without `scoreGiven` Canvas would clear an existing grade, so `preserve_score` is set; the
    submission extension makes SpeedGrader open `review_url` (a launch of the tool); the real
    submit time keeps Canvas's late flags right; a new attempt only for a new version.
    """
    return {
        "userId": user_id,
        "activityProgress": "Submitted",
        "gradingProgress": "PendingManual",
        "timestamp": timestamp.isoformat(),
        "submission": {"submittedAt": submitted_at.isoformat()},
        SUBMISSION_EXTENSION: {
            "new_submission": new_attempt,
            "submission_type": "basic_lti_launch",
            "submission_data": review_url,
            "submitted_at": submitted_at.isoformat(),
            "preserve_score": True,
        },
    }


def grade_score(
    *,
    user_id: str,
    score_given: float,
    score_maximum: float,
    comment: str | None,
    override_manual: bool,
    review_url: str,
    submitted_at: datetime | None,
    timestamp: datetime,
) -> dict[str, object]:
    """A final grade: no new attempt, and a grade a person typed in SpeedGrader wins unless the
    instructor chose to override it (`prioritize_non_tool_grade`). Every `comment` becomes a new
    Canvas comment, so it is included only when the instructor asked to send one."""
    extension: dict[str, object] = {
        "new_submission": False,
        "submission_type": "basic_lti_launch",
        "submission_data": review_url,
        "prioritize_non_tool_grade": not override_manual,
    }
    score: dict[str, object] = {
        "userId": user_id,
        "scoreGiven": score_given,
        "scoreMaximum": score_maximum,
        "activityProgress": "Completed",
        "gradingProgress": "FullyGraded",
        "timestamp": timestamp.isoformat(),
        SUBMISSION_EXTENSION: extension,
    }
    if submitted_at is not None:
        score["submission"] = {"submittedAt": submitted_at.isoformat()}
    if comment:
        score["comment"] = comment
    return score
