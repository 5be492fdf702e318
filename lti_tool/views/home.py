"""The tool's own front page: what it is, for whom, and where each visitor should go. Nobody
uses the tool from here; people arrive from Canvas or from a walk-through link."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template

from lti_tool.services.programs import all_programs

bp = Blueprint("home", __name__)


@bp.get("/")
def index() -> Any:
    return render_template("home.html", programs=all_programs())
