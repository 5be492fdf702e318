"""A course's prompts: copied from the bank or written by an instructor, and tied to the Canvas
link that launches them."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, aliased

from lti_tool.db import parse_int, utcnow
from lti_tool.models import AuditAction, Course, GradingType, Person, Prompt, Reflection
from lti_tool.services.audit import Actor, AuditLog
from lti_tool.services.forms import FormInvalid
from lti_tool.services.points import follow_canvas, launch_points
from lti_tool.services.programs import BankPrompt, find_bank_prompt

MAX_TITLE = 200
MAX_BODY = 5000
MAX_POINTS = 1000.0
MAX_WORDS = 20000
CUSTOM_PROMPT_ID = "prompt_id"
CUSTOM_BANK_KEY = "prompt_bank"
CUSTOM_ASSIGNMENT_TITLE = "assignment_title"
MAX_CANVAS_TITLE = 255


class PromptInvalid(FormInvalid):
    """The instructor's prompt settings cannot be used."""


@dataclass(frozen=True)
class PromptInput:
    """An instructor's prompt settings as typed into a form (strings, checked by `validate`)."""

    title: str
    body: str
    guidance: str = ""
    word_target: str = ""
    word_limit: str = ""
    points: str = ""
    grading_type: str = GradingType.POINTS
    rubric: str = ""
    """One criterion a line: `label | points`."""
    outline: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class PromptSettings:
    title: str
    body: str
    guidance: str
    word_target: int | None
    word_limit: int | None
    points: float
    grading_type: GradingType
    rubric: list[dict[str, Any]]


def validate(data: PromptInput) -> PromptSettings:
    errors: dict[str, str] = {}
    title, body = data.title.strip(), data.body.strip()
    if not title or len(title) > MAX_TITLE:
        errors["title"] = f"Enter a title of at most {MAX_TITLE} characters."
    if not body or len(body) > MAX_BODY:
        errors["body"] = f"Enter the prompt, at most {MAX_BODY} characters."
    if len(data.guidance) > MAX_BODY:
        errors["guidance"] = f"Guidance can be at most {MAX_BODY} characters."
    target = _whole_number(data.word_target, "word_target", errors)
    limit = _whole_number(data.word_limit, "word_limit", errors)
    if target and limit and limit < target:
        errors["word_limit"] = "The word limit must not be below the word target."
    try:
        grading = GradingType(data.grading_type)
    except ValueError:
        grading = GradingType.POINTS
        errors["grading_type"] = "Choose points, rubric or complete/incomplete."
    rubric = _rubric(data.rubric, errors) if grading == GradingType.RUBRIC else []
    points = _points(data.points, errors) if not rubric else sum(float(c["points"]) for c in rubric)
    if errors:
        raise PromptInvalid(errors)
    return PromptSettings(
        title, body, data.guidance.strip(), target, limit, points, grading, rubric
    )


def _whole_number(raw: str, name: str, errors: dict[str, str]) -> int | None:
    raw = raw.strip()
    if not raw:
        return None
    number = parse_int(raw)
    if number is None or not 0 < number <= MAX_WORDS:
        errors[name] = (
            f"Enter a whole number of words between 1 and {MAX_WORDS}, or leave it empty."
        )
        return None
    return number


def _points(raw: str, errors: dict[str, str]) -> float:
    points = _positive_points(raw)
    if points is None:
        errors["points"] = f"Enter points greater than 0 and at most {MAX_POINTS:g}."
        return -1.0
    return points


def _positive_points(raw: str) -> float | None:
    """Points in (0, MAX_POINTS]; NaN, infinity and 400-digit numbers are None."""
    try:
        points = float(raw)
    except ValueError:
        return None
    return points if 0 < points <= MAX_POINTS else None


_RUBRIC_LINE = re.compile(
    r"^(?P<label>[^|]+?)\s*\|\s*(?P<points>\d+(?:\.\d+)?)(?:\s*\|\s*(?P<description>.*))?$"
)


def _rubric(raw: str, errors: dict[str, str]) -> list[dict[str, Any]]:
    """Criteria as `label | points`, each and all together at most `MAX_POINTS` like points."""
    criteria: list[dict[str, Any]] = []
    for number, line in enumerate(filter(None, (ln.strip() for ln in raw.splitlines())), 1):
        match = _RUBRIC_LINE.match(line)
        points = _positive_points(match["points"]) if match else None
        if match is None or points is None:
            errors["rubric"] = (
                f"Line {number}: write a criterion as “label | points”, with points greater "
                f"than 0 and at most {MAX_POINTS:g}, optionally followed by "
                "“| what earns the points”."
            )
            return []
        criterion = {"key": f"c{number}", "label": match["label"], "points": points}
        if (match["description"] or "").strip():
            criterion["description"] = match["description"].strip()
        criteria.append(criterion)
    if not criteria:
        errors["rubric"] = "A rubric needs at least one criterion (“label | points”)."
    elif sum(float(c["points"]) for c in criteria) > MAX_POINTS:
        errors["rubric"] = f"The criteria add up to more than {MAX_POINTS:g} points."
    return criteria


def rubric_text(rubric: list[dict[str, Any]]) -> str:
    """The form's text for a rubric, the inverse of what `validate` reads."""
    return "\n".join(_rubric_line(c["label"], c["points"], c.get("description")) for c in rubric)


def _rubric_line(label: str, points: float, description: str | None) -> str:
    line = f"{label} | {float(points):g}"
    return f"{line} | {description}" if description else line


def input_from_bank(item: BankPrompt) -> PromptInput:
    return PromptInput(
        title=item.title,
        body=item.body,
        guidance=item.guidance,
        word_target=str(item.word_target),
        word_limit=str(item.word_limit),
        points=f"{item.points:g}",
        grading_type=item.grading_type,
        rubric="\n".join(_rubric_line(c.label, c.points, c.description) for c in item.rubric),
        outline=item.outline,
    )


class PromptService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, course: Course, prompt_id: int) -> Prompt | None:
        """A prompt of this course only; another course's id finds nothing."""
        return self.session.scalar(
            select(Prompt).where(Prompt.id == prompt_id, Prompt.course_id == course.id)
        )

    def for_course(self, course: Course) -> list[Prompt]:
        return list(
            self.session.scalars(
                select(Prompt)
                .where(Prompt.course_id == course.id)
                .order_by(Prompt.week.is_(None), Prompt.week, Prompt.id)
            )
        )

    def create(
        self,
        course: Course,
        data: PromptInput,
        *,
        bank_key: str | None = None,
        week: int | None = None,
    ) -> Prompt:
        """`week`: the Canvas module's week the instructor placed it in (default: the bank
        prompt's own week)."""
        settings = validate(data)
        bank = find_bank_prompt(bank_key) if bank_key else None
        prompt = Prompt(
            course_id=course.id,
            bank_key=bank[1].key if bank else None,
            week=week if week is not None else (bank[1].week if bank else None),
            theme=bank[1].theme if bank else None,
            outline=list(data.outline),
        )
        _apply(prompt, settings)
        self.session.add(prompt)
        self.session.flush()
        return prompt

    def update(
        self, prompt: Prompt, data: PromptInput, *, actor: Actor, week: int | None = None
    ) -> Prompt:
        """Change the course's copy of a prompt (the program's bank is untouched); audited.
        `week`: the module week it belongs to, when the instructor moved it."""
        _apply(prompt, validate(data))
        if week is not None:
            prompt.week = week
        self.session.flush()
        AuditLog(self.session).prompt(AuditAction.PROMPT_EDITED, actor, prompt)
        return prompt

    def resolve_launch(
        self,
        course: Course,
        resource_link_id: str | None,
        custom: Mapping[str, str],
        *,
        lineitem_url: str | None,
    ) -> Prompt | None:
        """The prompt a link launches, tying it to the link on its first launch.

        Looked up by the Canvas resource link; else by the assignment's line item (known from
        the course's line items before anyone opened the link); else by the `prompt_id` that
        deep linking put in the link's custom parameters (Canvas keeps them on the link); else
        created from the `prompt_bank` key (seeded or hand-configured links). A `prompt_id` of
        another course (a Canvas course copy) or one already tied to a different link (a
        duplicated assignment) becomes a new copy for this link, so reflections never mix.
        """
        if not resource_link_id:
            return None
        prompt = self.linked(course, resource_link_id)
        if prompt is None:
            try:
                with self.session.begin_nested():
                    prompt = self._by_line_item(course, resource_link_id, lineitem_url)
                    prompt = prompt or self._first_launch(course, resource_link_id, custom)
            except IntegrityError:
                # Another participant's first launch of this link tied it a moment ago.
                prompt = self.linked(course, resource_link_id)
        if prompt is not None and lineitem_url:
            prompt.lineitem_url = lineitem_url
        if prompt is not None and custom.get(CUSTOM_ASSIGNMENT_TITLE):
            prompt.canvas_title = custom[CUSTOM_ASSIGNMENT_TITLE][:MAX_CANVAS_TITLE]
        if prompt is not None:  # points changed in Canvas: the tool follows (one scale)
            follow_canvas(prompt, launch_points(custom), utcnow())
        return prompt

    def linked(self, course: Course, resource_link_id: str | None) -> Prompt | None:
        """The prompt a link opens, as its launch tied it (read only)."""
        if not resource_link_id:
            return None
        return self.session.scalar(
            select(Prompt).where(
                Prompt.course_id == course.id, Prompt.resource_link_id == resource_link_id
            )
        )

    def _by_line_item(
        self, course: Course, resource_link_id: str, lineitem_url: str | None
    ) -> Prompt | None:
        """A prompt learned from the line items but not yet tied to its link."""
        if not lineitem_url:
            return None
        prompt = self.session.scalar(
            select(Prompt).where(
                Prompt.course_id == course.id,
                Prompt.lineitem_url == lineitem_url,
                Prompt.resource_link_id.is_(None),
            )
        )
        if prompt is not None:
            prompt.resource_link_id = resource_link_id
            self.session.flush()
        return prompt

    def _first_launch(
        self, course: Course, resource_link_id: str, custom: Mapping[str, str]
    ) -> Prompt | None:
        source = self.named(course, parse_int(custom.get(CUSTOM_PROMPT_ID, "")))
        if source is not None and source.course_id == course.id and source.resource_link_id is None:
            source.resource_link_id = resource_link_id
            return source
        if source is not None:
            prompt = self.copy(course, source)
        else:
            bank = find_bank_prompt(custom.get(CUSTOM_BANK_KEY, ""))
            if bank is None:
                return None
            prompt = self.create(course, input_from_bank(bank[1]), bank_key=bank[1].key)
        prompt.resource_link_id = resource_link_id
        self.session.flush()
        return prompt

    def named(self, course: Course, prompt_id: int | None) -> Prompt | None:
        """A prompt named by a link (custom `prompt_id`, line item resourceId), found within
        the same platform registration: this course's, or one a Canvas course copy came from."""
        if prompt_id is None:
            return None
        prompt = self.session.get(Prompt, prompt_id)
        if prompt is None:
            return None
        owner = self.session.get(Course, prompt.course_id)
        if owner is None or owner.registration_id != course.registration_id:
            return None
        return prompt

    def copy(self, course: Course, source: Prompt) -> Prompt:
        prompt = Prompt(
            course_id=course.id,
            bank_key=source.bank_key,
            week=source.week,
            theme=source.theme,
            title=source.title,
            body=source.body,
            guidance=source.guidance,
            outline=list(source.outline),
            word_target=source.word_target,
            word_limit=source.word_limit,
            points_possible=source.points_possible,
            grading_type=source.grading_type,
            rubric=list(source.rubric),
        )
        self.session.add(prompt)
        return prompt

    def note_due_at(self, prompt: Prompt, due_at: datetime | None) -> None:
        if due_at is not None:
            prompt.due_at = due_at

    def note_learner_launch(self, prompt: Prompt, now: datetime) -> None:
        """Canvas launched a real learner into the prompt's link: the assignment is published."""
        if prompt.released_at is None:
            prompt.released_at = now

    def release(self, prompt: Prompt, now: datetime, *, actor: Actor) -> None:
        """The instructor shows a placed prompt to participants before any of them opened it
        (they know it is published in Canvas; the tool cannot ask). Audited; repeating it is
        harmless."""
        if prompt.released_at is not None:
            return
        prompt.released_at = now
        self.session.flush()
        AuditLog(self.session).prompt(AuditAction.PROMPT_RELEASED, actor, prompt)

    def visible(self, course: Course, prompt_id: int, person: Person) -> Prompt | None:
        """A prompt of this course that `person` (a participant) may see, else None."""
        return self.session.scalar(
            select(Prompt).where(
                Prompt.id == prompt_id, Prompt.course_id == course.id, visible_to(person)
            )
        )


def visible_to(person: Person) -> ColumnElement[bool]:
    """The prompts a participant may see, read and submit to: released ones, and those Canvas
    launched them into (their reflection exists from that launch on), so an unpublished draft
    an instructor just placed stays private while Student View still opens it."""
    own = aliased(Reflection)
    launched = (
        select(own.id)
        .where(own.prompt_id == Prompt.id, own.person_id == person.id)
        .correlate(Prompt)
        .exists()
    )
    return or_(Prompt.released_at.is_not(None), launched)


def _apply(prompt: Prompt, settings: PromptSettings) -> None:
    prompt.title = settings.title
    prompt.body = settings.body
    prompt.guidance = settings.guidance
    prompt.word_target = settings.word_target
    prompt.word_limit = settings.word_limit
    prompt.points_possible = settings.points
    prompt.grading_type = settings.grading_type
    prompt.rubric = settings.rubric
