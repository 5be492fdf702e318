"""Assignment and Grade Services with Canvas's rules: line items, scores and results."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

from flask import Blueprint, Response, json, request
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from demo_canvas import urls
from demo_canvas.db import get_db, utcnow
from demo_canvas.errors import ServiceError
from demo_canvas.faults import faulty
from demo_canvas.models import (
    Assignment,
    Course,
    Enrollment,
    EnrollmentType,
    LineItem,
    ModuleItem,
    ResourceLink,
    Result,
    Submission,
    SubmissionComment,
    User,
)
from demo_canvas.oauth import current_grant, requires_scope
from demo_canvas.paging import link_header, page_params

LOG = logging.getLogger(__name__)
bp = Blueprint("ags", __name__)

SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/"
LINEITEM, LINEITEM_READ = SCOPE + "lineitem", SCOPE + "lineitem.readonly"
RESULT_READ, SCORE = SCOPE + "result.readonly", SCOPE + "score"
LINEITEM_TYPE = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEM_CONTAINER_TYPE = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE_TYPE = "application/vnd.ims.lis.v1.score+json"
RESULT_CONTAINER_TYPE = "application/vnd.ims.lis.v2.resultcontainer+json"
SUBMISSION_TYPE_EXT = "https://canvas.instructure.com/lti/submission_type"
SUBMISSION_EXT = "https://canvas.instructure.com/lti/submission"
ACTIVITY = frozenset({"Initialized", "Started", "InProgress", "Submitted", "Completed"})
GRADING = frozenset({"NotReady", "Failed", "Pending", "PendingManual", "FullyGraded"})
GRADED = frozenset({"FullyGraded", "PendingManual"})
NOT_A_STUDENT = "User not found in course or is not a student"
STUDENT_TYPES = (EnrollmentType.STUDENT.value, EnrollmentType.STUDENT_VIEW.value)
LINE_ITEMS_PATH = "/api/lti/courses/<int:course_id>/line_items"
LINE_ITEM_PATH = LINE_ITEMS_PATH + "/<int:line_item_id>"


def _json(body: Any, media_type: str, status: int = 200) -> Response:
    return Response(json.dumps(body), status=status, mimetype=media_type)


def _body() -> dict[str, Any]:
    """Canvas parses the LTI media types (and plain JSON) as JSON."""
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ServiceError(400, "The request body must be a JSON object")
    return body


def _course(session: Session, course_id: int) -> Course:
    course = session.get(Course, course_id)
    if course is None:
        raise ServiceError(404, "The specified resource does not exist.")
    return course


def _line_item(session: Session, course: Course, line_item_id: int) -> LineItem:
    line_item = session.get(LineItem, line_item_id)
    if line_item is None or line_item.course_id != course.id or line_item.assignment.deleted:
        raise ServiceError(404, "The specified resource does not exist.")
    if line_item.developer_key_id != current_grant().developer_key.id:
        raise ServiceError(412, "Tool does not have permission to view line_item")
    return line_item


def _datetime(value: Any, name: str) -> datetime | None:
    if value in (None, ""):
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as error:
        raise ServiceError(400, f"Provided {name} of {value} not a valid timestamp") from error
    if parsed.tzinfo is None:
        raise ServiceError(400, f"Provided {name} of {value} has no time zone")
    return parsed


def _number(value: Any, name: str, status: int = 400) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
        raise ServiceError(status, f"{name} must be a number greater than or equal to 0")
    return float(value)


def line_item_json(line_item: LineItem) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": urls.line_item(line_item.course_id, line_item.id),
        "scoreMaximum": line_item.score_maximum,
        "label": line_item.label,
        "resourceId": line_item.resource_id,
        "tag": line_item.tag,
        "resourceLinkId": line_item.resource_link.lookup_uuid if line_item.resource_link else None,
        "startDateTime": line_item.start_at.isoformat() if line_item.start_at else None,
        "endDateTime": line_item.end_at.isoformat() if line_item.end_at else None,
        SUBMISSION_TYPE_EXT: line_item.submission_type,
    }
    return {name: value for name, value in body.items() if value is not None}


@bp.post(LINE_ITEMS_PATH)
@faulty("ags")
@requires_scope(LINEITEM)
def create_line_item(course_id: int) -> Response:
    session = get_db()
    course = _course(session, course_id)
    body = _body()
    for name in ("scoreMaximum", "label"):
        if body.get(name) in (None, ""):
            raise ServiceError(400, f"param is missing or the value is empty: {name}")
    score_maximum = _number(body["scoreMaximum"], "scoreMaximum")
    extension = _submission_type(body.get(SUBMISSION_TYPE_EXT))
    start, end = (
        _datetime(body.get("startDateTime"), "startDateTime"),
        _datetime(body.get("endDateTime"), "endDateTime"),
    )
    key = current_grant().developer_key
    line_item = LineItem(
        course_id=course.id,
        developer_key_id=key.id,
        label=str(body["label"]),
        score_maximum=score_maximum,
        resource_id=body.get("resourceId"),
        tag=body.get("tag"),
        start_at=start,
        end_at=end,
        submission_type=extension,
        coupled=False,
    )
    if body.get("resourceLinkId"):
        link = _assignment_link(session, course, str(body["resourceLinkId"]))
        line_item.resource_link_id = link.id
        line_item.assignment_id = _assignment_of(session, link).id
        line_item.primary = False
    else:
        assignment = Assignment(
            course_id=course.id,
            name=line_item.label,
            points_possible=score_maximum,
            submission_types=extension["type"] if extension else "none",
            due_at=end,
            unlock_at=start,
            lock_at=None,
            published=True,
            allowed_attempts=None,
        )
        session.add(assignment)
        session.flush()
        line_item.assignment_id = assignment.id
    session.add(line_item)
    session.commit()
    LOG.info("line item %s created in course %s", line_item.id, course.id)
    return _json(line_item_json(line_item), LINEITEM_TYPE, 201)


def _submission_type(extension: Any) -> dict[str, Any] | None:
    if extension is None:
        return None
    if not isinstance(extension, dict) or extension.get("type") not in ("none", "external_tool"):
        raise ServiceError(400, "Invalid submission_type for new assignment")
    return extension


def _assignment_link(session: Session, course: Course, lookup_uuid: str) -> ResourceLink:
    link = session.scalar(
        select(ResourceLink).where(
            ResourceLink.lookup_uuid == lookup_uuid, ResourceLink.course_id == course.id
        )
    )
    if link is None or link.developer_key_id != current_grant().developer_key.id:
        raise ServiceError(404, "The specified resource does not exist.")
    return link


def _assignment_of(session: Session, link: ResourceLink) -> Assignment:
    """The assignment a resource link belongs to; course-level and module links have none (404)."""
    assignment = session.scalar(
        select(Assignment).where(
            Assignment.resource_link_id == link.id, Assignment.deleted.is_(False)
        )
    )
    if assignment is None:
        raise ServiceError(404, "The specified resource does not exist.")
    return assignment


@bp.get(LINE_ITEMS_PATH)
@faulty("ags")
@requires_scope(LINEITEM, LINEITEM_READ)
def list_line_items(course_id: int) -> Response:
    session = get_db()
    course = _course(session, course_id)
    limit, page = page_params(request.args, default_limit=10, max_limit=50)
    query = (
        select(LineItem)
        .join(Assignment, LineItem.assignment_id == Assignment.id)
        .where(
            LineItem.course_id == course.id,
            LineItem.developer_key_id == current_grant().developer_key.id,
            Assignment.deleted.is_(False),
        )
    )
    if "tag" in request.args:
        query = query.where(LineItem.tag == request.args["tag"])
    if "resource_id" in request.args:
        query = query.where(LineItem.resource_id == request.args["resource_id"])
    if "resource_link_id" in request.args:
        query = query.join(ResourceLink, LineItem.resource_link_id == ResourceLink.id).where(
            ResourceLink.lookup_uuid == request.args["resource_link_id"]
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    items = session.scalars(query.order_by(LineItem.id).offset((page - 1) * limit).limit(limit))
    response = _json([line_item_json(item) for item in items], LINEITEM_CONTAINER_TYPE)
    filters = {
        k: v for k, v in request.args.items() if k in ("tag", "resource_id", "resource_link_id")
    }
    response.headers["Link"] = link_header(urls.line_items(course.id), filters, limit, page, total)
    return response


@bp.get(LINE_ITEM_PATH)
@faulty("ags")
@requires_scope(LINEITEM, LINEITEM_READ)
def show_line_item(course_id: int, line_item_id: int) -> Response:
    session = get_db()
    line_item = _line_item(session, _course(session, course_id), line_item_id)
    return _json(line_item_json(line_item), LINEITEM_TYPE)


@bp.put(LINE_ITEM_PATH)
@faulty("ags")
@requires_scope(LINEITEM)
def update_line_item(course_id: int, line_item_id: int) -> Response:
    session = get_db()
    line_item = _line_item(session, _course(session, course_id), line_item_id)
    body = _body()
    if body.get("resourceLinkId") and (
        line_item.resource_link is None
        or line_item.resource_link.lookup_uuid != body["resourceLinkId"]
    ):
        raise ServiceError(412, "The specified LTI link ID is not associated with the line item")
    if "label" in body:
        line_item.label = str(body["label"])
    if "scoreMaximum" in body:
        line_item.score_maximum = _number(body["scoreMaximum"], "scoreMaximum")
    for field, attribute in (("resourceId", "resource_id"), ("tag", "tag")):
        if field in body:
            setattr(line_item, attribute, body[field])
    if "startDateTime" in body:
        line_item.start_at = _datetime(body["startDateTime"], "startDateTime")
    if "endDateTime" in body:
        line_item.end_at = _datetime(body["endDateTime"], "endDateTime")
    if line_item.primary:
        assignment = line_item.assignment
        assignment.name, assignment.points_possible = line_item.label, line_item.score_maximum
        assignment.unlock_at, assignment.due_at = line_item.start_at, line_item.end_at
    session.commit()
    return _json(line_item_json(line_item), LINEITEM_TYPE)


@bp.delete(LINE_ITEM_PATH)
@faulty("ags")
@requires_scope(LINEITEM)
def delete_line_item(course_id: int, line_item_id: int) -> Response:
    session = get_db()
    line_item = _line_item(session, _course(session, course_id), line_item_id)
    if line_item.coupled:
        raise ServiceError(401, "Line items coupled to an assignment cannot be deleted")
    if line_item.primary:
        line_item.assignment.deleted = True
        session.execute(
            delete(ModuleItem).where(ModuleItem.assignment_id == line_item.assignment_id)
        )
    else:
        session.execute(delete(Result).where(Result.line_item_id == line_item.id))
        session.delete(line_item)
    session.commit()
    return Response(status=204)


@bp.post(LINE_ITEM_PATH + "/scores")
@faulty("ags")
@requires_scope(SCORE)
def post_score(course_id: int, line_item_id: int) -> Response:
    session = get_db()
    course = _course(session, course_id)
    line_item = _line_item(session, course, line_item_id)
    score = ScorePost.parse(_body(), session, course, line_item)
    result = score.apply(session)
    session.commit()
    LOG.info("score posted to line item %s (result %s)", line_item.id, result.id)
    result_url = f"{urls.line_item(course.id, line_item.id)}/results/{result.id}"
    return _json({"resultUrl": result_url}, SCORE_TYPE)


class ScorePost:
    """One validated score post and how it changes the result, submission, grade and comments."""

    def __init__(
        self, body: dict[str, Any], line_item: LineItem, user: User, timestamp: datetime
    ) -> None:
        self.body, self.line_item, self.user, self.timestamp = body, line_item, user, timestamp
        extension = body.get(SUBMISSION_EXT)
        self.extension: dict[str, Any] = extension if isinstance(extension, dict) else {}
        self.submission_type = str(self.extension.get("submission_type") or "external_tool")
        self.new_submission = bool(
            self.extension.get("new_submission", self.submission_type != "none")
        )
        self.submitted_at = _datetime(
            (body.get("submission") or {}).get("submittedAt")
            or self.extension.get("submitted_at")
            or body.get("submittedAt"),
            "submitted_at",
        )

    @classmethod
    def parse(
        cls, body: dict[str, Any], session: Session, course: Course, line_item: LineItem
    ) -> ScorePost:
        for name in ("userId", "activityProgress", "gradingProgress", "timestamp"):
            if body.get(name) in (None, ""):
                raise ServiceError(400, f"param is missing or the value is empty: {name}")
        if body["activityProgress"] not in ACTIVITY or body["gradingProgress"] not in GRADING:
            raise ServiceError(400, "activityProgress or gradingProgress is not a valid value")
        timestamp = _datetime(body["timestamp"], "timestamp") or utcnow()  # presence checked above
        user = _student(session, course, str(body["userId"]))
        score = cls(body, line_item, user, timestamp)
        score.check(session)
        return score

    def check(self, session: Session) -> None:
        if self.body.get("scoreGiven") is not None:
            _number(self.body["scoreGiven"], "ScoreGiven", 422)
            if self.body.get("scoreMaximum") is None:
                raise ServiceError(422, "ScoreMaximum not supplied when ScoreGiven present.")
            maximum = _number(self.body["scoreMaximum"], "ScoreMaximum", 422)
            if maximum == 0 and self.line_item.score_maximum != 0:
                raise ServiceError(422, "ScoreMaximum must be greater than 0")
        if self.submitted_at and self.submitted_at > utcnow() + timedelta(minutes=1):
            raise ServiceError(400, "submitted_at cannot be in the future")
        result = self._result(session)
        if result is not None and result.updated_at > self.timestamp:
            raise ServiceError(
                400,
                f"Provided timestamp of {self.body['timestamp']} before last updated timestamp "
                f"of {result.updated_at.isoformat()}",
            )

    def _result(self, session: Session) -> Result | None:
        return session.scalar(
            select(Result).where(
                Result.line_item_id == self.line_item.id, Result.user_id == self.user.id
            )
        )

    def graded_score(self) -> float | None:
        """The Canvas score this post sets: scaled to the line item's maximum, or None to clear."""
        given, maximum = self.body.get("scoreGiven"), self.body.get("scoreMaximum")
        if given is None or self.body["gradingProgress"] not in GRADED:
            return None
        if not maximum:
            return float(given)
        return float(given) * self.line_item.score_maximum / float(maximum)

    @property
    def preserve_score(self) -> bool:
        return bool(self.extension.get("preserve_score"))

    def apply(self, session: Session) -> Result:
        result = self._result(session) or Result(
            line_item_id=self.line_item.id, user_id=self.user.id
        )
        score = self.graded_score()
        if score is not None:
            result.result_score = float(self.body["scoreGiven"])
            result.result_maximum = float(self.body["scoreMaximum"])
        elif not self.preserve_score:
            result.result_score = result.result_maximum = None
        if self.body.get("comment") is not None:
            result.comment = str(self.body["comment"])
        result.activity_progress = self.body["activityProgress"]
        result.grading_progress = self.body["gradingProgress"]
        result.updated_at = utcnow()
        session.add(result)
        if self.line_item.primary:
            submission = self._update_submission(session, score)
            if submission.score is not None and not submission.graded_by_tool:
                _mirror_hand_grade(result, submission, self.line_item)
        session.flush()
        return result

    def _update_submission(self, session: Session, score: float | None) -> Submission:
        """Only the primary line item writes the submission, its attempts, grade and comments."""
        assignment = self.line_item.assignment
        submission = session.scalar(
            select(Submission).where(
                Submission.assignment_id == assignment.id, Submission.user_id == self.user.id
            )
        ) or Submission(assignment_id=assignment.id, user_id=self.user.id, attempt=0)
        session.add(submission)
        if self.new_submission:
            if (
                assignment.allowed_attempts is not None
                and submission.attempt >= assignment.allowed_attempts
            ):
                raise ServiceError(
                    422,
                    "The maximum number of allowed attempts has been reached for this submission",
                )
            submission.attempt += 1
            submission.submitted_at = self.submitted_at or utcnow()
        if self.new_submission or "submission_data" in self.extension:
            submission.submission_type = self.submission_type
            submission.submission_data = self.extension.get("submission_data")
        self._grade(submission, score)
        if self.body.get("comment"):
            session.flush()
            session.add(
                SubmissionComment(submission_id=submission.id, comment=str(self.body["comment"]))
            )
        return submission

    def _grade(self, submission: Submission, score: float | None) -> None:
        if score is None and self.preserve_score:
            return
        human_graded = submission.score is not None and not submission.graded_by_tool
        if human_graded and self.extension.get("prioritize_non_tool_grade"):
            return
        submission.score = score
        submission.graded_by_tool = True
        submission.graded_at = utcnow() if score is not None else None


def _mirror_hand_grade(result: Result, submission: Submission, line_item: LineItem) -> None:
    """The result the tool reads back carries the grade a person gave (SpeedGrader, the
    gradebook), in the assignment's points: the tool sees the grade that counts. (The reference
    leaves open whether Canvas's results show manual grades; this demo assumes they do, as
    Canvas copies a changed submission score into the assignment's LTI results.)"""
    result.result_score = submission.score
    result.result_maximum = line_item.score_maximum
    result.updated_at = utcnow()


def record_hand_grade(session: Session, submission: Submission, score: float | None) -> None:
    """A grade typed (or cleared: None) by a person, and its copy in the primary line item's
    result, if any."""
    submission.score, submission.graded_by_tool, submission.graded_at = score, False, utcnow()
    found = session.execute(
        select(Result, LineItem)
        .join(LineItem, LineItem.id == Result.line_item_id)
        .where(
            LineItem.assignment_id == submission.assignment_id,
            LineItem.primary.is_(True),
            Result.user_id == submission.user_id,
        )
    ).first()
    if found is not None:
        _mirror_hand_grade(found[0], submission, found[1])


def _student(session: Session, course: Course, user_id: str) -> User:
    """The user named by ``userId`` (LTI id or Canvas id) if they are a student of the course."""
    condition = User.lti_id == user_id
    if user_id.isdigit():
        condition = condition | (User.id == int(user_id))
    user = session.scalar(select(User).where(condition))
    enrollment = (
        session.scalar(
            select(Enrollment).where(
                Enrollment.user_id == user.id, Enrollment.course_id == course.id
            )
        )
        if user
        else None
    )
    if user is None or enrollment is None or not enrollment.is_student:
        raise ServiceError(422, NOT_A_STUDENT)
    return user


def result_json(course_id: int, line_item_id: int, result: Result) -> dict[str, Any]:
    line_item_url = urls.line_item(course_id, line_item_id)
    body = {
        "id": f"{line_item_url}/results/{result.id}",
        "scoreOf": line_item_url,
        "userId": result.user.lti_id,
        "resultScore": result.result_score,
        "resultMaximum": result.result_maximum,
        "comment": result.comment,
    }
    return {name: value for name, value in body.items() if value is not None}


@bp.get(LINE_ITEM_PATH + "/results")
@faulty("ags")
@requires_scope(RESULT_READ)
def list_results(course_id: int, line_item_id: int) -> Response:
    session = get_db()
    course = _course(session, course_id)
    line_item = _line_item(session, course, line_item_id)
    limit, page = page_params(request.args, default_limit=10, max_limit=50)
    query = (
        select(Result)
        .join(User, Result.user_id == User.id)
        .join(Enrollment, (Enrollment.user_id == User.id) & (Enrollment.course_id == course.id))
        .where(Result.line_item_id == line_item.id, Enrollment.type.in_(STUDENT_TYPES))
    )
    if "user_id" in request.args:
        query = query.where(User.lti_id == request.args["user_id"])
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    results = session.scalars(query.order_by(Result.id).offset((page - 1) * limit).limit(limit))
    response = _json(
        [result_json(course.id, line_item.id, r) for r in results], RESULT_CONTAINER_TYPE
    )
    filters = {"user_id": request.args["user_id"]} if "user_id" in request.args else {}
    base = f"{urls.line_item(course.id, line_item.id)}/results"
    response.headers["Link"] = link_header(base, filters, limit, page, total)
    return response


@bp.get(LINE_ITEM_PATH + "/results/<int:result_id>")
@faulty("ags")
@requires_scope(RESULT_READ)
def show_result(course_id: int, line_item_id: int, result_id: int) -> Response:
    session = get_db()
    course = _course(session, course_id)
    line_item = _line_item(session, course, line_item_id)
    result = session.get(Result, result_id)
    if result is None or result.line_item_id != line_item.id:
        raise ServiceError(404, "The specified resource does not exist.")
    return _json(result_json(course.id, line_item.id, result), RESULT_CONTAINER_TYPE)
