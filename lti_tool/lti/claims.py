"""Claim names and the launch, read once from a validated id_token into plain typed fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lti_tool.lti import canvas

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
CONTEXT = LTI + "context"
ROLES = LTI + "roles"
CUSTOM = LTI + "custom"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
TEST_USER = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"
INSTRUCTOR_ROLES = frozenset({"Instructor", "TeachingAssistant", "ContentDeveloper"})
PARTICIPANT_ROLES = frozenset({"Learner"})


def context_roles(roles: list[str]) -> set[str]:
    """Names of the course (membership) roles only; institution and system roles grant nothing.

    `…/membership#Instructor` → Instructor; `…/membership/Instructor#TeachingAssistant` →
    Instructor and TeachingAssistant; the short form `Learner` is a context role by the spec.
    """
    names: set[str] = set()
    for role in roles:
        if role.startswith(MEMBERSHIP + "#"):
            names.add(role.removeprefix(MEMBERSHIP + "#"))
        elif role.startswith(MEMBERSHIP + "/"):
            principal, _, sub_role = role.removeprefix(MEMBERSHIP + "/").partition("#")
            names.update(name for name in (principal, sub_role) if name)
        elif "/" not in role and "#" not in role:
            names.add(role)
    return names


def course_role(roles: list[str]) -> str:
    """instructor, participant or other; an instructor who is also a learner acts as instructor."""
    names = context_roles(roles)
    if names & INSTRUCTOR_ROLES:
        return "instructor"
    if names & PARTICIPANT_ROLES:
        return "participant"
    return "other"


@dataclass(frozen=True)
class LaunchContext:
    """What the tool needs from a launch; built only from an id_token that passed validation."""

    launch_id: str
    issuer: str
    client_id: str
    deployment_id: str
    message_type: str
    sub: str
    name: str | None
    email: str | None
    roles: tuple[str, ...]
    role: str
    is_test_user: bool
    context_id: str
    context_title: str
    context_label: str
    resource_link_id: str | None
    target_link_uri: str
    placement: str | None
    custom: Mapping[str, str] = field(default_factory=dict)
    lineitems_url: str | None = None
    lineitem_url: str | None = None
    ags_scopes: tuple[str, ...] = ()
    memberships_url: str | None = None
    deep_linking_settings: Mapping[str, Any] | None = None

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor"

    @property
    def is_deep_linking(self) -> bool:
        return self.message_type == DEEP_LINKING_REQUEST

    @classmethod
    def from_claims(cls, launch_id: str, body: Mapping[str, Any]) -> LaunchContext:
        aud = body["aud"]
        roles = [str(r) for r in body.get(ROLES) or []]
        context = body.get(CONTEXT) or {}
        resource_link = body.get(RESOURCE_LINK) or {}
        ags = body.get(AGS_ENDPOINT) or {}
        custom = canvas.expanded_custom(body.get(CUSTOM) or {})
        return cls(
            launch_id=launch_id,
            issuer=str(body["iss"]),
            client_id=str(aud[0] if isinstance(aud, list) else aud),
            deployment_id=str(body[DEPLOYMENT_ID]),
            message_type=str(body[MESSAGE_TYPE]),
            sub=str(body.get("sub") or ""),
            name=body.get("name") or None,
            email=body.get("email") or None,
            roles=tuple(roles),
            role=course_role(roles),
            is_test_user=TEST_USER in roles,
            context_id=str(context.get("id") or ""),
            context_title=str(context.get("title") or ""),
            context_label=str(context.get("label") or ""),
            resource_link_id=resource_link.get("id"),
            target_link_uri=str(body.get(TARGET_LINK_URI) or ""),
            placement=body.get(canvas.PLACEMENT_CLAIM),
            custom=custom,
            lineitems_url=ags.get("lineitems"),
            lineitem_url=ags.get("lineitem"),
            ags_scopes=tuple(ags.get("scope") or ()),
            memberships_url=(body.get(NRPS) or {}).get("context_memberships_url"),
            deep_linking_settings=body.get(DEEP_LINKING_SETTINGS),
        )
