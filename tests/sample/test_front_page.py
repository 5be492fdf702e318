"""The tool's root page tells a visitor what the tool is and where to go."""

from __future__ import annotations

from flask.testing import FlaskClient


def test_the_root_page_says_what_the_tool_is_and_where_to_go(client: FlaskClient) -> None:
    answer = client.get("/")
    assert answer.status_code == 200
    page = answer.get_data(as_text=True)
    for words in (
        "Officers: Rights-Based Policing",
        "Leaders:",
        "Open the tool from your Canvas course",
        "walk-through link",
        "operator README",
        "/lti/config.json",
    ):
        assert words in page
    assert "Content-Security-Policy" in answer.headers
