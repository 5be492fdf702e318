"""Canvas's error bodies for the LTI Advantage services."""

from __future__ import annotations

from http import HTTPStatus

from flask import Response, jsonify

TYPES = {
    400: "bad_request",
    401: "unauthorized",
    404: "not_found",
    412: "precondition_failed",
    422: "unprocessable_entity",
}


class ServiceError(Exception):
    """Raised inside a service view; rendered as ``{"errors": {"type", "message"}}`` with its
    status.
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


def service_error_response(error: ServiceError) -> Response:
    kind = TYPES.get(error.status) or HTTPStatus(error.status).phrase.lower().replace(" ", "_")
    response = jsonify({"errors": {"type": kind, "message": error.message}})
    response.status_code = error.status
    return response
