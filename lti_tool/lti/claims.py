"""Claim names and the launch, read once from a validated id_token into plain typed fields."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from lti_tool.lti.canvas.custom import expanded_custom
from lti_tool.lti.canvas.framing import page_urls as canvas_page_urls
from lti_tool.lti.canvas.messages import PLACEMENT_CLAIM

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
MESSAGE_TYPE = LTI + "message_type"
VERSION = LTI + "version"
DEPLOYMENT_ID = LTI + "deployment_id"
TARGET_LINK_URI = LTI + "target_link_uri"
RESOURCE_LINK = LTI + "resource_link"
CONTEXT = LTI + "context"
ROLES = LTI + "roles"
CUSTOM = LTI + "custom"
LAUNCH_PRESENTATION = LTI + "launch_presentation"
AGS_ENDPOINT = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
DEEP_LINKING_SETTINGS = "https://purl.imsglobal.org/spec/lti-dl/claim/deep_linking_settings"

RESOURCE_LINK_REQUEST = "LtiResourceLinkRequest"
DEEP_LINKING_REQUEST = "LtiDeepLinkingRequest"

MEMBERSHIP = "http://purl.imsglobal.org/vocab/lis/v2/membership"
TEST_USER = "http://purl.imsglobal.org/vocab/lti/system/person#TestUser"
INSTRUCTOR_ROLES = frozenset({"Instructor", "TeachingAssistant", "ContentDeveloper"})
PARTICIPANT_ROLES = frozenset({"Learner"})


ID_LIMIT = 255
"""Identifiers the tool stores (user, course, deployment, link ids) fit or are refused."""
TEXT_LIMIT = 255
"""Names and titles longer than this are cut to fit the tool's columns."""
URL_LIMIT = 1024

_DICT_CLAIMS = (CONTEXT, RESOURCE_LINK, CUSTOM, AGS_ENDPOINT, NRPS, DEEP_LINKING_SETTINGS)
_STRING_CLAIMS: tuple[tuple[tuple[str, ...], int | None], ...] = (
    (("sub",), ID_LIMIT),
    ((DEPLOYMENT_ID,), ID_LIMIT),
    ((CONTEXT, "id"), ID_LIMIT),
    ((RESOURCE_LINK, "id"), ID_LIMIT),
    (("name",), None),
    (("email",), None),
    ((CONTEXT, "title"), None),
    ((CONTEXT, "label"), None),
    ((TARGET_LINK_URI,), URL_LIMIT),
    ((PLACEMENT_CLAIM,), ID_LIMIT),
    ((AGS_ENDPOINT, "lineitems"), URL_LIMIT),
    ((AGS_ENDPOINT, "lineitem"), URL_LIMIT),
    ((NRPS, "context_memberships_url"), URL_LIMIT),
    ((DEEP_LINKING_SETTINGS, "deep_link_return_url"), URL_LIMIT),
)
_STRING_LIST_CLAIMS = ((ROLES,), (AGS_ENDPOINT, "scope"))


def malformed_claim(body: Mapping[str, Any]) -> str | None:
    """The first claim the tool reads that has the wrong type or an identifier too long to
    keep, else None. The signature proves who sent a token, not that its claims are sane."""
    for name in _DICT_CLAIMS:
        if body.get(name) is not None and not isinstance(body[name], dict):
            return name
    for path, limit in _STRING_CLAIMS:
        value = _claim_at(body, path)
        if value is not None and (
            not isinstance(value, str) or (limit is not None and len(value) > limit)
        ):
            return "/".join(path)
    for path in _STRING_LIST_CLAIMS:
        value = _claim_at(body, path)
        if value is not None and not (
            isinstance(value, list) and all(isinstance(item, str) for item in value)
        ):
            return "/".join(path)
    return None


def _claim_at(body: Mapping[str, Any], path: tuple[str, ...]) -> Any:
    value: Any = body
    for name in path:
        if not isinstance(value, dict):
            return None
        value = value.get(name)
    return value


def audience_client_id(body: Mapping[str, Any]) -> str | None:
    """The client id a token is for: its only audience, or `azp` among several; None if neither."""
    aud, azp = body.get("aud"), body.get("azp")
    if isinstance(aud, str) and aud:
        return aud
    if isinstance(aud, list) and len(aud) == 1 and isinstance(aud[0], str):
        return aud[0]
    if isinstance(aud, list) and isinstance(azp, str) and azp in aud:
        return azp
    return None


def _text(value: object) -> str:
    return str(value or "")[:TEXT_LIMIT]


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
    return_url: str | None = None

    @property
    def is_instructor(self) -> bool:
        return self.role == "instructor"

    @property
    def is_deep_linking(self) -> bool:
        return self.message_type == DEEP_LINKING_REQUEST

    @property
    def page_urls(self) -> list[str]:
        """URLs of the platform's page the person launched from (whose origin frames the tool)."""
        settings = self.deep_linking_settings or {}
        return canvas_page_urls(
            self.return_url, self.custom, _url_or_none(settings.get("deep_link_return_url"))
        )

    @classmethod
    def from_claims(cls, launch_id: str, body: Mapping[str, Any]) -> LaunchContext:
        """From claims that passed `malformed_claim`; names and titles cut to fit."""
        email = body.get("email") or None
        roles = [str(r) for r in body.get(ROLES) or []]
        context = body.get(CONTEXT) or {}
        resource_link = body.get(RESOURCE_LINK) or {}
        ags = body.get(AGS_ENDPOINT) or {}
        custom = expanded_custom(body.get(CUSTOM) or {})
        return cls(
            launch_id=launch_id,
            issuer=str(body["iss"]),
            client_id=audience_client_id(body) or "",
            deployment_id=str(body[DEPLOYMENT_ID]),
            message_type=str(body[MESSAGE_TYPE]),
            sub=str(body.get("sub") or ""),
            name=_text(body.get("name")) or None,
            email=email if email and len(email) <= TEXT_LIMIT else None,
            roles=tuple(roles),
            role=course_role(roles),
            is_test_user=TEST_USER in roles,
            context_id=str(context.get("id") or ""),
            context_title=_text(context.get("title")),
            context_label=_text(context.get("label")),
            resource_link_id=resource_link.get("id"),
            target_link_uri=str(body.get(TARGET_LINK_URI) or ""),
            placement=body.get(PLACEMENT_CLAIM),
            custom=custom,
            lineitems_url=ags.get("lineitems"),
            lineitem_url=ags.get("lineitem"),
            ags_scopes=tuple(ags.get("scope") or ()),
            memberships_url=(body.get(NRPS) or {}).get("context_memberships_url"),
            deep_linking_settings=body.get(DEEP_LINKING_SETTINGS),
            return_url=_url_or_none(_claim_at(body, (LAUNCH_PRESENTATION, "return_url"))),
        )


def _url_or_none(value: object) -> str | None:
    """An optional URL claim the tool only reads (never required): ignored when malformed."""
    return value if isinstance(value, str) and 0 < len(value) <= URL_LIMIT else None
