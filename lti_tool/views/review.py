"""The instructor's review screens: one participant's reflection with one form for feedback,
grade and "reply requested", moving through a list without going back to it; the participant x
week matrix; the course's comment bank.

The list a review was opened from (queue or a prompt's table, with its filter, sort and search)
travels in the URL, so "save and next" and the previous/next links follow it with no state kept
between requests.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, abort, redirect, render_template, request
from werkzeug.datastructures import MultiDict

from lti_tool.auth import attach_fresh_token, launch_required, token_url
from lti_tool.db import parse_int, utcnow
from lti_tool.models import Reflection
from lti_tool.services import grade_status
from lti_tool.services.cohort import CohortService, ListQuery, Neighbours
from lti_tool.services.comment_bank import BankCommentInvalid, CommentBank
from lti_tool.services.diffs import word_diff
from lti_tool.services.grading import GradeInput, subject_key
from lti_tool.services.review import ReviewInput, ReviewInvalid, ReviewService
from lti_tool.services.workspace import status_of
from lti_tool.views import text
from lti_tool.views.canvas_grades import read_canvas_grades
from lti_tool.views.scope import actor, member
from lti_tool.web import get_session, services

bp = Blueprint("review", __name__, url_prefix="/instructor")
bp.after_request(attach_fresh_token)
text.register(bp)

NOTICES = {
    "saved": "Your review is saved.",
    "saved-next": "Your review is saved. This is the next participant in your list.",
    "skipped": "Nothing was typed, so nothing was saved. This is the next participant.",
    "banked": "The comment is in the course's comment bank.",
    "unbanked": "The comment is removed from the bank.",
}


def _reflection(reflection_id: int) -> Reflection:
    reflection = get_session().get(Reflection, reflection_id)
    if reflection is None or reflection.course_id != member().course.id:
        abort(404)
    return reflection


def _neighbours(query: ListQuery, reflection: Reflection) -> Neighbours:
    scope = member()
    cohort = CohortService(get_session())
    return cohort.neighbours(cohort.entries(scope.course, scope.person, query), reflection.id)


def review_url(reflection_id: int, query: ListQuery, **extra: str) -> str:
    """A review page, keeping the list it was opened from."""
    return token_url("review.review", reflection_id=reflection_id, **query.params(), **extra)


def list_url(query: ListQuery, **extra: str) -> str:
    """The list itself (the queue or the prompt's table), as filtered."""
    params = {**query.params(), **extra}
    params.pop("list")
    if query.prompt_id is None:
        return token_url("instructor.queue", **params)
    return token_url("instructor.prompt_page", prompt_id=query.prompt_id, **params)


@bp.app_context_processor
def _list_links() -> dict[str, Any]:
    return {"review_url": review_url, "list_url": list_url}


@bp.route("/reflections/<int:reflection_id>", methods=["GET", "POST"])
@launch_required("instructor")
def review(reflection_id: int) -> Any:
    """One rule for both methods: Werkzeug answers 405, not 404, for an out-of-range id when
    the methods are split over two rules."""
    if request.method == "POST":
        return _save(reflection_id)
    reflection = _reflection(reflection_id)
    read_canvas_grades(member().course, {subject_key(reflection.prompt)})
    query = ListQuery.from_review_args(request.args)
    html = _page(reflection, query, notice=NOTICES.get(request.args.get("notice", "")))
    services().feedback.mark_read(reflection, member().person)
    services().reflections.note_viewed(reflection, actor())
    get_session().commit()
    return html


def _page(
    reflection: Reflection,
    query: ListQuery,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    form: MultiDict[str, str] | None = None,
    seen_version: int | None = None,
) -> str:
    scope, session = member(), get_session()
    feedback = services().feedback
    grade = services().grading.current(reflection)
    versions = services().reflections.versions(reflection)
    since = _since(versions[0].number if versions else 0, request.args.get("since"))
    earlier = next((v for v in versions if v.number == since), None)
    thread = feedback.thread(reflection)
    canvas_row = grade_status.row_for(
        session, scope.course.id, reflection.person_id, subject_key(reflection.prompt)
    )
    return render_template(
        "instructor/review.html",
        course=scope.course,
        reflection=reflection,
        prompt=reflection.prompt,
        participant=reflection.person,
        versions=versions,
        earlier=earlier,
        diff=word_diff(earlier.text, versions[0].text) if earlier else None,
        earlier_feedback=[m for m in thread if earlier and m.version_number == earlier.number],
        thread=thread,
        unread=feedback.unread_counts(scope.person, scope.course, [reflection.id]).get(
            reflection.id, 0
        ),
        grade=grade,
        prefill=grade if grade and grade.version_number == reflection.version_count else None,
        canvas_row=canvas_row,
        status=status_of(
            reflection,
            grade.version_number if grade else None,
            graded_in_canvas=canvas_row is not None and canvas_row.canvas_points is not None,
        ),
        bank=CommentBank(session).for_prompt(scope.course, reflection.prompt),
        query=query,
        around=_neighbours(query, reflection),
        notice=notice,
        errors=errors or {},
        form=form or MultiDict(),
        seen_version=seen_version or reflection.version_count,
    )


def _since(latest: int, raw: str | None) -> int | None:
    """The earlier version the changes are shown against: the one asked for, else the one
    before the latest; None for a first version."""
    wanted = parse_int(raw)
    if wanted is not None and 1 <= wanted < latest:
        return wanted
    return latest - 1 if latest > 1 else None


def _save(reflection_id: int) -> Any:
    """Save everything typed in one transaction, then stay or open the next in the list."""
    reflection, session, scope = _reflection(reflection_id), get_session(), member()
    form = request.form
    query = ListQuery.from_review_args(form)
    around = _neighbours(query, reflection)
    data = review_input(form)
    going_on = form.get("then") == "next"
    if data.is_empty and going_on:
        return _go_on(around, query, "skipped")
    try:
        if data.is_empty:
            raise ReviewInvalid({"feedback": "Write feedback or enter a grade, then save."})
        reviews = ReviewService(services().feedback, services().grading, CommentBank(session))
        reviews.save(scope.course, reflection, scope.person, actor(), data, now=utcnow())
    except ReviewInvalid as invalid:
        session.rollback()
        seen = None if invalid.stale else parse_int(form.get("seen_version"))
        html = _page(reflection, query, errors=invalid.errors, form=form, seen_version=seen)
        return html, 409 if invalid.stale else 422
    session.commit()
    if going_on:
        return _go_on(around, query, "saved-next")
    return redirect(review_url(reflection.id, query, notice="saved"), 303)


def _go_on(around: Neighbours, query: ListQuery, notice: str) -> Any:
    following = around.next.reflection if around.next else None
    if following is None:
        return redirect(list_url(query, notice="list-done"), 303)
    return redirect(review_url(following.id, query, notice=notice), 303)


def review_input(form: MultiDict[str, str]) -> ReviewInput:
    """The review form's fields, as typed."""
    return ReviewInput(
        feedback=form.get("feedback", ""),
        quote=form.get("quote", ""),
        version=parse_int(form.get("version")),
        asks_reply=form.get("asks_reply") == "1",
        grade=GradeInput(
            points=form.get("points", ""),
            rubric={
                key.removeprefix("rubric-"): value
                for key, value in form.items()
                if key.startswith("rubric-")
            },
            complete=form.get("complete", ""),
            comment=form.get("comment", ""),
            send_comment=form.get("send_comment") == "1",
            override_manual=form.get("override_manual") == "1",
            seen_version=parse_int(form.get("seen_version")),
        ),
        bank_theme=form.get("bank_theme", ""),
        save_to_bank=form.get("save_to_bank") == "1",
    )


@bp.get("/matrix")
@launch_required("instructor")
def matrix() -> Any:
    """Every participant x every prompt, by week: status in each cell, a cell opens the review."""
    scope = member()
    return render_template(
        "instructor/matrix.html",
        course=scope.course,
        matrix=CohortService(get_session()).matrix(scope.course, scope.person),
        everyone=ListQuery.everyone,
    )


@bp.get("/comment-bank")
@launch_required("instructor")
def bank() -> Any:
    return _bank_page(notice=NOTICES.get(request.args.get("notice", "")))


def _bank_page(
    *, notice: str | None = None, errors: dict[str, str] | None = None, form: Any = None
) -> str:
    scope, session = member(), get_session()
    prompts = services().prompts.for_course(scope.course)
    return render_template(
        "instructor/comment_bank.html",
        course=scope.course,
        comments=CommentBank(session).for_prompt(scope.course, None),
        prompts=prompts,
        prompt_titles={prompt.id: prompt.title for prompt in prompts},
        notice=notice,
        errors=errors or {},
        form=form or {},
    )


@bp.post("/comment-bank")
@launch_required("instructor")
def add_to_bank() -> Any:
    scope, session = member(), get_session()
    prompt_id = parse_int(request.form.get("prompt"))
    prompt = services().prompts.get(scope.course, prompt_id) if prompt_id else None
    try:
        CommentBank(session).add(
            scope.course,
            scope.person,
            body=request.form.get("body", ""),
            theme=request.form.get("theme", ""),
            prompt=prompt,
            now=utcnow(),
        )
    except BankCommentInvalid as invalid:
        session.rollback()
        return _bank_page(errors=invalid.errors, form=request.form), 422
    session.commit()
    return redirect(token_url("review.bank", notice="banked"), 303)


@bp.post("/comment-bank/<int:comment_id>/delete")
@launch_required("instructor")
def remove_from_bank(comment_id: int) -> Any:
    scope, session = member(), get_session()
    bank_ = CommentBank(session)
    comment = bank_.get(scope.course, comment_id)
    if comment is None:
        abort(404)
    bank_.remove(comment)
    session.commit()
    return redirect(token_url("review.bank", notice="unbanked"), 303)
