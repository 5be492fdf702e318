"""Template helpers for the participant and instructor pages: people's text rendered safely
(stored as written, shown through a sanitiser), dates, and links that keep the session."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import nh3
from flask import Blueprint, g
from markupsafe import Markup

from lti_tool.auth import session_token, token_url
from lti_tool.lti.canvas.custom import time_zone
from lti_tool.services.dates import format_moment
from lti_tool.services.sections import heading_of

ALLOWED_TAGS = {"strong", "em", "b", "i", "u", "br", "ul", "ol", "li", "blockquote", "q", "code"}
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def rich_text(text: str | None) -> Markup:
    """Paragraphs and line breaks from plain text; a few harmless inline tags survive, anything
    else (scripts, attributes, links, styles) is removed by nh3."""
    if not text:
        return Markup("")
    paragraphs = [part.strip() for part in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n"))]
    return Markup("".join(_block(part) for part in paragraphs if part))  # noqa: S704


def _block(part: str) -> str:
    """A paragraph, or a section heading of a structured reflection (`## Heading`); both
    through nh3.clean, so nothing but the allowed inline tags survives."""
    heading = heading_of(part)
    if heading is not None:
        return '<h3 class="section-heading">' + nh3.clean(heading, tags=set()) + "</h3>"
    return "<p>" + nh3.clean(part, tags=ALLOWED_TAGS, attributes={}).replace("\n", "<br>") + "</p>"


def reader_zone() -> ZoneInfo | None:
    """The time zone Canvas gave for the signed-in person, if any (else the page's script
    shows times in the browser's zone)."""
    launch = g.get("launch")
    return time_zone(launch.custom) if launch is not None else None


def when(moment: datetime | None) -> str:
    """A moment in the reader's zone, in the one date format of every page."""
    return format_moment(moment, reader_zone()) if moment is not None else ""


def reader_zone_name() -> str:
    zone = reader_zone()
    return zone.key if zone is not None else ""


def register(bp: Blueprint) -> None:
    bp.add_app_template_filter(rich_text, "rich")
    bp.add_app_template_filter(when, "when")
    bp.add_app_template_global(token_url, "turl")
    bp.add_app_template_global(session_token, "session_token")
    bp.add_app_template_global(reader_zone_name, "reader_zone_name")
