"""No dead ends in a walk-through: every link a tour page shows opens a readable page of the
tour, and no page loads a script that would send what the tour refuses (autosave)."""

from __future__ import annotations

import re
from html import unescape
from urllib.parse import urlsplit

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from lti_tool.db import utcnow
from lti_tool.models import Walkthrough
from lti_tool.services.walkthroughs import WalkthroughService
from lti_tool.tour.session import issue
from lti_tool.tour.steps import for_program
from lti_tool.web import session_scope

HREF = re.compile(r'<a\b[^>]*\bhref="([^"]+)"')


def _links(html: str) -> list[str]:
    """The tool's own links on a page (anchors within the page and other sites left out)."""
    found = []
    for raw in HREF.findall(html):
        url = unescape(raw)
        parts = urlsplit(url)
        if url.startswith("#") or (parts.netloc and parts.netloc != "localhost"):
            continue
        found.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return list(dict.fromkeys(found))


def _pages(app: Flask, client: FlaskClient, program: str) -> dict[str, str]:
    """Every step's page of a fresh tour, by the step's address."""
    with session_scope(app) as session:
        WalkthroughService(session).create(program, "Visitor", 1, utcnow())
        link = session.scalars(select(Walkthrough)).one()
        tokens = {
            perspective: issue(link, perspective, 0, app.config["SECRET_KEY"])
            for perspective in ("participant", "instructor")
        }
    pages = {}
    for number, step in enumerate(for_program(program, app.view_functions), start=1):
        into = client.get(f"/tour/step/{number}", query_string={"st": tokens[step.perspective]})
        assert into.status_code == 303
        page = client.get(into.location)
        assert page.status_code == 200, into.location
        pages[into.location] = page.get_data(as_text=True)
    return pages


@pytest.mark.parametrize("program", ["officers", "leaders"])
def test_every_link_on_a_tour_page_opens_a_readable_page(
    app: Flask, client: FlaskClient, program: str
) -> None:
    pages = _pages(app, client, program)
    checked: dict[str, int] = {}
    for source, html in pages.items():
        for link in _links(html):
            if link in checked:
                continue
            answer = client.get(link)
            if answer.status_code in (302, 303):
                answer = client.get(answer.location)
            checked[link] = answer.status_code
            assert answer.status_code == 200, (source, link, answer.status_code)
            assert "not part of the walk-through" not in answer.get_data(as_text=True)
    assert len(checked) > 10
    assert not any(urlsplit(link).path.startswith("/sync") for link in checked)


def test_the_editor_in_a_tour_neither_autosaves_nor_keeps_a_browser_copy(
    app: Flask, client: FlaskClient
) -> None:
    pages = _pages(app, client, "officers")
    editors = [html for html in pages.values() if 'id="editor-form"' in html]
    assert editors, "the tour shows the participant's editor"
    for html in editors:
        assert "data-autosave-url" not in html
        assert "data-backup-key" not in html
