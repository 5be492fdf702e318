"""The demo's front door: roles in the user switcher, and per course "take the tour", "sign in
as the instructor", "sign in as a participant"."""

from __future__ import annotations

import html
import re

from flask import Flask
from flask.testing import FlaskClient

from demo_canvas.front import tour_links

from .conftest import DEMO, World


def test_the_user_switcher_names_each_persons_roles(client: FlaskClient) -> None:
    page = html.unescape(client.get("/demo/", base_url=DEMO).text)
    options = dict(re.findall(r'<option value="([^"]+)"[^>]*>\s*([^<]+?)\s*</option>', page))
    assert options["instructor"] == "Ines Moreau (Instructor, admin)"
    assert options["ta"] == "Tomas Reyes (TA)"
    assert options["participant1"] == "Amara Okafor (Participant)"
    assert options["test_student"] == "Test Student (Student View)"


def test_each_course_offers_the_tour_and_a_sign_in_per_role(
    app: Flask, client: FlaskClient, world: World
) -> None:
    app.config["DEMO_TOUR_LINKS"] = {"leaders": "http://localhost:5000/walkthrough/abc"}
    page = html.unescape(client.get("/demo/", base_url=DEMO).text)
    assert page.count("Sign in as the instructor") == 2
    assert page.count("Sign in as a participant") == 2
    assert page.count("Take the tour") == 1
    assert 'href="http://localhost:5000/walkthrough/abc">Take the tour' in page

    officers = world.course_id()
    answer = client.post(
        "/demo/session",
        data={"login_id": "participant1", "next": f"/demo/courses/{officers}"},
        base_url=DEMO,
    )
    assert answer.headers["Location"] == f"/demo/courses/{officers}"
    course = client.get(answer.headers["Location"], base_url=DEMO).text
    assert "Week 1 reflection" in course and "selected>\n          Amara Okafor" in course


def test_tour_links_come_from_the_tools_walkthrough_command() -> None:
    printed = {
        "officers": "Walk-through 1 for Demo (officers),\n  http://localhost:5000/walkthrough/A1\n",
        "leaders": "Walk-through 2 for Demo (leaders),\n  http://localhost:5000/walkthrough/B2\n",
    }
    calls: list[list[str]] = []

    def run(arguments: list[str]) -> str:
        calls.append(arguments)
        return printed[arguments[arguments.index("--program") + 1]]

    assert tour_links(run) == {
        "leaders": "http://localhost:5000/walkthrough/B2",
        "officers": "http://localhost:5000/walkthrough/A1",
    }
    assert all(call[:2] == ["walkthrough", "create"] for call in calls)
