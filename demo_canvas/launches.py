"""Where launches start: module items, deep-linking placements, course navigation, SpeedGrader.

Also the helpers tests use to launch as a seeded user over real HTTP.
"""

from __future__ import annotations

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from demo_canvas import deep_linking
from demo_canvas.auth import COOKIE_NAME, create_session, user_by_login
from demo_canvas.claims import DEEP_LINKING_REQUEST, RESOURCE_LINK_REQUEST, LaunchSpec
from demo_canvas.db import demo_session
from demo_canvas.models import (
    Assignment,
    Course,
    DeveloperKey,
    Module,
    ModuleItem,
    ResourceLink,
    Submission,
    User,
)
from demo_canvas.oidc import (
    LaunchNotPossible,
    LoginInitiation,
    deployment_for,
    start_launch,
)


def _deployment_id(session: Session, key: DeveloperKey) -> str:
    deployment = deployment_for(session, key)
    if deployment is None or not key.enabled:
        raise LaunchNotPossible("the tool is not installed")
    return deployment.deployment_id


def item_launch(session: Session, user: User, course: Course, item: ModuleItem) -> LoginInitiation:
    """A student or teacher opening a module item (placement claim null, as for assignments)."""
    link = item.resource_link
    return _link_launch(session, user, course, link, link.url, item.assignment, item)


def _link_launch(
    session: Session,
    user: User,
    course: Course,
    link: ResourceLink,
    target_link_uri: str,
    assignment: Assignment | None,
    module_item: ModuleItem | None = None,
) -> LoginInitiation:
    """A resource-link launch of ``link`` (a module item, or SpeedGrader's submission URL)."""
    spec = LaunchSpec(
        user=user,
        course=course,
        developer_key=link.developer_key,
        deployment_id=_deployment_id(session, link.developer_key),
        message_type=RESOURCE_LINK_REQUEST,
        target_link_uri=target_link_uri,
        resource_link=link,
        assignment=assignment,
        module_item=module_item,
    )
    return start_launch(session, spec)


def deep_linking_launch(
    session: Session,
    user: User,
    course: Course,
    key: DeveloperKey,
    placement: str,
    module: Module,
    assignment: Assignment | None = None,
) -> LoginInitiation:
    """A link_selection or assignment_selection launch; items come back to ``module``."""
    config = key.placement(placement)
    if config is None or config.get("message_type") != DEEP_LINKING_REQUEST:
        raise LaunchNotPossible(f"the tool has no deep-linking {placement} placement")
    spec = LaunchSpec(
        user=user,
        course=course,
        developer_key=key,
        deployment_id=_deployment_id(session, key),
        message_type=DEEP_LINKING_REQUEST,
        target_link_uri=str(config.get("target_link_uri") or key.target_link_uri),
        placement=placement,
        assignment=assignment,
        deep_link_return_url=deep_linking.return_url(
            session,
            course=course,
            key=key,
            placement=placement,
            module_id=module.id,
            assignment_id=assignment.id if assignment else None,
        ),
    )
    return start_launch(session, spec)


def course_navigation_launch(
    session: Session, user: User, course: Course, key: DeveloperKey
) -> LoginInitiation:
    """Course navigation: the resource link id is the course's opaque id."""
    config = key.placement("course_navigation")
    if config is None:
        raise LaunchNotPossible("the tool has no course_navigation placement")
    spec = LaunchSpec(
        user=user,
        course=course,
        developer_key=key,
        deployment_id=_deployment_id(session, key),
        message_type=RESOURCE_LINK_REQUEST,
        target_link_uri=str(config.get("target_link_uri") or key.target_link_uri),
        placement="course_navigation",
    )
    return start_launch(session, spec)


def submission_launch(
    session: Session, grader: User, course: Course, submission: Submission
) -> LoginInitiation:
    """SpeedGrader: the submission's ``basic_lti_launch`` URL launched as the grader, on the
    assignment's link.
    """
    assignment = session.get_one(Assignment, submission.assignment_id)
    link = assignment.resource_link
    if link is None or not submission.submission_data:
        raise LaunchNotPossible("the submission has no tool URL")
    return _link_launch(session, grader, course, link, submission.submission_data, assignment)


def find_module_item(session: Session, course_code: str, title: str) -> tuple[Course, ModuleItem]:
    course = session.scalars(select(Course).where(Course.course_code == course_code)).one()
    item = session.scalars(
        select(ModuleItem)
        .join(Module, ModuleItem.module_id == Module.id)
        .where(Module.course_id == course.id, ModuleItem.title == title)
    ).one()
    return course, item


def login_initiation_for(
    app: Flask, login_id: str, course_code: str, item_title: str
) -> LoginInitiation:
    """The login-initiation form (action URL and fields) for a seeded user opening a module item.

    Post ``fields`` to ``action`` with any HTTP client; the demo's ``authorize`` step also needs
    that user's session cookie on the demo origin (see :func:`session_cookie_for`).
    """
    with app.app_context(), demo_session(app) as session:
        user = user_by_login(session, login_id)
        if user is None:
            raise LookupError(f"no demo user {login_id!r}")
        course, item = find_module_item(session, course_code, item_title)
        return item_launch(session, user, course, item)


def session_cookie_for(app: Flask, login_id: str) -> tuple[str, str]:
    """``(cookie name, value)`` of a new demo session for a seeded user (the cookie's path is
    ``/demo``).
    """
    with app.app_context(), demo_session(app) as session:
        user = user_by_login(session, login_id)
        if user is None:
            raise LookupError(f"no demo user {login_id!r}")
        return COOKIE_NAME, create_session(session, user)
