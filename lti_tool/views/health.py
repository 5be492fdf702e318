"""Health endpoint for load balancers: the app answers and the database is reachable."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify
from sqlalchemy import text

from lti_tool.web import get_session

bp = Blueprint("health", __name__)


@bp.get("/health")
def health() -> Any:
    try:
        get_session().execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any database failure means "not ready"
        return jsonify({"status": "unavailable", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})
