"""Pages for course instructors (Canvas Teachers, TAs and Designers)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from lti_tool.auth import current_launch, launch_required

bp = Blueprint("instructor", __name__, url_prefix="/instructor")


@bp.get("/")
@launch_required("instructor")
def home() -> Any:
    return render_template("instructor/home.html", launch=current_launch())


@bp.get("/deep-link")
@launch_required("instructor")
def deep_link() -> Any:
    return render_template("instructor/deep_link.html", launch=current_launch())
