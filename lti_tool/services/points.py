"""One scale: a prompt is worth what its Canvas assignment is worth (the line item's
`scoreMaximum`).

Deep linking sends the prompt's points with the line item; an instructor's edit of the points is
put to the line item and read back, so the tool keeps whatever Canvas took; and when the points
were changed in Canvas, the next launch carries them (`$Canvas.assignment.pointsPossible`), the
tool follows and remembers that it did, to say so.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from lti_tool.lti.advantage.client import ServiceClient
from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.models import Prompt

TOLERANCE = 1e-9


@dataclass(frozen=True)
class PointsChange:
    before: float
    after: float


def launch_points(custom: Mapping[str, str]) -> float | None:
    """The assignment's points from the launch's custom parameters, when Canvas expanded them."""
    raw = custom.get("points_possible", "")
    try:
        points = float(raw)
    except ValueError:
        return None
    return points if points >= 0 and points == points else None


def follow_canvas(
    prompt: Prompt, canvas_points: float | None, now: datetime
) -> PointsChange | None:
    """Canvas's points win: the prompt (and its rubric, scaled alike) takes them, and remembers
    what it had, so the instructor is told. None when they already agree."""
    if canvas_points is None or abs(canvas_points - prompt.points_possible) <= TOLERANCE:
        return None
    change = PointsChange(prompt.points_possible, canvas_points)
    rescale(prompt, canvas_points)
    prompt.points_followed_from, prompt.points_followed_at = change.before, now
    return change


def rescale(prompt: Prompt, points: float) -> None:
    """New points for the prompt; rubric criteria keep their shares of the total."""
    factor = points / prompt.points_possible if prompt.points_possible else 0.0
    prompt.rubric = [
        {**criterion, "points": round(float(criterion["points"]) * factor, 2)}
        for criterion in prompt.rubric or []
    ]
    prompt.points_possible = points


class LineItemPoints:
    """The assignment's points in Canvas, set through AGS and read back."""

    def __init__(self, client: ServiceClient) -> None:
        self.client = client

    def put(self, credentials: Credentials, lineitem_url: str, points: float) -> float:
        """Set the line item's `scoreMaximum`, then read it back: Canvas's answer counts."""
        self.client.update_line_item(credentials, lineitem_url, {"scoreMaximum": points})
        held = self.client.line_item(credentials, lineitem_url).get("scoreMaximum")
        return float(held) if isinstance(held, int | float) else points
