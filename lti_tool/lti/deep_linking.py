"""Deep-linking responses: the signed JWT a tool posts back to place links and assignments."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from pylti1p3.deep_link import DeepLink
from pylti1p3.deep_link_resource import DeepLinkResource
from pylti1p3.lineitem import LineItem

from lti_tool.lti.advantage.tokens import Credentials
from lti_tool.lti.canvas.messages import PRESERVE_ASSIGNMENT_NAME
from lti_tool.lti.claims import LaunchContext
from lti_tool.lti.errors import LaunchError
from lti_tool.lti.tool_config import DbToolConf

CONTENT_ITEMS = "https://purl.imsglobal.org/spec/lti-dl/claim/content_items"


@dataclass(frozen=True)
class GradedLink:
    """One ltiResourceLink with a line item: Canvas makes it a graded assignment."""

    url: str
    title: str
    text: str
    score_maximum: float
    resource_id: str
    tag: str
    custom: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class DeepLinkResponse:
    return_url: str
    jwt: str


def deep_link_response(
    tool_conf: DbToolConf, context: LaunchContext, links: Sequence[GradedLink]
) -> DeepLinkResponse:
    settings = dict(context.deep_linking_settings or {})
    return_url = str(settings.get("deep_link_return_url") or "")
    model = tool_conf.find_model(context.issuer, context.client_id)
    if not return_url or model is None:
        raise LaunchError(
            "This page was not opened for placing content",
            "Start again from Canvas: Add item > External tool, or an assignment's Find button.",
        )
    if not Credentials.of(model).vouches_for(return_url):
        # The form posting the signed response goes there: only to the platform's own hosts.
        raise LaunchError(
            "Canvas's return address for this placement is not accepted",
            "The launch named a return address that is not on the platform's own hosts, so the "
            "placement was not sent. Start again from Canvas; if it persists, tell the tool's "
            "operator.",
        )
    deep_link = DeepLink(tool_conf.to_library(model), context.deployment_id, settings)  # type: ignore[arg-type]
    message = deep_link.get_message_jwt([_resource(link) for link in links])
    preserve_name = context.placement == "assignment_selection"
    message[CONTENT_ITEMS] = [
        _with_canvas_fields(item, link, preserve_name)
        for item, link in zip(message[CONTENT_ITEMS], links, strict=True)  # type: ignore[call-overload]
    ]
    if message.get("https://purl.imsglobal.org/spec/lti-dl/claim/data") is None:
        message.pop("https://purl.imsglobal.org/spec/lti-dl/claim/data")
    return DeepLinkResponse(return_url, deep_link.encode_jwt(message))


def _resource(link: GradedLink) -> DeepLinkResource:
    line_item = (
        LineItem()
        .set_score_maximum(link.score_maximum)
        .set_label(link.title)
        .set_resource_id(link.resource_id)
        .set_tag(link.tag)
    )
    return (
        DeepLinkResource()
        .set_url(link.url)
        .set_title(link.title)
        .set_custom_params(dict(link.custom))
        .set_lineitem(line_item)
    )


def _with_canvas_fields(
    item: dict[str, object], link: GradedLink, preserve_name: bool
) -> dict[str, object]:
    """Canvas overwrites an assignment's title when an item has none, and in
    assignment_selection replaces the name the instructor typed unless asked to keep it."""
    item = {**item, "title": link.title, "text": link.text}
    if preserve_name:
        item[PRESERVE_ASSIGNMENT_NAME] = True
    return item
