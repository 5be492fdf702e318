"""Pages a person uses.

Sign-in as a seeded user, course home with modules, tool launches in an iframe, gradebook and
SpeedGrader, and the admin page that installs a tool by dynamic registration.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, ParamSpec

from flask import (
    Blueprint,
    abort,
    current_app,
    g,
    redirect,
    render_template,
    request,
)
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.wrappers import Response as BaseResponse

from demo_canvas import ags, front, launches, registration, urls
from demo_canvas.auth import (
    create_session,
    current_user,
    set_session_cookie,
    user_by_login,
)
from demo_canvas.db import get_db
from demo_canvas.models import (
    Assignment,
    Course,
    DeveloperKey,
    Enrollment,
    Module,
    ModuleItem,
    Submission,
    SubmissionComment,
    User,
)
from demo_canvas.oidc import LaunchNotPossible, LoginInitiation, enrollment_for

bp = Blueprint("pages", __name__)
P = ParamSpec("P")
DEEP_LINKING_PLACEMENTS = ("link_selection", "assignment_selection")


@bp.before_request
def on_pages_origin() -> BaseResponse | None:
    """Pages live on the pages host only (an institution's domain, neither the issuer nor the
    login host), so the tool is a third-party iframe of a page on a host it was never told of."""
    if request.method == "GET" and urls.origin(request.host_url) != urls.origin(urls.pages_base()):
        return redirect(urls.pages_base() + request.full_path.rstrip("?"))
    return None


def signed_in(view: Callable[P, Any]) -> Callable[P, Any]:
    """Pages need a demo user; without one, go to the sign-in page."""

    @wraps(view)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> Any:
        user = current_user(get_db())
        if user is None:
            return redirect(urls.page("/"))
        g.demo_user = user
        return view(*args, **kwargs)

    return wrapper


def _user() -> User:
    user: User = g.demo_user
    return user


def _course_and_enrollment(course_id: int) -> tuple[Course, Enrollment]:
    session = get_db()
    course = session.get(Course, course_id)
    enrollment = enrollment_for(session, _user(), course_id) if course else None
    if course is None or enrollment is None:
        abort(404)
    return course, enrollment


def _instructor_course(course_id: int) -> Course:
    course, enrollment = _course_and_enrollment(course_id)
    if not enrollment.is_instructor:
        abort(403)
    return course


def _render(template: str, **context: Any) -> str:
    session = get_db()
    user = g.get("demo_user") or current_user(session)
    return render_template(
        template,
        user=user,
        users=front.switcher_users(session, user),
        roles=front.role_labels(session),
        **context,
    )


@bp.get("/")
def home() -> str:
    session = get_db()
    user = current_user(session)
    courses = []
    if user is not None:
        courses = list(
            session.scalars(
                select(Course)
                .join(Enrollment)
                .where(Enrollment.user_id == user.id)
                .order_by(Course.id)
            )
        )
    return _render(
        "demo_canvas/home.html",
        courses=courses,
        doors=front.doors(session),
        tours=current_app.config.get("DEMO_TOUR_LINKS") or {},
    )


@bp.post("/session")
def switch_user() -> BaseResponse:
    session = get_db()
    user = user_by_login(session, request.form.get("login_id", ""))
    if user is None:
        abort(400)
    token = create_session(session, user)
    session.commit()
    target = request.form.get("next", "")
    if not target.startswith(urls.PREFIX + "/") or target.startswith("//"):
        target = urls.PREFIX + "/"
    response = redirect(target)
    set_session_cookie(response, token)
    return response


@bp.get("/courses/<int:course_id>")
@signed_in
def course_home(course_id: int) -> str:
    session = get_db()
    course, enrollment = _course_and_enrollment(course_id)
    keys = [
        key
        for key in session.scalars(select(DeveloperKey).where(DeveloperKey.enabled.is_(True)))
        if key.deployments
    ]
    return _render(
        "demo_canvas/course.html",
        course=course,
        enrollment=enrollment,
        dl_keys=[k for k in keys if any(k.placement(p) for p in DEEP_LINKING_PLACEMENTS)],
        nav_keys=[k for k in keys if k.placement("course_navigation")],
    )


@bp.post("/courses/<int:course_id>/modules/items/<int:item_id>/publish")
@signed_in
def toggle_publish(course_id: int, item_id: int) -> BaseResponse:
    session = get_db()
    course = _instructor_course(course_id)
    item = _module_item(session, course, item_id)
    item.published = not item.published
    if item.assignment is not None:
        item.assignment.published = item.published
    session.commit()
    return redirect(urls.course_home(course.id) + f"#item-{item.id}")


def _module_item(session: Session, course: Course, item_id: int) -> ModuleItem:
    item = session.get(ModuleItem, item_id)
    if item is None or item.module.course_id != course.id:
        abort(404)
    return item


def _launch_page(title: str, course: Course, initiation: LoginInitiation) -> str:
    return _render(
        "demo_canvas/launch.html",
        title=title,
        course=course,
        initiation=initiation,
        forwarding_url=urls.post_message_forwarding(),
        tool_origin=urls.origin(initiation.action),
        demo_origin=urls.origin(urls.pages_base()),
    )


def _launch_or_409(start: Callable[[], LoginInitiation]) -> LoginInitiation:
    try:
        return start()
    except LaunchNotPossible as error:
        abort(409, str(error))


@bp.get("/courses/<int:course_id>/modules/items/<int:item_id>")
@signed_in
def module_item(course_id: int, item_id: int) -> str:
    session = get_db()
    course, enrollment = _course_and_enrollment(course_id)
    item = _module_item(session, course, item_id)
    if not item.published and not enrollment.is_instructor:
        abort(404)
    initiation = _launch_or_409(lambda: launches.item_launch(session, _user(), course, item))
    session.commit()
    return _launch_page(item.title, course, initiation)


@bp.post("/courses/<int:course_id>/modules/<int:module_id>/deep_link")
@signed_in
def deep_link(course_id: int, module_id: int) -> str:
    """Add items from a tool: link_selection, or assignment_selection for a new assignment.

    As in Canvas, the new assignment exists only once the tool returns an item (the "Save" of
    Canvas's assignment form): a picker opened and left creates nothing.
    """
    session = get_db()
    course = _instructor_course(course_id)
    module = session.get(Module, module_id)
    key = session.get(DeveloperKey, request.form.get("developer_key_id", type=int) or 0)
    placement = request.form.get("placement", "")
    if module is None or module.course_id != course.id or key is None:
        abort(404)
    if placement not in DEEP_LINKING_PLACEMENTS:
        abort(400)
    initiation = _launch_or_409(
        lambda: launches.deep_linking_launch(session, _user(), course, key, placement, module)
    )
    session.commit()
    return _launch_page(f"Add from {key.name}", course, initiation)


@bp.get("/courses/<int:course_id>/external_tools/<int:key_id>")
@signed_in
def course_navigation(course_id: int, key_id: int) -> str:
    session = get_db()
    course, _ = _course_and_enrollment(course_id)
    key = session.get(DeveloperKey, key_id)
    if key is None:
        abort(404)
    initiation = _launch_or_409(
        lambda: launches.course_navigation_launch(session, _user(), course, key)
    )
    session.commit()
    return _launch_page(key.name, course, initiation)


def _gradebook_rows(session: Session, course: Course, only: User | None) -> list[dict[str, Any]]:
    query = select(Enrollment).where(Enrollment.course_id == course.id).order_by(Enrollment.id)
    students = [
        e for e in session.scalars(query) if e.is_student and (only is None or e.user_id == only.id)
    ]
    submissions = {
        (s.assignment_id, s.user_id): s
        for s in session.scalars(
            select(Submission).join(Assignment).where(Assignment.course_id == course.id)
        )
    }
    return [{"enrollment": e, "submissions": submissions} for e in students]


def _assignments(session: Session, course: Course, instructor: bool) -> list[Assignment]:
    query = select(Assignment).where(
        Assignment.course_id == course.id, Assignment.deleted.is_(False)
    )
    if not instructor:
        query = query.where(Assignment.published.is_(True))
    return list(
        session.scalars(
            query.order_by(Assignment.due_at.is_(None), Assignment.due_at, Assignment.id)
        )
    )


@bp.get("/courses/<int:course_id>/gradebook")
@signed_in
def gradebook(course_id: int) -> str:
    """Instructors see every student; a student sees their own grades (Canvas's Grades page)."""
    session = get_db()
    course, enrollment = _course_and_enrollment(course_id)
    instructor = enrollment.is_instructor
    return _render(
        "demo_canvas/gradebook.html",
        course=course,
        enrollment=enrollment,
        assignments=_assignments(session, course, instructor),
        rows=_gradebook_rows(session, course, None if instructor else _user()),
    )


def _submission(
    session: Session, course: Course, assignment_id: int, student_id: int
) -> Submission:
    submission = session.scalar(
        select(Submission).where(
            Submission.assignment_id == assignment_id, Submission.user_id == student_id
        )
    )
    assignment = session.get(Assignment, assignment_id)
    if submission is None or assignment is None or assignment.course_id != course.id:
        abort(404)
    return submission


@bp.get("/courses/<int:course_id>/gradebook/speed_grader")
@signed_in
def speed_grader(course_id: int) -> str:
    """A submission and its comments; its tool URL launches as the grader, like SpeedGrader."""
    session = get_db()
    course = _instructor_course(course_id)
    submission = _submission(
        session,
        course,
        request.args.get("assignment_id", 0, type=int),
        request.args.get("student_id", 0, type=int),
    )
    initiation = None
    if submission.submission_data:
        initiation = _launch_or_409(
            lambda: launches.submission_launch(session, _user(), course, submission)
        )
    session.commit()
    return _render(
        "demo_canvas/speed_grader.html",
        course=course,
        submission=submission,
        assignment=session.get_one(Assignment, submission.assignment_id),
        authors={u.id: u for u in session.scalars(select(User))},
        initiation=initiation,
        forwarding_url=urls.post_message_forwarding(),
        tool_origin=urls.origin(initiation.action) if initiation else "",
        demo_origin=urls.origin(urls.pages_base()),
    )


@bp.post("/courses/<int:course_id>/gradebook/speed_grader")
@signed_in
def grade_by_hand(course_id: int) -> BaseResponse:
    """A person's grade or comment; a hand-entered grade is what ``prioritize_non_tool_grade``
    keeps.
    """
    session = get_db()
    course = _instructor_course(course_id)
    assignment_id = request.form.get("assignment_id", 0, type=int)
    student_id = request.form.get("student_id", 0, type=int)
    submission = _submission(session, course, assignment_id, student_id)
    score = request.form.get("score", "").strip()
    if score:
        try:
            ags.record_hand_grade(session, submission, float(score))
        except ValueError:
            abort(400)
    comment = request.form.get("comment", "").strip()
    if comment:
        session.add(
            SubmissionComment(submission_id=submission.id, author_id=_user().id, comment=comment)
        )
    session.commit()
    return redirect(
        urls.page(
            f"/courses/{course.id}/gradebook/speed_grader",
            assignment_id=assignment_id,
            student_id=student_id,
        )
    )


def _admin() -> User:
    if not _user().is_admin:
        abort(403)
    return _user()


@bp.get("/admin")
@signed_in
def admin() -> str:
    _admin()
    session = get_db()
    return _render(
        "demo_canvas/admin.html",
        keys=list(session.scalars(select(DeveloperKey).order_by(DeveloperKey.id))),
        default_registration_url=current_app.config.get("DEMO_CANVAS_REGISTRATION_URL", ""),
        registered=request.args.get("registered") == "1",
    )


@bp.get("/admin/dynamic_registration")
@signed_in
def dynamic_registration() -> str:
    """Load the tool's registration URL in an iframe with Canvas's ``openid_configuration`` and
    token.
    """
    admin_user = _admin()
    tool_url = request.args.get("url", "").strip()
    if not tool_url.startswith(("http://", "https://")):
        abort(400)
    session = get_db()
    token = registration.registration_token(session, admin_user.id)
    session.commit()
    return _render(
        "demo_canvas/dynamic_registration.html",
        frame_url=registration.registration_launch_url(tool_url, token),
        tool_origin=urls.origin(tool_url),
        done_url=urls.page("/admin", registered=1),
    )
