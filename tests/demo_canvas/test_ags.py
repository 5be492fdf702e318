"""AGS with Canvas's rules: line items, scores and results."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, update
from werkzeug.test import TestResponse

from demo_canvas.db import demo_session
from demo_canvas.models import Assignment, Submission, SubmissionComment

from .conftest import DEMO, World

SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
SUBMISSION = "https://canvas.instructure.com/lti/submission"


def now_iso(offset: timedelta = timedelta()) -> str:
    return (datetime.now(UTC) + offset).isoformat()


@pytest.fixture
def items_url(world: World) -> str:
    return f"/demo/api/lti/courses/{world.course_id()}/line_items"


@pytest.fixture
def post_score(
    client: FlaskClient, bearer: dict[str, str], world: World
) -> Callable[..., TestResponse]:
    def post(
        login_id: str = "participant1", line_item_id: int | None = None, **fields: Any
    ) -> TestResponse:
        body: dict[str, Any] = {
            "userId": world.user(login_id).lti_id,
            "activityProgress": "Completed",
            "gradingProgress": "FullyGraded",
            "timestamp": now_iso(),
            "scoreGiven": 8,
            "scoreMaximum": 10,
        }
        body.update(fields)
        body = {k: v for k, v in body.items() if v is not None}
        item = line_item_id or world.line_item_id()
        return client.post(
            f"/demo/api/lti/courses/{world.course_id()}/line_items/{item}/scores",
            data=json.dumps(body),
            headers={**bearer, "Content-Type": SCORE_TYPE},
        )

    return post


def submission(app: Flask, world: World, login_id: str = "participant1") -> Submission:
    with demo_session(app) as session:
        found = session.scalars(
            select(Submission).where(Submission.user_id == world.user(login_id).id)
        ).one()
        comments = [c.comment for c in found.comments]
        session.expunge(found)
        found.__dict__["comment_texts"] = comments
        return found


def create(
    client: FlaskClient, items_url: str, bearer: dict[str, str], **body: Any
) -> TestResponse:
    return client.post(
        items_url,
        data=json.dumps({"label": "Extra", "scoreMaximum": 5, **body}),
        headers={**bearer, "Content-Type": "application/vnd.ims.lis.v2.lineitem+json"},
    )


class TestLineItems:
    def test_create_makes_an_assignment(
        self, app: Flask, client: FlaskClient, items_url: str, bearer: dict[str, str]
    ) -> None:
        response = create(client, items_url, bearer, tag="t", resourceId="r")
        assert response.status_code == 201
        assert response.mimetype == "application/vnd.ims.lis.v2.lineitem+json"
        body = response.json
        assert body is not None
        assert body["id"].startswith(DEMO + items_url)
        assert (body["label"], body["scoreMaximum"], body["tag"]) == ("Extra", 5, "t")
        with demo_session(app) as session:
            assignment = session.scalars(select(Assignment).where(Assignment.name == "Extra")).one()
            assert assignment.points_possible == 5

    @pytest.mark.parametrize("missing", ["label", "scoreMaximum"])
    def test_create_requires_fields(
        self, client: FlaskClient, items_url: str, bearer: dict[str, str], missing: str
    ) -> None:
        assert create(client, items_url, bearer, **{missing: None}).status_code == 400

    def test_create_with_unknown_resource_link_is_404(
        self, client: FlaskClient, items_url: str, bearer: dict[str, str]
    ) -> None:
        assert create(client, items_url, bearer, resourceLinkId="nope").status_code == 404

    def test_invalid_submission_type_extension(
        self, client: FlaskClient, items_url: str, bearer: dict[str, str]
    ) -> None:
        body = {"https://canvas.instructure.com/lti/submission_type": {"type": "online_upload"}}
        assert create(client, items_url, bearer, **body).status_code == 400

    def test_list_pages_with_link_header(
        self, client: FlaskClient, items_url: str, bearer: dict[str, str]
    ) -> None:
        response = client.get(items_url, query_string={"limit": 1}, headers=bearer)
        assert response.status_code == 200
        assert response.mimetype == "application/vnd.ims.lis.v2.lineitemcontainer+json"
        assert len(response.json) == 1  # type: ignore[arg-type]
        assert 'rel="next"' in response.headers["Link"]
        last = client.get(items_url, query_string={"limit": 1, "page": 2}, headers=bearer)
        assert 'rel="next"' not in last.headers["Link"]

    def test_list_filters_by_tag(
        self, client: FlaskClient, items_url: str, bearer: dict[str, str]
    ) -> None:
        create(client, items_url, bearer, tag="peer-review")
        response = client.get(items_url, query_string={"tag": "peer-review"}, headers=bearer)
        assert [item["tag"] for item in response.json] == ["peer-review"]  # type: ignore[union-attr]

    def test_show_update_delete(
        self, client: FlaskClient, items_url: str, bearer: dict[str, str]
    ) -> None:
        url = create(client, items_url, bearer).json["id"].removeprefix(DEMO)  # type: ignore[index]
        assert client.get(url, headers=bearer).json["label"] == "Extra"  # type: ignore[index]
        updated = client.put(
            url,
            data=json.dumps({"label": "Renamed", "scoreMaximum": 7}),
            headers={**bearer, "Content-Type": "application/json"},
        )
        assert updated.status_code == 200
        assert updated.json["label"] == "Renamed"  # type: ignore[index]
        deleted = client.delete(url, headers=bearer)
        assert deleted.status_code == 204
        assert client.get(url, headers=bearer).status_code == 404

    def test_coupled_line_item_cannot_be_deleted(
        self, client: FlaskClient, items_url: str, bearer: dict[str, str], world: World
    ) -> None:
        response = client.delete(f"{items_url}/{world.line_item_id()}", headers=bearer)
        assert response.status_code == 401

    def test_put_with_another_resource_link_is_412(
        self, client: FlaskClient, items_url: str, bearer: dict[str, str], world: World
    ) -> None:
        response = client.put(
            f"{items_url}/{world.line_item_id()}",
            data=json.dumps({"resourceLinkId": "other"}),
            headers=bearer,
        )
        assert response.status_code == 412

    def test_line_item_of_another_course_is_404(
        self, client: FlaskClient, bearer: dict[str, str], world: World
    ) -> None:
        url = (
            f"/demo/api/lti/courses/{world.course_id('LEADERS')}/line_items/{world.line_item_id()}"
        )
        assert client.get(url, headers=bearer).status_code == 404


class TestScores:
    def test_score_is_200_with_score_media_type(
        self, app: Flask, post_score: Callable[..., TestResponse], world: World
    ) -> None:
        response = post_score(scoreGiven=4, scoreMaximum=5)
        assert response.status_code == 200
        assert response.mimetype == SCORE_TYPE
        assert "/results/" in response.json["resultUrl"]  # type: ignore[index]
        assert submission(app, world).score == 8  # scaled to the line item's 10 points

    @pytest.mark.parametrize(
        "missing", ["userId", "activityProgress", "gradingProgress", "timestamp"]
    )
    def test_required_fields(self, post_score: Callable[..., TestResponse], missing: str) -> None:
        assert post_score(**{missing: None}).status_code == 400

    def test_invalid_timestamp(self, post_score: Callable[..., TestResponse]) -> None:
        assert post_score(timestamp="yesterday").status_code == 400

    def test_timestamp_before_last_update_is_400(
        self, post_score: Callable[..., TestResponse]
    ) -> None:
        assert post_score().status_code == 200
        late = post_score(timestamp=now_iso(-timedelta(seconds=5)))
        assert late.status_code == 400
        assert "before last updated timestamp" in late.json["errors"]["message"]  # type: ignore[index]
        assert post_score(timestamp=now_iso(timedelta(seconds=1))).status_code == 200

    @pytest.mark.parametrize("login_id", ["instructor", "ta"])
    def test_non_students_are_422(
        self, post_score: Callable[..., TestResponse], login_id: str
    ) -> None:
        response = post_score(login_id)
        assert response.status_code == 422
        assert response.json["errors"]["message"] == "User not found in course or is not a student"  # type: ignore[index]

    def test_student_of_another_course_is_422(
        self, post_score: Callable[..., TestResponse]
    ) -> None:
        assert post_score("participant6").status_code == 422

    def test_test_student_may_be_scored(self, post_score: Callable[..., TestResponse]) -> None:
        assert post_score("test_student").status_code == 200

    def test_score_given_needs_score_maximum(self, post_score: Callable[..., TestResponse]) -> None:
        assert post_score(scoreMaximum=None).status_code == 422

    def test_grade_cleared_without_score_given(
        self, app: Flask, post_score: Callable[..., TestResponse], world: World
    ) -> None:
        post_score()
        post_score(scoreGiven=None, scoreMaximum=None, timestamp=now_iso(timedelta(seconds=1)))
        assert submission(app, world).score is None

    @pytest.mark.parametrize("progress", ["Pending", "NotReady", "Failed"])
    def test_grade_cleared_when_not_graded(
        self, app: Flask, post_score: Callable[..., TestResponse], world: World, progress: str
    ) -> None:
        post_score()
        post_score(gradingProgress=progress, timestamp=now_iso(timedelta(seconds=1)))
        assert submission(app, world).score is None

    def test_preserve_score_keeps_the_grade(
        self, app: Flask, post_score: Callable[..., TestResponse], world: World
    ) -> None:
        post_score()
        post_score(
            scoreGiven=None,
            scoreMaximum=None,
            timestamp=now_iso(timedelta(seconds=1)),
            **{SUBMISSION: {"preserve_score": True}},
        )
        assert submission(app, world).score == 8

    def test_each_comment_is_appended(
        self, app: Flask, post_score: Callable[..., TestResponse], world: World
    ) -> None:
        post_score(comment="Good start")
        post_score(comment="Good start", timestamp=now_iso(timedelta(seconds=1)))
        found = submission(app, world)
        assert found.__dict__["comment_texts"] == ["Good start", "Good start"]
        with demo_session(app) as session:
            assert all(c.author_id is None for c in session.scalars(select(SubmissionComment)))

    def test_submission_extension_and_attempts(
        self, app: Flask, post_score: Callable[..., TestResponse], world: World
    ) -> None:
        extension = {
            "submission_type": "basic_lti_launch",
            "submission_data": "http://localhost:5000/lti/submission?r=1",
            "submitted_at": "2001-01-01T00:00:00+00:00",
        }
        post_score(**{SUBMISSION: extension})
        post_score(
            timestamp=now_iso(timedelta(seconds=1)),
            **{SUBMISSION: {**extension, "new_submission": False}},
        )
        found = submission(app, world)
        assert found.attempt == 1
        assert found.submission_type == "basic_lti_launch"
        assert found.submission_data == extension["submission_data"]
        assert found.submitted_at == datetime(2001, 1, 1, tzinfo=UTC)
        post_score(timestamp=now_iso(timedelta(seconds=2)))
        assert submission(app, world).attempt == 2

    def test_attempt_limit_is_422(
        self, app: Flask, post_score: Callable[..., TestResponse], world: World
    ) -> None:
        with demo_session(app) as session:
            session.execute(update(Assignment).values(allowed_attempts=1))
        assert post_score().status_code == 200
        again = post_score(timestamp=now_iso(timedelta(seconds=1)))
        assert again.status_code == 422
        assert "maximum number of allowed attempts" in again.json["errors"]["message"]  # type: ignore[index]

    def test_submitted_at_in_the_future_is_400(
        self, post_score: Callable[..., TestResponse]
    ) -> None:
        future = now_iso(timedelta(minutes=5))
        assert post_score(**{SUBMISSION: {"submitted_at": future}}).status_code == 400

    def test_prioritize_non_tool_grade(
        self, app: Flask, post_score: Callable[..., TestResponse], world: World
    ) -> None:
        post_score()
        with demo_session(app) as session:
            session.execute(update(Submission).values(score=9.5, graded_by_tool=False))
        post_score(
            scoreGiven=1,
            timestamp=now_iso(timedelta(seconds=1)),
            **{SUBMISSION: {"prioritize_non_tool_grade": True}},
        )
        assert submission(app, world).score == 9.5
        post_score(scoreGiven=1, timestamp=now_iso(timedelta(seconds=2)))
        assert submission(app, world).score == 1


class TestResults:
    def test_results_list_and_show(
        self,
        client: FlaskClient,
        post_score: Callable[..., TestResponse],
        bearer: dict[str, str],
        items_url: str,
        world: World,
    ) -> None:
        result_url = post_score(comment="c").json["resultUrl"].removeprefix(DEMO)  # type: ignore[index]
        post_score("participant2")
        url = f"{items_url}/{world.line_item_id()}/results"
        listed = client.get(url, headers=bearer)
        assert listed.status_code == 200
        assert listed.mimetype == "application/vnd.ims.lis.v2.resultcontainer+json"
        assert len(listed.json) == 2  # type: ignore[arg-type]
        mine = client.get(
            url, query_string={"user_id": world.user("participant1").lti_id}, headers=bearer
        )
        assert mine.json == [client.get(result_url, headers=bearer).json]
        assert mine.json[0]["resultScore"] == 8 and mine.json[0]["comment"] == "c"

    def test_non_student_user_id_gives_empty_list(
        self, client: FlaskClient, bearer: dict[str, str], items_url: str, world: World
    ) -> None:
        url = f"{items_url}/{world.line_item_id()}/results"
        response = client.get(
            url, query_string={"user_id": world.user("instructor").lti_id}, headers=bearer
        )
        assert response.json == []
