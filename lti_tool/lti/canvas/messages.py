"""Canvas's own claims and parameters on logins, launches and deep-linking responses."""

from __future__ import annotations

from collections.abc import Mapping

PLACEMENT_CLAIM = "https://www.instructure.com/placement"
PRESERVE_ASSIGNMENT_NAME = "https://canvas.instructure.com/lti/preserveExistingAssignmentName"


def login_deployment_id(params: Mapping[str, str]) -> str | None:
    """Canvas sends `lti_deployment_id`, `deployment_id`, or both, depending on a feature flag."""
    return params.get("lti_deployment_id") or params.get("deployment_id") or None
