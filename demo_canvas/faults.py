"""Fault injection stored in the demo database: failing answers (5xx, 429) and added latency per
service.

Set from tests with :func:`set_fault` / :func:`clear_faults`, or over HTTP with the JSON endpoint
``/demo/api/test/faults`` (GET lists, POST sets one service, DELETE clears all).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable
from typing import Any, ParamSpec, cast

from flask import Blueprint, Flask, Response, jsonify, request
from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from demo_canvas.db import demo_session, get_db
from demo_canvas.models import Fault

SERVICES = ("jwks", "authorize", "token", "ags", "nrps", "deep_linking", "registration")
FAULT_STATUSES = frozenset({429, 500, 502, 503, 504})

bp = Blueprint("faults", __name__)
P = ParamSpec("P")


class FaultError(ValueError):
    """A fault setting the demo cannot apply."""


def apply_fault(
    session: Session,
    service: str,
    *,
    errors: int = 0,
    status: int = 500,
    retry_after: int | None = None,
    latency_ms: int = 0,
) -> Fault:
    """The next ``errors`` answers of ``service`` get ``status``; each waits ``latency_ms``."""
    if service not in SERVICES:
        raise FaultError(f"unknown service {service!r}; one of {', '.join(SERVICES)}")
    if status not in FAULT_STATUSES or errors < 0 or latency_ms < 0:
        raise FaultError("status must be 429 or 5xx; errors and latency_ms must not be negative")
    if status == 429 and retry_after is None:
        retry_after = 1
    fault = session.get(Fault, service) or Fault(service=service)
    fault.remaining, fault.status, fault.retry_after, fault.latency_ms = (
        errors,
        status,
        retry_after,
        latency_ms,
    )
    session.add(fault)
    session.flush()
    return fault


def set_fault(
    app: Flask,
    service: str,
    *,
    errors: int = 0,
    status: int = 500,
    retry_after: int | None = None,
    latency_ms: int = 0,
) -> None:
    """Python entry point for tests; see :func:`apply_fault`."""
    with demo_session(app) as session:
        apply_fault(
            session,
            service,
            errors=errors,
            status=status,
            retry_after=retry_after,
            latency_ms=latency_ms,
        )


def clear_faults(app: Flask) -> None:
    with demo_session(app) as session:
        session.execute(delete(Fault))


def _take_failure(session: Session, service: str) -> Fault | None:
    """Consume one injected failure atomically, so concurrent requests never share one."""
    fault = session.get(Fault, service)
    if fault is None:
        return None
    if fault.latency_ms:
        time.sleep(fault.latency_ms / 1000)
    taken = cast(
        CursorResult[Any],
        session.execute(
            update(Fault)
            .where(Fault.service == service, Fault.remaining > 0)
            .values(remaining=Fault.remaining - 1)
        ),
    )
    session.commit()
    return fault if taken.rowcount == 1 else None


def _failure_response(fault: Fault) -> Response:
    if fault.status == 429:
        response = Response(
            "403 Forbidden (Rate Limit Exceeded)", status=429, mimetype="text/plain"
        )
        response.headers["Retry-After"] = str(fault.retry_after)
        response.headers["X-Rate-Limit-Remaining"] = "0.0"
        return response
    response = jsonify({"errors": [{"message": "An error occurred."}]})
    response.status_code = fault.status
    return response


def faulty(service: str) -> Callable[[Callable[P, Any]], Callable[P, Any]]:
    """Decorate a view so injected faults for ``service`` apply before it runs."""

    def decorate(view: Callable[P, Any]) -> Callable[P, Any]:
        @functools.wraps(view)
        def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
            fault = _take_failure(get_db(), service)
            if fault is not None:
                return _failure_response(fault)
            return view(*args, **kwargs)

        return wrapper

    return decorate


def _fault_json(fault: Fault) -> dict[str, Any]:
    return {
        "service": fault.service,
        "errors": fault.remaining,
        "status": fault.status,
        "retry_after": fault.retry_after,
        "latency_ms": fault.latency_ms,
    }


@bp.get("/api/test/faults")
def list_faults() -> Response:
    return jsonify(
        [_fault_json(f) for f in get_db().scalars(select(Fault).order_by(Fault.service))]
    )


@bp.post("/api/test/faults")
def post_fault() -> tuple[Response, int]:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        return jsonify({"error": "expected a JSON object"}), 400
    session = get_db()
    try:
        fault = apply_fault(
            session,
            str(body.get("service")),
            errors=int(body.get("errors", 0)),
            status=int(body.get("status", 500)),
            retry_after=None if body.get("retry_after") is None else int(body["retry_after"]),
            latency_ms=int(body.get("latency_ms", 0)),
        )
    except (FaultError, TypeError, ValueError) as error:
        return jsonify({"error": str(error)}), 400
    session.commit()
    return jsonify(_fault_json(fault)), 200


@bp.delete("/api/test/faults")
def delete_faults() -> tuple[str, int]:
    session = get_db()
    session.execute(delete(Fault))
    session.commit()
    return "", 204
