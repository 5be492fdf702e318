"""Score payloads for Canvas's AGS: a submission report and a final grade.

Canvas reads its submission extension to make a score a SpeedGrader submission (a launch of
the tool at the review URL) and to decide whether a score opens a new attempt.
"""

from __future__ import annotations

from datetime import datetime

SUBMISSION_EXTENSION = "https://canvas.instructure.com/lti/submission"


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
