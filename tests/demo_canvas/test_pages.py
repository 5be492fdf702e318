"""Pages a person uses: sign-in, course home, launch page, gradebook, SpeedGrader, admin, storage
frame.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from werkzeug.test import TestResponse

from demo_canvas.auth import COOKIE_NAME

from .conftest import DEMO, TOOL, World, auth_params, form_action, form_fields, sign_in

SUBMISSION_URL = f"{TOOL}/lti/launch?reflection=7"


def get(client: FlaskClient, path: str, **kwargs: Any) -> TestResponse:
    return client.get(path, base_url=DEMO, **kwargs)


def test_pages_are_served_on_the_demo_origin_only(client: FlaskClient) -> None:
    response = client.get("/demo/", base_url=TOOL)
    assert response.status_code == 302
    assert response.headers["Location"] == f"{DEMO}/demo/"


def test_sign_in_with_the_user_switcher(client: FlaskClient) -> None:
    page = get(client, "/demo/")
    assert page.status_code == 200
    assert '<html lang="en">' in page.text
    assert 'href="#content"' in page.text and '<label for="switch-user">' in page.text
    response = client.post(
        "/demo/session", data={"login_id": "ta", "next": "/demo/"}, base_url=DEMO
    )
    assert response.status_code == 302
    cookie = response.headers["Set-Cookie"]
    assert cookie.startswith(COOKIE_NAME) and "HttpOnly" in cookie and "SameSite=None" in cookie
    assert "Tomas Reyes" in get(client, "/demo/").text


def test_switch_user_refuses_offsite_next(client: FlaskClient) -> None:
    response = client.post(
        "/demo/session", data={"login_id": "ta", "next": "https://evil.example/"}, base_url=DEMO
    )
    assert response.headers["Location"] == "/demo/"


def test_course_pages_need_a_user(client: FlaskClient, world: World) -> None:
    assert get(client, f"/demo/courses/{world.course_id()}").status_code == 302


def test_course_home_lists_modules(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, app, "instructor")
    page = get(client, f"/demo/courses/{world.course_id('LEADERS')}").text
    assert "Week 6 reflection" in page and "Start here" in page
    assert "Add a graded assignment from Reflections" in page


def test_students_do_not_see_unpublished_items(
    app: Flask, client: FlaskClient, world: World
) -> None:
    sign_in(client, app, "instructor")
    page = get(client, f"/demo/courses/{world.course_id()}").text
    item_path = re.findall(r'action="([^"]*/publish)"', page)[0]  # "Course reflections"
    client.post(item_path, base_url=DEMO)
    sign_in(client, app, "participant1")
    page = get(client, f"/demo/courses/{world.course_id()}").text
    assert "Course reflections" not in page
    assert "Week 1 reflection" in page
    assert "Add a link" not in page


def test_users_outside_the_course_get_404(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, app, "participant6")
    assert get(client, f"/demo/courses/{world.course_id('OFFICERS')}").status_code == 404


def test_launch_page_frames_the_tool(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, app, "participant1")
    course = get(client, f"/demo/courses/{world.course_id()}").text
    item_path = course.split("Week 1 reflection")[0].rsplit('href="', 1)[1].split('"')[0]
    page = get(client, item_path).text
    assert 'name="tool_content"' in page and 'target="tool_content"' in page
    assert 'name="post_message_forwarding"' in page
    assert f'src="{DEMO}/demo/lti/post_message_forwarding"' in page
    assert form_action(page, "launch-form") == f"{TOOL}/lti/login"
    assert form_fields(page)["lti_storage_target"] == "post_message_forwarding"


def test_post_message_forwarding_frame(client: FlaskClient) -> None:
    response = get(client, "/demo/lti/post_message_forwarding")
    assert response.status_code == 200
    assert "platform_storage.js" in response.text
    script = get(client, "/demo/static/demo_canvas/platform_storage.js")
    assert b"lti.put_data" in script.data and b".response" in script.data
    script.close()


def test_gradebook_shows_scores_comments_and_speed_grader_launch(
    app: Flask,
    client: FlaskClient,
    world: World,
    bearer: dict[str, str],
    decode_id_token: Callable[[str], dict[str, Any]],
) -> None:
    course_id, line_item = world.course_id(), world.line_item_id()
    score = {
        "userId": world.user("participant2").lti_id,
        "activityProgress": "Submitted",
        "gradingProgress": "FullyGraded",
        "timestamp": datetime.now(UTC).isoformat(),
        "scoreGiven": 7,
        "scoreMaximum": 10,
        "comment": "Thoughtful answer",
        "https://canvas.instructure.com/lti/submission": {
            "submission_type": "basic_lti_launch",
            "submission_data": SUBMISSION_URL,
        },
    }
    client.post(
        f"/demo/api/lti/courses/{course_id}/line_items/{line_item}/scores",
        data=json.dumps(score),
        headers=bearer,
    )
    sign_in(client, app, "instructor")
    page = get(client, f"/demo/courses/{course_id}/gradebook").text
    assert "<caption" in page and re.search(r"<td>\s*7\s", page)
    assert "1 comment" in page
    link = (
        page.split("Submission<span")[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    )
    grader = get(client, link)
    assert grader.status_code == 200
    assert "Thoughtful answer" in grader.text and "Someone" in grader.text
    fields = form_fields(grader.text)
    assert fields["target_link_uri"] == SUBMISSION_URL
    answer = get(client, "/demo/api/lti/authorize", query_string=auth_params(fields))
    claims = decode_id_token(form_fields(answer.text)["id_token"])
    assert claims["sub"] == world.user("instructor").lti_id


def test_student_sees_only_their_own_grades(app: Flask, client: FlaskClient, world: World) -> None:
    sign_in(client, app, "participant1")
    table = get(client, f"/demo/courses/{world.course_id()}/gradebook").text.split("<table")[1]
    assert "Amara Okafor" in table and "Ben Carter" not in table


def test_admin_page_starts_dynamic_registration(app: Flask, client: FlaskClient) -> None:
    sign_in(client, app, "participant1")
    assert get(client, "/demo/admin").status_code == 403
    sign_in(client, app, "instructor")
    admin = get(client, "/demo/admin").text
    assert "10000000000002" in admin and "registration invite" in admin
    assert 'id="registration-url" name="url" type="url" required size="50"' in admin
    assert 'value=""' in admin  # no link from the tool's operator yet: nothing to paste

    invite = f"{TOOL}/lti/register/an-operators-link"
    app.config["DEMO_CANVAS_REGISTRATION_URL"] = invite  # as `make run` hands it over
    assert f'value="{invite}"' in get(client, "/demo/admin").text
    page = get(client, "/demo/admin/dynamic_registration", query_string={"url": invite})
    assert page.status_code == 200
    assert f'src="{invite}?openid_configuration=' in page.text
    assert "registration_token=" in page.text
