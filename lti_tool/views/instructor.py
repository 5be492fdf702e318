"""Pages for course instructors (Canvas Teachers, TAs and Designers): the workspace, the
feedback queue, reviewing and grading, editing prompts, and placing prompts by deep linking.

Every record is looked up within the launch's course, so another course's ids answer 404.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, abort, current_app, redirect, render_template, request

from lti_tool.auth import attach_fresh_token, current_launch, launch_required, token_url
from lti_tool.db import get_session, parse_int, utcnow
from lti_tool.lti import canvas
from lti_tool.lti.deep_linking import GradedLink, deep_link_response
from lti_tool.lti.launch import LaunchError
from lti_tool.models import AuditAction, GradingType, Prompt, Reflection
from lti_tool.services.audit import AuditLog
from lti_tool.services.feedback import FeedbackService, MessageInvalid
from lti_tool.services.grade_sync import GradeSync
from lti_tool.services.grading import GradeInput, GradeInvalid, GradeStale, GradingService
from lti_tool.services.programs import Program, ProgramService, all_programs, get_program
from lti_tool.services.prompts import (
    CUSTOM_PROMPT_ID,
    PromptInput,
    PromptInvalid,
    PromptService,
    input_from_bank,
    rubric_text,
)
from lti_tool.services.records import RecordsService, completion_csv
from lti_tool.services.reflections import ReflectionService
from lti_tool.services.workspace import Status, WorkspaceService, status_of
from lti_tool.views import text
from lti_tool.views.scope import actor, course_prompt, member

bp = Blueprint("instructor", __name__, url_prefix="/instructor")
bp.after_request(attach_fresh_token)
text.register(bp)

QUEUE_PREVIEW = 5
NOTICES = {
    "program": "The course program is set.",
    "commented": "Your feedback is posted to the participant.",
    "graded": "The grade is saved and queued for the Canvas gradebook.",
    "prompt": "This course's copy of the prompt is updated. The program's bank is unchanged.",
}


def _base_url() -> str:
    url: str = current_app.config["LTI_TOOL_BASE_URL"]
    return url


def _reflection(reflection_id: int) -> Reflection:
    reflection = get_session().get(Reflection, reflection_id)
    if reflection is None or reflection.course_id != member().course.id:
        abort(404)
    return reflection


def _audit(action: AuditAction, reflection: Reflection, detail: str = "") -> None:
    """Record that the signed-in instructor read or changed this reflection's records."""
    scope = member()
    AuditLog(get_session()).record(
        action,
        actor(),
        course_id=scope.course.id,
        subject_type="reflection",
        subject_id=reflection.id,
        detail=detail,
    )


def _notice() -> str | None:
    return NOTICES.get(request.args.get("notice", ""))


@bp.get("/")
@launch_required("instructor")
def home() -> Any:
    """Where a launch lands: SpeedGrader's `review=<id>`, the linked prompt, or the workspace."""
    launch, scope, session = current_launch(), member(), get_session()
    if "review" in request.args:
        reflection_id = parse_int(request.args["review"])
        if reflection_id is None:
            abort(404)
        reflection = _reflection(reflection_id)
        return redirect(token_url("instructor.review", reflection_id=reflection.id), 303)
    ProgramService(session).adopt_from_custom(scope.course, launch.custom)
    prompts = PromptService(session)
    prompt = prompts.resolve_launch(
        scope.course, launch.resource_link_id, launch.custom, lineitem_url=launch.lineitem_url
    )
    if prompt is not None:
        prompts.note_due_at(prompt, canvas.due_at(launch.custom))
    session.commit()
    if prompt is None:
        return _workspace_page()
    return _prompt_page(prompt)


@bp.get("/workspace")
@launch_required("instructor")
def workspace() -> Any:
    return _workspace_page()


def _workspace_page() -> Any:
    scope, session = member(), get_session()
    program = get_program(scope.course.program_key or "")
    if program is None:
        return _choose_program_page("workspace")
    service = WorkspaceService(session)
    return render_template(
        "instructor/workspace.html",
        course=scope.course,
        program=program,
        capacity=ProgramService(session).capacity(scope.course, program),
        prompts=PromptService(session).for_course(scope.course),
        summary=service.summary(scope.course),
        queue=service.queue(scope.course, scope.person, limit=QUEUE_PREVIEW + 1),
        queue_preview=QUEUE_PREVIEW,
        statuses=list(Status),
        notice=_notice(),
    )


def _choose_program_page(next_page: str, status: int = 200) -> Any:
    scope = member()
    participants = {
        program.key: ProgramService(get_session()).capacity(scope.course, program)
        for program in all_programs()
    }
    return render_template(
        "instructor/program.html",
        course=scope.course,
        programs=all_programs(),
        capacities=participants,
        next_page=next_page,
        error=status != 200,
    ), status


@bp.post("/program")
@launch_required("instructor")
def choose_program() -> Any:
    next_page = "deep_link" if request.form.get("next") == "deep_link" else "workspace"
    try:
        ProgramService(get_session()).choose(member().course, request.form.get("program", ""))
    except ValueError:
        return _choose_program_page(next_page, 422)
    get_session().commit()
    return redirect(token_url(f"instructor.{next_page}", notice="program"), 303)


@bp.get("/queue")
@launch_required("instructor")
def queue() -> Any:
    scope = member()
    items = WorkspaceService(get_session()).queue(scope.course, scope.person)
    return render_template("instructor/queue.html", course=scope.course, items=items)


@bp.get("/prompts/<int:prompt_id>")
@launch_required("instructor")
def prompt_page(prompt_id: int) -> Any:
    return _prompt_page(course_prompt(prompt_id))


def _prompt_page(prompt: Prompt) -> str:
    scope = member()
    rows = WorkspaceService(get_session()).prompt_rows(scope.course, prompt, scope.person)
    counts = {status: sum(1 for row in rows if row.status == status) for status in Status}
    return render_template(
        "instructor/prompt.html",
        course=scope.course,
        prompt=prompt,
        rows=rows,
        counts=counts,
        notice=_notice(),
    )


@bp.route("/prompts/<int:prompt_id>/edit", methods=["GET", "POST"])
@launch_required("instructor")
def edit_prompt(prompt_id: int) -> Any:
    prompt = course_prompt(prompt_id)
    if request.method == "GET":
        return _prompt_form(prompt, _input_from_prompt(prompt))
    data = _prompt_input(request.form, outline=tuple(prompt.outline))
    try:
        PromptService(get_session()).update(prompt, data)
    except PromptInvalid as invalid:
        get_session().rollback()
        return _prompt_form(prompt, data, invalid.errors), 422
    AuditLog(get_session()).record(
        AuditAction.PROMPT_EDITED,
        actor(),
        course_id=member().course.id,
        subject_type="prompt",
        subject_id=prompt.id,
    )
    get_session().commit()
    return redirect(token_url("instructor.prompt_page", prompt_id=prompt.id, notice="prompt"), 303)


def _prompt_form(prompt: Prompt, data: PromptInput, errors: dict[str, str] | None = None) -> str:
    return render_template(
        "instructor/prompt_edit.html",
        course=member().course,
        prompt=prompt,
        data=data,
        errors=errors or {},
        grading_types=list(GradingType),
    )


def _input_from_prompt(prompt: Prompt) -> PromptInput:
    return PromptInput(
        title=prompt.title,
        body=prompt.body,
        guidance=prompt.guidance,
        word_target=str(prompt.word_target or ""),
        word_limit=str(prompt.word_limit or ""),
        points=f"{prompt.points_possible:g}",
        grading_type=prompt.grading_type,
        rubric=rubric_text(prompt.rubric),
        outline=tuple(prompt.outline),
    )


def _prompt_input(form: Any, *, outline: tuple[str, ...] = ()) -> PromptInput:
    return PromptInput(
        title=form.get("title", ""),
        body=form.get("body", ""),
        guidance=form.get("guidance", ""),
        word_target=form.get("word_target", ""),
        word_limit=form.get("word_limit", ""),
        points=form.get("points", ""),
        grading_type=form.get("grading_type", GradingType.POINTS),
        rubric=form.get("rubric", ""),
        outline=outline,
    )


@bp.get("/reflections/<int:reflection_id>")
@launch_required("instructor")
def review(reflection_id: int) -> Any:
    reflection = _reflection(reflection_id)
    page = _review_page(reflection, notice=_notice())
    FeedbackService(get_session()).mark_read(reflection, member().person)
    _audit(AuditAction.REFLECTION_VIEWED, reflection, f"version {reflection.version_count}")
    get_session().commit()
    return page


def _review_page(
    reflection: Reflection,
    *,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    form: dict[str, Any] | None = None,
) -> str:
    scope, session = member(), get_session()
    feedback = FeedbackService(session)
    grading = GradingService(session, GradeSync(session), _base_url())
    grade = grading.current(reflection)
    return render_template(
        "instructor/review.html",
        course=scope.course,
        reflection=reflection,
        prompt=reflection.prompt,
        participant=reflection.person,
        versions=ReflectionService(session, GradeSync(session), _base_url()).versions(reflection),
        thread=feedback.thread(reflection),
        unread=feedback.unread_counts(scope.person, scope.course, [reflection.id]).get(
            reflection.id, 0
        ),
        grade=grade,
        status=status_of(reflection, grade.version_number if grade else None),
        notice=notice,
        errors=errors or {},
        form=form or {},
    )


@bp.post("/reflections/<int:reflection_id>/comments")
@launch_required("instructor")
def comment(reflection_id: int) -> Any:
    reflection, session = _reflection(reflection_id), get_session()
    try:
        message = FeedbackService(session).comment(
            reflection,
            member().person,
            body=request.form.get("body", ""),
            version_number=parse_int(request.form.get("version")) or 0,
            quote=request.form.get("quote", ""),
            asks_reply=request.form.get("asks_reply") == "1",
            now=utcnow(),
        )
    except MessageInvalid as invalid:
        session.rollback()
        return _review_page(reflection, errors=invalid.errors, form=request.form.to_dict()), 422
    _audit(
        AuditAction.FEEDBACK_POSTED,
        reflection,
        f"message {message.id} on version {message.version_number}",
    )
    session.commit()
    return redirect(
        token_url("instructor.review", reflection_id=reflection.id, notice="commented") + "#thread",
        303,
    )


@bp.post("/reflections/<int:reflection_id>/grade")
@launch_required("instructor")
def grade(reflection_id: int) -> Any:
    reflection, session = _reflection(reflection_id), get_session()
    form = request.form
    data = GradeInput(
        points=form.get("points", ""),
        rubric={
            key.removeprefix("rubric-"): v for key, v in form.items() if key.startswith("rubric-")
        },
        complete=form.get("complete", ""),
        comment=form.get("comment", ""),
        send_comment=form.get("send_comment") == "1",
        override_manual=form.get("override_manual") == "1",
        seen_version=parse_int(form.get("version")),
    )
    try:
        saved = GradingService(session, GradeSync(session), _base_url()).grade(
            course=member().course,
            prompt=reflection.prompt,
            reflection=reflection,
            grader=member().person,
            data=data,
            now=utcnow(),
        )
    except GradeInvalid as invalid:
        session.rollback()
        status = 409 if isinstance(invalid, GradeStale) else 422
        return _review_page(reflection, errors=invalid.errors, form=form.to_dict()), status
    _audit(AuditAction.GRADE_SAVED, reflection, f"version {saved.version_number}")
    session.commit()
    return redirect(
        token_url("instructor.review", reflection_id=reflection.id, notice="graded") + "#grade",
        303,
    )


@bp.get("/activity")
@launch_required("instructor")
def activity() -> Any:
    """The course's audit log, newest first: who read or changed reflections, feedback and
    grades, and who exported or deleted records."""
    scope = member()
    number = parse_int(request.args.get("page")) or 1
    page = AuditLog(get_session()).course_page(scope.course.id, number)
    return render_template("instructor/activity.html", course=scope.course, page=page)


@bp.get("/completion.csv")
@launch_required("instructor")
def completion_report() -> Response:
    """The cohort's completion report, for certificates; downloading it is itself recorded."""
    scope, session = member(), get_session()
    report = completion_csv(RecordsService(session).course_records(scope.course))
    AuditLog(session).record(
        AuditAction.REPORT_DOWNLOADED,
        actor(),
        course_id=scope.course.id,
        subject_type="course",
        subject_id=scope.course.id,
    )
    session.commit()
    filename = f"completion-course-{scope.course.id}.csv"
    return Response(
        report,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@bp.get("/deep-link")
@launch_required("instructor")
def deep_link() -> Any:
    """Placing a prompt (link_selection, assignment_selection): pick from the bank or write."""
    _require_deep_linking()
    program = get_program(member().course.program_key or "")
    if program is None:
        return _choose_program_page("deep_link")
    return _deep_link_form(program, {}, {})


def _require_deep_linking() -> None:
    if not current_launch().is_deep_linking:
        raise LaunchError(
            "This page was not opened for placing content",
            "Start again from Canvas: Add item > External tool, or an assignment's Find button.",
        )


def _deep_link_form(program: Program, form: dict[str, str], errors: dict[str, str]) -> str:
    return render_template(
        "instructor/deep_link.html",
        course=member().course,
        launch=current_launch(),
        program=program,
        form=form,
        errors=errors,
        grading_types=list(GradingType),
    )


@bp.post("/deep-link")
@launch_required("instructor")
def place() -> Any:
    """Create the course's copy of the chosen prompt and answer Canvas with a signed link."""
    _require_deep_linking()
    scope, session, launch = member(), get_session(), current_launch()
    program = get_program(scope.course.program_key or "")
    if program is None:
        return _choose_program_page("deep_link", 422)
    form = request.form.to_dict()
    data, bank_key, errors = _placement_input(program, form)
    if not errors:
        try:
            prompt = PromptService(session).create(scope.course, data, bank_key=bank_key)
        except PromptInvalid as invalid:
            errors = invalid.errors
    if errors:
        session.rollback()
        return _deep_link_form(program, form, errors), 422
    link = GradedLink(
        url=_base_url() + "/lti/launch",
        title=prompt.title,
        text=prompt.body,
        score_maximum=prompt.points_possible,
        resource_id=prompt.resource_id,
        tag="reflection",
        custom={CUSTOM_PROMPT_ID: str(prompt.id), "program": program.key},
    )
    tool_conf = current_app.extensions["lti_gateway_factory"]().tool_conf
    response = deep_link_response(tool_conf, launch, [link])
    session.commit()
    return render_template(
        "instructor/deep_link_return.html", response=response, prompt=prompt, course=scope.course
    )


def _placement_input(
    program: Program, form: dict[str, str]
) -> tuple[PromptInput, str | None, dict[str, str]]:
    """The prompt to create: a bank prompt with the instructor's overrides, or their own."""
    source = form.get("source", "")
    if source == "own":
        base = PromptInput(title="", body="", points="10")
        bank_key = None
    else:
        bank = program.prompt(source)
        if bank is None:
            return PromptInput(title="", body=""), None, {"source": "Choose a prompt or write one."}
        base, bank_key = input_from_bank(bank), bank.key
    own = source == "own"
    data = PromptInput(
        title=(form.get("title", "") if own else "") or base.title,
        body=(form.get("body", "") if own else "") or base.body,
        guidance=(form.get("guidance", "") if own else "") or base.guidance,
        word_target=form.get("word_target", "").strip() or base.word_target,
        word_limit=form.get("word_limit", "").strip() or base.word_limit,
        points=form.get("points", "").strip() or base.points,
        grading_type=form.get("grading_type", "") or base.grading_type,
        rubric=form.get("rubric", "").strip() or base.rubric,
        outline=base.outline,
    )
    return data, bank_key, {}
