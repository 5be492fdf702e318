"""Names and Role Provisioning: pages of at most 50 members with a ``Link`` header.

The page token is Canvas's bookmark style (``bookmark:`` + base64 of JSON), which is case-sensitive:
a client that lowercases the ``Link`` URL gets a 400, as it would break against Canvas.
"""

from __future__ import annotations

import base64
import binascii
import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, Response, request
from sqlalchemy import select
from sqlalchemy.orm import Session

from demo_canvas import urls
from demo_canvas.claims import LTI, NRPS_SCOPE, membership_roles
from demo_canvas.db import get_db
from demo_canvas.errors import ServiceError
from demo_canvas.faults import faulty
from demo_canvas.models import (
    Course,
    DeveloperKey,
    Enrollment,
    EnrollmentType,
    ModuleItem,
    ResourceLink,
)
from demo_canvas.oauth import current_grant, requires_scope

bp = Blueprint("nrps", __name__)

MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_LIMIT = 50
BOOKMARK = "bookmark:"


def encode_bookmark(last_enrollment_id: int) -> str:
    raw = json.dumps([last_enrollment_id]).encode()
    return BOOKMARK + base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_bookmark(token: str) -> int:
    if not token.startswith(BOOKMARK):
        raise ServiceError(400, "Invalid page token")
    encoded = token.removeprefix(BOOKMARK)
    try:
        value = json.loads(base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)))
    except (binascii.Error, ValueError) as error:
        raise ServiceError(400, "Invalid page token") from error
    if not (isinstance(value, list) and len(value) == 1 and isinstance(value[0], int)):
        raise ServiceError(400, "Invalid page token")
    return value[0]


def _limit() -> int:
    try:
        limit = int(request.args.get("limit", MAX_LIMIT))
    except ValueError as error:
        raise ServiceError(400, "limit must be an integer") from error
    return max(1, min(limit, MAX_LIMIT))


def _link_filter(session: Session, course: Course, key: DeveloperKey, rlid: str) -> bool:
    """Whether the ``rlid`` link is published (students see it); unknown links are an error."""
    link = session.scalar(
        select(ResourceLink).where(
            ResourceLink.lookup_uuid == rlid,
            ResourceLink.course_id == course.id,
            ResourceLink.developer_key_id == key.id,
        )
    )
    if link is None:
        raise ServiceError(400, "Tool does not have access to rlid or rlid does not exist")
    items = session.scalars(select(ModuleItem).where(ModuleItem.resource_link_id == link.id))
    return any(item.published for item in items)


def member_json(enrollment: Enrollment, privacy_level: str) -> dict[str, Any]:
    user = enrollment.user
    member: dict[str, Any] = {
        "status": "Active",
        "user_id": user.lti_id,
        "lti11_legacy_user_id": user.opaque_id,
        "roles": membership_roles(enrollment),
    }
    if privacy_level in ("public", "name_only"):
        member.update(name=user.name, given_name=user.given_name, family_name=user.family_name)
    if privacy_level in ("public", "email_only"):
        member["email"] = user.email
    return member


@bp.get("/api/lti/courses/<int:course_id>/names_and_roles")
@faulty("nrps")
@requires_scope(NRPS_SCOPE)
def names_and_roles(course_id: int) -> Response:
    session = get_db()
    course = session.get(Course, course_id)
    if course is None:
        raise ServiceError(404, "The specified resource does not exist.")
    key = current_grant().developer_key
    limit = _limit()
    query = select(Enrollment).where(Enrollment.course_id == course.id).order_by(Enrollment.id)
    if "page" in request.args:
        query = query.where(Enrollment.id > decode_bookmark(request.args["page"]))
    rlid = request.args.get("rlid")
    if rlid and not _link_filter(session, course, key, rlid):
        query = query.where(Enrollment.type.in_((EnrollmentType.TEACHER, EnrollmentType.TA)))
    enrollments = list(session.scalars(query))
    role = request.args.get("role")
    if role:
        enrollments = [e for e in enrollments if role in membership_roles(e)]
    page, more = enrollments[:limit], len(enrollments) > limit
    members = [member_json(e, key.privacy_level) for e in page]
    if rlid:
        for member in members:
            member["message"] = [{LTI + "message_type": "LtiResourceLinkRequest", "locale": "en"}]
    body = {
        "id": _this_page(course),
        "context": {"id": course.opaque_id, "label": course.course_code, "title": course.name},
        "members": members,
    }
    response = Response(json.dumps(body), mimetype=MEMBERSHIP_TYPE)
    response.headers["Link"] = _links(course, limit, page[-1].id if more and page else None)
    return response


def _links(course: Course, limit: int, next_after: int | None) -> str:
    keep = {k: v for k, v in request.args.items() if k in ("rlid", "role")}
    base = urls.names_and_roles(course.id)
    links = [
        f'<{_this_page(course)}>; rel="current"',
        f'<{base}?{urlencode({**keep, "limit": limit})}>; rel="first"',
    ]
    if next_after is not None:
        page = {**keep, "page": encode_bookmark(next_after), "limit": limit}
        links.append(f'<{base}?{urlencode(page)}>; rel="next"')
    return ",".join(links)


def _this_page(course: Course) -> str:
    query = request.query_string.decode()
    return urls.names_and_roles(course.id) + (f"?{query}" if query else "")
