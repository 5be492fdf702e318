"""Pages for course participants (Canvas Learners)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from lti_tool.auth import current_launch, launch_required

bp = Blueprint("participant", __name__, url_prefix="/participant")


@bp.get("/")
@launch_required("participant")
def home() -> Any:
    return render_template("participant/home.html", launch=current_launch())
