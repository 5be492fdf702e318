"""Pages for course participants (Canvas Learners): writing, submitting, reading feedback.

Every page works on the signed-in participant's own reflection, found by prompt; no route takes
a reflection id, so there is nothing to guess.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, abort, jsonify, redirect, render_template, request

from lti_tool.auth import attach_fresh_token, current_launch, launch_required, token_url
from lti_tool.db import parse_int, utcnow
from lti_tool.lti.canvas.custom import course_start
from lti_tool.lti.canvas.review import REVIEW_PARAM
from lti_tool.models import Prompt, Reflection
from lti_tool.services import grade_status
from lti_tool.services.feedback import MessageInvalid
from lti_tool.services.grading import subject_key
from lti_tool.services.orientation import Orientation, orient
from lti_tool.services.programs import get_program
from lti_tool.services.reflections import (
    MAX_CHARS,
    ReflectionService,
    StaleRevision,
    SubmissionRefused,
    TextTooLong,
    due_date,
    is_late,
)
from lti_tool.services.sections import compose, split, word_count, written_words
from lti_tool.services.workspace import OwnItem
from lti_tool.views import text
from lti_tool.views.scope import actor, member, visible_prompt
from lti_tool.web import get_session, services

bp = Blueprint("participant", __name__, url_prefix="/participant")
bp.after_request(attach_fresh_token)
text.register(bp)

NOTICES = {
    "submitted": "Your reflection is submitted. Your instructor will see it in their queue.",
    "unchanged": "Nothing changed since your last submitted version, so no new version was made.",
    "saved": "Your draft is saved.",
    "replied": "Your reply is sent to your instructors.",
}


def _reflections() -> ReflectionService:
    return services().reflections


@bp.get("/")
@launch_required("participant")
def home() -> Any:
    """Where a launch lands: the linked prompt's page, or the list of the course's reflections.
    SpeedGrader's `review=<id>` shows the participant only their own reflection. Read only: the
    launch itself opened the reflection and noted its due date."""
    launch, scope = current_launch(), member()
    if REVIEW_PARAM in request.args:
        reflection = _own_reflection(request.args[REVIEW_PARAM])
        return redirect(token_url("participant.write", prompt_id=reflection.prompt_id), 303)
    prompt = services().prompts.linked(scope.course, launch.resource_link_id)
    if prompt is None:
        return _overview_page()
    return _show_write_page(prompt, _reflections().open(prompt, scope.person))


def _own_reflection(raw_id: str) -> Reflection:
    scope = member()
    reflection_id = parse_int(raw_id)
    reflection = get_session().get(Reflection, reflection_id) if reflection_id is not None else None
    if (
        reflection is None
        or reflection.course_id != scope.course.id
        or reflection.person_id != scope.person.id
    ):
        abort(404)
    return reflection


@bp.get("/reflections")
@launch_required("participant")
def overview() -> Any:
    return _overview_page()


def _overview_page() -> str:
    scope = member()
    items = services().workspace.own_items(scope.course, scope.person)
    return render_template(
        "participant/overview.html",
        items=items,
        orientation=_orientation(items),
        now=utcnow(),
        unread_total=sum(item.unread for item in items),
        course=scope.course,
    )


def _orientation(items: list[OwnItem]) -> Orientation:
    course = member().course
    return orient(
        course.title,
        get_program(course.program_key or ""),
        items,
        utcnow(),
        course_start(current_launch().custom),
    )


@bp.get("/prompts/<int:prompt_id>")
@launch_required("participant")
def write(prompt_id: int) -> Any:
    prompt = visible_prompt(prompt_id)
    return _show_write_page(prompt, _reflections().open(prompt, member().person))


def _show_write_page(prompt: Prompt, reflection: Reflection) -> str:
    """The page as opened (not after a form): its thread counts as read once shown."""
    page = _write_page(prompt, reflection, notice=NOTICES.get(request.args.get("notice", "")))
    services().feedback.mark_read(reflection, member().person)
    get_session().commit()
    return page


def _write_page(
    prompt: Prompt,
    reflection: Reflection,
    *,
    text_value: str | None = None,
    notice: str | None = None,
    errors: dict[str, str] | None = None,
    conflict_text: str | None = None,
    reply_value: str = "",
) -> str:
    """The writing page; after a refused submit it shows the participant's own text again."""
    scope, session = member(), get_session()
    feedback = services().feedback
    due_at = due_date(reflection, prompt)
    items = services().workspace.own_items(scope.course, scope.person)
    text_value = reflection.draft_text if text_value is None else text_value
    versions = _reflections().versions(reflection)
    return render_template(
        "participant/write.html",
        course=scope.course,
        prompt=prompt,
        reflection=reflection,
        text_value=text_value,
        sections=split(prompt.outline, text_value) if prompt.outline else [],
        written=written_words(prompt.outline, text_value),
        revising=bool(versions) and text_value != versions[0].text,
        orientation=_orientation(items),
        earlier_texts=_earlier_texts(prompt, items) if prompt.outline else [],
        status=next(item.status for item in items if item.prompt.id == prompt.id),
        versions=versions,
        thread=feedback.thread(reflection),
        unread=feedback.unread_counts(scope.person, scope.course, [reflection.id]).get(
            reflection.id, 0
        ),
        grade=services().grading.current(reflection),
        in_canvas=grade_status.row_for(
            session, scope.course.id, scope.person.id, subject_key(prompt)
        ),
        due_at=due_at,
        past_due=is_late(utcnow(), due_at),
        notice=notice,
        errors=errors or {},
        conflict_text=conflict_text,
        reply_value=reply_value,
        max_chars=MAX_CHARS,
    )


@dataclass(frozen=True)
class EarlierText:
    prompt: Prompt
    label: str
    text: str


def _earlier_texts(prompt: Prompt, items: list[OwnItem]) -> list[EarlierText]:
    """The participant's own other reflections of the course, to draw on while writing a
    long assessment: each one's latest submitted version, else its unsubmitted draft."""
    own = [i.reflection for i in items if i.prompt.id != prompt.id and i.reflection is not None]
    latest = _reflections().latest_versions(own)
    texts = []
    for reflection in own:
        version = latest.get(reflection.id)
        if version is not None:
            texts.append(EarlierText(reflection.prompt, f"Version {version.number}", version.text))
        elif reflection.draft_text.strip():
            texts.append(
                EarlierText(reflection.prompt, "Draft, not submitted", reflection.draft_text)
            )
    return texts


@bp.post("/prompts/<int:prompt_id>/draft")
@launch_required("participant")
def autosave(prompt_id: int) -> Any:
    """The editor's autosave (JSON). A stale revision answers 409 with the saved text, so the
    page can show both and let the person choose; nothing is overwritten silently."""
    scope, prompt = member(), visible_prompt(prompt_id)
    body = request.get_json(silent=True) or {}
    draft, revision = body.get("text"), parse_int(body.get("revision"))
    if not isinstance(draft, str) or revision is None:
        abort(400)
    service = _reflections()
    reflection = service.open(prompt, scope.person)
    try:
        service.save_draft(reflection, draft, revision, utcnow())
    except StaleRevision as stale:
        get_session().rollback()
        return _conflict(stale.reflection)
    except TextTooLong:
        return jsonify(
            {
                "error": "too_long",
                "message": f"That is more than {MAX_CHARS} characters, more than the tool "
                "stores. Your text is kept in this browser; shorten it to save it.",
            }
        ), 413
    get_session().commit()
    return jsonify(
        {
            "revision": reflection.revision,
            "saved_at": reflection.draft_saved_at.isoformat()
            if reflection.draft_saved_at
            else None,
            "words": word_count(draft),
        }
    )


def _conflict(reflection: Reflection) -> Any:
    return jsonify(
        {
            "error": "stale",
            "message": "This reflection was changed in another window or device.",
            "revision": reflection.revision,
            "server_text": reflection.draft_text,
            "saved_at": reflection.draft_saved_at.isoformat()
            if reflection.draft_saved_at
            else None,
        }
    ), 409


@bp.post("/prompts/<int:prompt_id>/submit")
@launch_required("participant")
def submit(prompt_id: int) -> Any:
    """Submit (or, with `action=save`, only save: the no-JavaScript path). Every refusal keeps
    the text on the page and, when the revision allows, in the saved draft."""
    scope, prompt, session = member(), visible_prompt(prompt_id), get_session()
    draft = _submitted_text(prompt)
    revision = parse_int(request.form.get("revision"))
    service = _reflections()
    reflection = service.open(prompt, scope.person)
    if revision is None:
        abort(400)
    try:
        if request.form.get("action") == "save":
            service.save_draft(reflection, draft, revision, utcnow())
            notice = "saved"
        else:
            result = service.submit(
                course=scope.course,
                prompt=prompt,
                person=scope.person,
                reflection=reflection,
                text=draft,
                revision=revision,
                actor=actor(),
                now=utcnow(),
            )
            notice = "submitted" if result.created else "unchanged"
    except StaleRevision as stale:
        session.rollback()
        return _write_page(
            prompt,
            stale.reflection,
            text_value=draft,
            conflict_text=stale.reflection.draft_text,
            errors={
                "text": "This reflection was changed in another window or device since "
                "you opened it. Both texts are shown below: keep the one you want, or "
                "combine them, then submit again."
            },
        ), 409
    except TextTooLong:
        session.rollback()
        return _write_page(
            prompt,
            reflection,
            text_value=draft,
            errors={"text": f"That is more than {MAX_CHARS} characters; shorten it and try again."},
        ), 413
    except SubmissionRefused as refused:
        session.commit()  # the draft was saved before the check
        return _write_page(
            prompt, reflection, text_value=draft, errors={"text": refused.message}
        ), 422
    session.commit()
    return redirect(
        token_url("participant.write", prompt_id=prompt.id, notice=notice) + "#status", 303
    )


def _submitted_text(prompt: Prompt) -> str:
    """The form's text: with an outline, composed from the section fields (the page's script
    keeps `text` composed too, but without JavaScript only the sections arrive)."""
    if prompt.outline and "section-0" in request.form:
        bodies = [request.form.get(f"section-{n}", "") for n in range(len(prompt.outline))]
        return compose(prompt.outline, bodies)
    return request.form.get("text", "")


@bp.post("/prompts/<int:prompt_id>/reply")
@launch_required("participant")
def reply(prompt_id: int) -> Any:
    scope, prompt, session = member(), visible_prompt(prompt_id), get_session()
    reflection = _reflections().open(prompt, scope.person)
    body = request.form.get("body", "")
    try:
        services().feedback.reply(reflection, scope.person, body=body, actor=actor(), now=utcnow())
    except MessageInvalid as invalid:
        session.rollback()
        return _write_page(prompt, reflection, errors=invalid.errors, reply_value=body), 422
    session.commit()
    return redirect(
        token_url("participant.write", prompt_id=prompt.id, notice="replied") + "#thread", 303
    )


@bp.get("/feedback")
@launch_required("participant")
def feedback() -> Any:
    """All feedback addressed to the participant in this course, newest first."""
    scope = member()
    service = services().feedback
    return render_template(
        "participant/feedback.html",
        items=service.inbox(scope.person, scope.course),
        grade_comments=service.grade_comments(scope.person, scope.course),
        course=scope.course,
    )
