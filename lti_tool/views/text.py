"""Template helpers for the participant and instructor pages: people's text rendered safely
(stored as written, shown through a sanitiser), dates, and links that keep the session."""

from __future__ import annotations

import re
from datetime import datetime

import nh3
from flask import Blueprint
from markupsafe import Markup

from lti_tool.auth import session_token, token_url

ALLOWED_TAGS = {"strong", "em", "b", "i", "u", "br", "ul", "ol", "li", "blockquote", "q", "code"}
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def rich_text(text: str | None) -> Markup:
    """Paragraphs and line breaks from plain text; a few harmless inline tags survive, anything
    else (scripts, attributes, links, styles) is removed by nh3."""
    if not text:
        return Markup("")
    paragraphs = [part.strip() for part in _PARAGRAPH_BREAK.split(text.replace("\r\n", "\n"))]
    html = "".join(
        "<p>" + nh3.clean(part, tags=ALLOWED_TAGS, attributes={}).replace("\n", "<br>") + "</p>"
        for part in paragraphs
        if part
    )
    return Markup(html)  # noqa: S704 - every fragment went through nh3.clean above


def when(moment: datetime | None) -> str:
    if moment is None:
        return ""
    return moment.strftime("%d %b %Y, %H:%M UTC").lstrip("0")


def register(bp: Blueprint) -> None:
    bp.add_app_template_filter(rich_text, "rich")
    bp.add_app_template_filter(when, "when")
    bp.add_app_template_global(token_url, "turl")
    bp.add_app_template_global(session_token, "session_token")
