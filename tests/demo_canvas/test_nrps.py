"""Names and Role Provisioning: pages of at most 50 with a ``Link`` header and a case-sensitive
token.
"""

from __future__ import annotations

import re
import uuid

import pytest
from flask import Flask
from flask.testing import FlaskClient

from demo_canvas.db import demo_session
from demo_canvas.models import Enrollment, EnrollmentType, User

from .conftest import DEMO, World

MEMBERSHIP_TYPE = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"


@pytest.fixture
def big_course(app: Flask, world: World) -> int:
    """The Officers course with 60 extra students (67 members in all)."""
    course_id = world.course_id()
    with demo_session(app) as session:
        for number in range(60):
            user = User(
                login_id=f"extra{number}",
                name=f"Extra {number}",
                given_name="Extra",
                family_name=str(number),
                email=f"extra{number}@example.edu",
                lti_id=str(uuid.uuid4()),
                opaque_id=uuid.uuid4().hex + "00000000",
            )
            session.add(user)
            session.flush()
            session.add(
                Enrollment(course_id=course_id, user_id=user.id, type=EnrollmentType.STUDENT)
            )
    return course_id


def next_link(link_header: str) -> str | None:
    match = re.search(r'<([^>]*)>; rel="next"', link_header)
    return match.group(1) if match else None


def test_pages_of_at_most_50_follow_the_link_header(
    client: FlaskClient, bearer: dict[str, str], big_course: int
) -> None:
    url: str | None = f"/demo/api/lti/courses/{big_course}/names_and_roles?limit=500"
    sizes: list[int] = []
    seen: set[str] = set()
    while url:
        response = client.get(url.removeprefix(DEMO), headers=bearer)
        assert response.status_code == 200
        assert response.mimetype == MEMBERSHIP_TYPE
        members = response.json["members"]  # type: ignore[index]
        sizes.append(len(members))
        seen.update(m["user_id"] for m in members)
        url = next_link(response.headers["Link"])
    assert sizes == [50, 17]
    assert len(seen) == 67


def test_lowercased_page_token_is_refused(
    client: FlaskClient, bearer: dict[str, str], big_course: int
) -> None:
    first = client.get(f"/demo/api/lti/courses/{big_course}/names_and_roles", headers=bearer)
    link = next_link(first.headers["Link"])
    assert link is not None and link != link.lower()
    response = client.get(link.lower().removeprefix(DEMO), headers=bearer)
    assert response.status_code == 400


def test_members_and_context(client: FlaskClient, bearer: dict[str, str], world: World) -> None:
    response = client.get(
        f"/demo/api/lti/courses/{world.course_id()}/names_and_roles", headers=bearer
    )
    body = response.json
    assert body is not None
    assert body["context"]["label"] == "OFFICERS"
    assert body["id"].startswith(DEMO)
    participant = world.user("participant1")
    member = next(m for m in body["members"] if m["user_id"] == participant.lti_id)
    assert member["status"] == "Active"
    assert member["roles"] == [LEARNER]
    assert member["name"] == participant.name and member["email"] == participant.email
    assert member["lti11_legacy_user_id"] == participant.opaque_id
    assert 'rel="next"' not in response.headers["Link"]


def test_role_filter(client: FlaskClient, bearer: dict[str, str], world: World) -> None:
    response = client.get(
        f"/demo/api/lti/courses/{world.course_id()}/names_and_roles",
        query_string={"role": LEARNER},
        headers=bearer,
    )
    members = response.json["members"]  # type: ignore[index]
    assert len(members) == 5  # four participants and the test student
    assert all(LEARNER in m["roles"] for m in members)


def test_unknown_rlid_is_refused(client: FlaskClient, bearer: dict[str, str], world: World) -> None:
    response = client.get(
        f"/demo/api/lti/courses/{world.course_id()}/names_and_roles",
        query_string={"rlid": "nope"},
        headers=bearer,
    )
    assert response.status_code == 400


def test_nrps_scope_is_required(client: FlaskClient, access_token: object, world: World) -> None:
    token = access_token("https://purl.imsglobal.org/spec/lti-ags/scope/score")  # type: ignore[operator]
    response = client.get(
        f"/demo/api/lti/courses/{world.course_id()}/names_and_roles",
        headers={"Authorization": f"Bearer {token}"},
    )
    assert response.status_code == 401
