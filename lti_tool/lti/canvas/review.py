"""SpeedGrader's way back into the tool: a submission is a launch URL naming the reflection."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

REVIEW_PARAM = "review"
"""The launch URL's query parameter naming the reflection SpeedGrader shows."""


def review_url(base_url: str, reflection_id: int) -> str:
    """The submission URL SpeedGrader launches: the tool's launch URL naming the reflection."""
    return f"{base_url}/lti/launch?{REVIEW_PARAM}={reflection_id}"


def review_requested(target_link_uri: str) -> bool:
    """A launch from SpeedGrader: its target link names a reflection to review."""
    return REVIEW_PARAM in parse_qs(urlsplit(target_link_uri).query)
