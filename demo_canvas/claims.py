"""The id_token claim set Canvas builds for a launch (see canvas-lti.md section 3)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from demo_canvas import urls
from demo_canvas.models import (
    Assignment,
    Course,
    DeveloperKey,
    Enrollment,
    EnrollmentType,
    LineItem,
    ModuleItem,
    ResourceLink,
    User,
)

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DL_SETTINGS_CLAIM = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"
PLACEMENT_CLAIM = "https://www.instructure.com/placement"
RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"

AGS_SCOPES = frozenset(
    {
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
        "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
        "https://purl.imsglobal.org/spec/lti-ags/scope/score",
        "https://canvas.instructure.com/lti-ags/progress/scope/show",
    }
)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership#"
INSTITUTION = "http://purl.imsglobal.org/vocab/lis/v2/institution/person#"
SYSTEM_USER = "http://purl.imsglobal.org/vocab/lis/v2/system/person#User"
TEST_USER = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"
ROLES: dict[str, list[str]] = {
    EnrollmentType.STUDENT: [MEMBERSHIP + "Learner"],
    EnrollmentType.STUDENT_VIEW: [MEMBERSHIP + "Learner", TEST_USER],
    EnrollmentType.TEACHER: [MEMBERSHIP + "Instructor"],
    EnrollmentType.TA: [
        "http://purl.imsglobal.org/vocab/lis/v2/membership/Instructor#TeachingAssistant",
        MEMBERSHIP + "Instructor",
    ],
}

ACCOUNT_LTI_GUID = "5b9f2ab3c5e14d0b8a3f7c61e2d4a9b0c7e8f1a2:canvas-lms"
"""The root account's LTI guid, in tool_platform and the openid configuration."""

# Deep-linking capabilities are fixed per placement in Canvas.
ACCEPT_MULTIPLE = {"link_selection": True, "assignment_selection": False}


def membership_roles(enrollment: Enrollment) -> list[str]:
    return list(ROLES[enrollment.type])


def all_roles(enrollment: Enrollment, user: User) -> list[str]:
    """``$com.instructure.User.allRoles``: institution, course membership and system roles."""
    institution = INSTITUTION + ("Instructor" if enrollment.is_instructor else "Student")
    if user.is_admin:
        institution = INSTITUTION + "Administrator"
    return [institution, *membership_roles(enrollment), SYSTEM_USER]


@dataclass(frozen=True)
class LaunchSpec:
    """Everything a launch needs; the optional parts depend on where the launch starts."""

    user: User
    course: Course
    developer_key: DeveloperKey
    deployment_id: str
    message_type: str
    target_link_uri: str
    placement: str | None = None
    resource_link: ResourceLink | None = None
    assignment: Assignment | None = None
    module_item: ModuleItem | None = None
    deep_link_return_url: str | None = None


def _iso(spec: LaunchSpec) -> str | None:
    due = spec.assignment.due_at if spec.assignment else None
    return due.strftime("%Y-%m-%dT%H:%M:%SZ") if due else None


USER_TIME_ZONES = {
    "participant1": "America/New_York",
    "participant3": "America/Chicago",
    "participant5": "America/Denver",
    "instructor": "America/Chicago",
}
"""The demo users whose Canvas profile sets a time zone; the others leave
``$Person.address.timezone`` unexpanded, so the tool falls back to the browser's zone."""


VARIABLES: dict[str, Callable[[LaunchSpec], str | None]] = {
    "$Canvas.course.id": lambda s: str(s.course.id),
    "$Canvas.course.startAt": lambda s: s.course.start_at.strftime("%Y-%m-%dT%H:%M:%SZ"),
    "$Person.address.timezone": lambda s: USER_TIME_ZONES.get(s.user.login_id),
    "$Canvas.course.name": lambda s: s.course.name,
    "$Canvas.user.id": lambda s: str(s.user.id),
    "$Canvas.api.domain": lambda s: urls.host(urls.demo_base()),
    "$Canvas.assignment.id": lambda s: str(s.assignment.id) if s.assignment else None,
    "$Canvas.assignment.title": lambda s: s.assignment.name if s.assignment else None,
    "$Canvas.assignment.pointsPossible": lambda s: (
        f"{s.assignment.points_possible:g}" if s.assignment else None
    ),
    "$Canvas.assignment.dueAt.iso8601": _iso,
    "$Canvas.module.id": lambda s: str(s.module_item.module_id) if s.module_item else None,
    "$Canvas.moduleItem.id": lambda s: str(s.module_item.id) if s.module_item else None,
    "$ResourceLink.id": lambda s: s.resource_link.lookup_uuid if s.resource_link else None,
    "$Person.name.full": lambda s: s.user.name,
    "$Person.name.given": lambda s: s.user.given_name,
    "$Person.name.family": lambda s: s.user.family_name,
    "$Person.email.primary": lambda s: s.user.email,
    "$User.id": lambda s: str(s.user.id),
}


def expand_custom(spec: LaunchSpec) -> dict[str, str]:
    """Key, placement and link custom params merged; ``custom_`` stripped; unknown variables stay
    literal.
    """
    placement = spec.developer_key.placement(spec.placement or "") or {}
    merged: dict[str, str] = {
        **spec.developer_key.custom_fields,
        **(placement.get("custom_fields") or {}),
        **(spec.resource_link.custom if spec.resource_link else {}),
    }
    expanded = {}
    for name, value in merged.items():
        key = name.removeprefix("custom_")
        expand = VARIABLES.get(str(value))
        expanded[key] = (expand(spec) if expand else None) or str(value)
    return expanded


def _pii(spec: LaunchSpec) -> dict[str, Any]:
    level, user = spec.developer_key.privacy_level, spec.user
    claims: dict[str, Any] = {}
    if level in ("public", "name_only"):
        claims.update(name=user.name, given_name=user.given_name, family_name=user.family_name)
        claims[LTI + "lis"] = {
            "person_sourcedid": "$Person.sourcedId",
            "course_offering_sourcedid": "$CourseSection.sourcedId",
        }
    if level in ("public", "email_only"):
        claims["email"] = user.email
    return claims


def _services(session: Session, spec: LaunchSpec) -> dict[str, Any]:
    scopes = spec.developer_key.scopes
    claims: dict[str, Any] = {}
    ags_scopes = [s for s in scopes if s in AGS_SCOPES]
    if ags_scopes:
        ags: dict[str, Any] = {"scope": ags_scopes, "lineitems": urls.line_items(spec.course.id)}
        if spec.assignment is not None and spec.message_type == RESOURCE_LINK_REQUEST:
            line_item = session.scalar(
                select(LineItem).where(
                    LineItem.assignment_id == spec.assignment.id,
                    LineItem.developer_key_id == spec.developer_key.id,
                    LineItem.primary.is_(True),
                )
            )
            if line_item is not None:
                ags["lineitem"] = urls.line_item(spec.course.id, line_item.id)
        claims[AGS_CLAIM] = ags
    if NRPS_SCOPE in scopes:
        claims[NRPS_CLAIM] = {
            "context_memberships_url": urls.names_and_roles(spec.course.id),
            "service_versions": ["2.0"],
        }
    return claims


def _message_claims(spec: LaunchSpec) -> dict[str, Any]:
    if spec.message_type == DEEP_LINKING_REQUEST:
        return {
            DL_SETTINGS_CLAIM: {
                "deep_link_return_url": spec.deep_link_return_url,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_media_types": "application/vnd.ims.lti.v1.ltilink",
                "auto_create": False,
                "accept_multiple": ACCEPT_MULTIPLE.get(spec.placement or "", False),
            }
        }
    link = spec.resource_link
    resource_link: dict[str, Any] = {
        "id": link.lookup_uuid if link else spec.course.opaque_id,
        "title": spec.assignment.name
        if spec.assignment
        else (link.title if link else spec.course.name),
    }
    if spec.assignment is not None:
        resource_link["description"] = spec.assignment.description
    return {LTI + "resource_link": resource_link}


def build_claims(session: Session, spec: LaunchSpec, enrollment: Enrollment) -> dict[str, Any]:
    """The id_token body; ``iat``, ``exp`` and ``nonce`` are added when authorize signs it."""
    key, course, user = spec.developer_key, spec.course, spec.user
    return_url = urls.course_home(course.id)
    claims: dict[str, Any] = {
        "iss": urls.issuer(),
        "aud": key.client_id,
        "azp": key.client_id,
        "sub": user.lti_id,
        "locale": "en",
        LTI + "message_type": spec.message_type,
        LTI + "version": "1.3.0",
        LTI + "deployment_id": spec.deployment_id,
        LTI + "target_link_uri": spec.target_link_uri,
        LTI + "context": {
            "id": course.opaque_id,
            "label": course.course_code,
            "title": course.name,
            "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"],
        },
        LTI + "tool_platform": {
            "guid": ACCOUNT_LTI_GUID,
            "name": "Demo Canvas",
            "version": "cloud",
            "product_family_code": "canvas",
        },
        LTI + "launch_presentation": {
            "document_target": "iframe",
            "return_url": return_url,
            "locale": "en",
            "height": 800,
        },
        LTI + "roles": all_roles(enrollment, user),
        LTI + "custom": expand_custom(spec),
        LTI + "lti11_legacy_user_id": user.opaque_id,
        PLACEMENT_CLAIM: spec.placement,
        **_pii(spec),
        **_services(session, spec),
        **_message_claims(spec),
    }
    return claims
