"""Deep linking: the return endpoint Canvas gives tools, with its JWT checks and how items are
placed.
"""

from __future__ import annotations

import logging
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import jwt
from flask import Blueprint, Response, jsonify, render_template, request
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from demo_canvas import keys, tool_keys, urls
from demo_canvas.db import get_db, utcnow
from demo_canvas.faults import faulty
from demo_canvas.models import (
    Assignment,
    Course,
    DeveloperKey,
    LineItem,
    ModuleItem,
    ResourceLink,
)

LOG = logging.getLogger(__name__)
bp = Blueprint("deep_linking", __name__)

DATA_LIFETIME = timedelta(hours=1)
DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
REQUIRED_CLAIMS = ["iss", "aud", "exp", "iat", "nonce"]
PRESERVE_NAME = "https://canvas.instructure.com/lti/preserveExistingAssignmentName"


def return_url(
    session: Session,
    *,
    course: Course,
    key: DeveloperKey,
    placement: str,
    module_id: int,
    assignment_id: int | None = None,
) -> str:
    """The ``deep_link_return_url``; Canvas's own state rides in the signed ``data`` query param."""
    data = jwt.encode(
        {
            "nonce": secrets.token_hex(8),
            "modal": True,
            "placement": placement,
            "course_id": course.id,
            "developer_key_id": key.id,
            "module_id": module_id,
            "assignment_id": assignment_id,
            "exp": utcnow() + DATA_LIFETIME,
        },
        keys.secret(session, keys.DATA_SIGNER),
        algorithm="HS256",
    )
    return urls.page(f"/courses/{course.id}/deep_linking_response", data=data)


class DeepLinkError(ValueError):
    pass


def _refused(message: str) -> tuple[Response, int]:
    return jsonify({"errors": {"jwt": [message]}}), 400


@bp.post("/courses/<int:course_id>/deep_linking_response")
@faulty("deep_linking")
def deep_linking_response(course_id: int) -> Response | tuple[Response, int]:
    session = get_db()
    try:
        data = jwt.decode(
            request.args.get("data", ""),
            keys.secret(session, keys.DATA_SIGNER),
            algorithms=["HS256"],
        )
    except jwt.PyJWTError:
        return _refused("the data parameter is invalid or expired")
    key = session.get(DeveloperKey, data["developer_key_id"])
    token = request.form.get("JWT", "")
    try:
        if not token or key is None or data["course_id"] != course_id:
            raise tool_keys.ToolJwtError("JWT is missing")
        _, unverified = tool_keys.unverified(token)
        if unverified.get("iss") != key.client_id or not key.enabled:
            raise tool_keys.ToolJwtError("Client not found")
        claims = tool_keys.verify(
            token, key.public_jwk_url, audience=urls.issuer(), required=REQUIRED_CLAIMS
        )
    except tool_keys.ToolJwtError as error:
        LOG.info("deep-link response refused for course %s: %s", course_id, error)
        return _refused(str(error))
    outcome = place_items(session, data, key, claims)
    session.commit()
    html = render_template(
        "demo_canvas/deep_link_done.html",
        outcome=outcome,
        course_url=urls.course_home(course_id),
        msg=claims.get(DL + "msg"),
        errormsg=claims.get(DL + "errormsg"),
    )
    return Response(html, status=200, mimetype="text/html")


@dataclass
class Outcome:
    placed: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def place_items(
    session: Session, data: dict[str, Any], key: DeveloperKey, claims: dict[str, Any]
) -> Outcome:
    """Turn ltiResourceLink items into module items, or unpublished graded assignments when they
    carry a lineItem.
    """
    outcome = Outcome()
    items = [i for i in claims.get(DL + "content_items") or [] if isinstance(i, dict)]
    links = [i for i in items if i.get("type") == "ltiResourceLink"]
    if data["placement"] == "assignment_selection":
        links = links[:1]
    for item in links:
        try:
            outcome.placed.append(_place(session, data, key, item))
        except DeepLinkError as error:
            outcome.errors.append(str(error))
    return outcome


def _date(value: Any) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as error:
        raise DeepLinkError(f"invalid date {value!r}") from error
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _place(session: Session, data: dict[str, Any], key: DeveloperKey, item: dict[str, Any]) -> str:
    url = str(item.get("url") or key.target_link_uri)
    if urlsplit(url).netloc != urlsplit(key.target_link_uri).netloc:
        raise DeepLinkError("the item's url is not on the tool's domain")
    line_item = item.get("lineItem")
    if isinstance(line_item, dict) and line_item.get("scoreMaximum") is None:
        raise DeepLinkError("lineItem.scoreMaximum is required")
    custom = item.get("custom") if isinstance(item.get("custom"), dict) else {}
    link = ResourceLink(
        lookup_uuid=str(uuid.uuid4()),
        course_id=data["course_id"],
        developer_key_id=key.id,
        url=url,
        title=str(item.get("title") or url),
        custom={str(k): str(v) for k, v in (custom or {}).items()},
    )
    session.add(link)
    session.flush()
    if data["placement"] == "assignment_selection" and data.get("assignment_id"):
        return _update_assignment(session, data, key, link, item)
    if isinstance(line_item, dict) or data["placement"] == "assignment_selection":
        assignment = Assignment(
            course_id=data["course_id"],
            published=False,
            points_possible=0,
            resource_link_id=link.id,
            allowed_attempts=None,
            lock_at=None,
        )
        _fill_assignment(assignment, link, item)
        session.add(assignment)
        session.flush()
        _set_line_item(session, assignment, key, link, line_item or {})
        _add_module_item(session, data["module_id"], assignment.name, link, assignment)
        return assignment.name
    _add_module_item(session, data["module_id"], link.title, link, None)
    return link.title


def _fill_assignment(assignment: Assignment, link: ResourceLink, item: dict[str, Any]) -> None:
    line_item = item.get("lineItem") if isinstance(item.get("lineItem"), dict) else {}
    label = (line_item or {}).get("label") or item.get("title")
    if label and not item.get(PRESERVE_NAME):
        assignment.name = str(label)
    elif not assignment.name:
        assignment.name = link.title
    if item.get("text") is not None:
        assignment.description = str(item["text"])
    if line_item:
        assignment.points_possible = float(line_item["scoreMaximum"])
    available = item.get("available") if isinstance(item.get("available"), dict) else {}
    submission = item.get("submission") if isinstance(item.get("submission"), dict) else {}
    assignment.unlock_at = _date((available or {}).get("startDateTime"))
    assignment.lock_at = _date((available or {}).get("endDateTime"))
    assignment.due_at = _date((submission or {}).get("endDateTime"))
    assignment.submission_types = "external_tool"


def _set_line_item(
    session: Session,
    assignment: Assignment,
    key: DeveloperKey,
    link: ResourceLink,
    spec: dict[str, Any],
) -> None:
    line_item = session.scalar(
        select(LineItem).where(LineItem.assignment_id == assignment.id, LineItem.primary.is_(True))
    ) or LineItem(
        course_id=assignment.course_id, assignment_id=assignment.id, coupled=True, primary=True
    )
    line_item.developer_key_id = key.id
    line_item.resource_link_id = link.id
    line_item.label = assignment.name
    line_item.score_maximum = assignment.points_possible
    line_item.resource_id = spec.get("resourceId")
    line_item.tag = spec.get("tag")
    session.add(line_item)


def _add_module_item(
    session: Session, module_id: int, title: str, link: ResourceLink, assignment: Assignment | None
) -> None:
    position = session.scalar(
        select(func.coalesce(func.max(ModuleItem.position), 0)).where(
            ModuleItem.module_id == module_id
        )
    )
    session.add(
        ModuleItem(
            module_id=module_id,
            title=title,
            position=(position or 0) + 1,
            published=False,
            resource_link_id=link.id,
            assignment_id=assignment.id if assignment else None,
        )
    )


def _update_assignment(
    session: Session,
    data: dict[str, Any],
    key: DeveloperKey,
    link: ResourceLink,
    item: dict[str, Any],
) -> str:
    """assignment_selection overwrites the edited assignment's link, name, text and points."""
    assignment = session.get(Assignment, data["assignment_id"])
    if assignment is None or assignment.deleted:
        raise DeepLinkError("the assignment being edited no longer exists")
    assignment.resource_link_id = link.id
    _fill_assignment(assignment, link, item)
    line_item = item.get("lineItem")
    _set_line_item(
        session,
        assignment,
        key,
        link,
        line_item if isinstance(line_item, dict) else {"scoreMaximum": assignment.points_possible},
    )
    module_items = list(
        session.scalars(select(ModuleItem).where(ModuleItem.assignment_id == assignment.id))
    )
    for module_item in module_items:
        module_item.title = assignment.name
        module_item.resource_link_id = link.id
    if not module_items:
        _add_module_item(session, data["module_id"], assignment.name, link, assignment)
    return assignment.name
