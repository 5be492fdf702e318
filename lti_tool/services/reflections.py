"""Writing and submitting reflections: drafts with optimistic locking, immutable versions.

Every refusal keeps the participant's text: the draft is saved first, and only then is the
submission checked, so an empty or too-long submit never loses what was typed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from lti_tool.db import get_or_create
from lti_tool.models import AuditAction, Course, Person, Prompt, Reflection, ReflectionVersion
from lti_tool.services.audit import Actor, AuditLog
from lti_tool.services.grading import queue_submission
from lti_tool.services.outbox import GradeSync
from lti_tool.services.sections import written_words

MAX_CHARS = 100_000
"""A hard cap on stored text (about 15,000 words), far above any prompt's word limit."""


def due_date(reflection: Reflection, prompt: Prompt) -> datetime | None:
    """The participant's own due date when their launch carried one (Canvas's per-student
    overrides), else the prompt's."""
    return reflection.due_at or prompt.due_at


def is_late(moment: datetime, due: datetime | None) -> bool:
    """Late only after the due moment; no due date, never late."""
    return due is not None and moment > due


class StaleRevision(Exception):
    """The draft changed elsewhere (another tab or device) since this client last saw it."""

    def __init__(self, reflection: Reflection) -> None:
        super().__init__("stale revision")
        self.reflection = reflection


class TextTooLong(ValueError):
    """More text than the tool stores at all; the browser keeps its copy."""


class SubmissionRefused(ValueError):
    """A submission the prompt does not accept; the draft has been saved regardless."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SubmitResult:
    version: ReflectionVersion
    created: bool
    """False when the text equals the latest version (a double submit): nothing new is sent."""


class ReflectionService:
    def __init__(self, session: Session, grade_sync: GradeSync, base_url: str) -> None:
        self.session = session
        self.grade_sync = grade_sync
        self.base_url = base_url

    def find(self, prompt: Prompt, person: Person) -> Reflection | None:
        return self.session.scalar(
            select(Reflection).where(
                Reflection.prompt_id == prompt.id, Reflection.person_id == person.id
            )
        )

    def open(self, prompt: Prompt, person: Person, *, due_at: datetime | None = None) -> Reflection:
        """The participant's reflection on the prompt, created on first use (once, even when two
        requests race); `due_at` is their own due date when the launch carried one."""
        reflection = get_or_create(
            self.session,
            Reflection,
            {"prompt_id": prompt.id, "person_id": person.id},
            course_id=prompt.course_id,
            draft_text="",
            revision=0,
        )
        if due_at is not None:
            reflection.due_at = due_at
        return reflection

    def save_draft(
        self, reflection: Reflection, text: str, revision: int, now: datetime
    ) -> Reflection:
        """Store the draft if `revision` is still current, else raise StaleRevision.

        The check and the write are one conditional UPDATE, so two tabs saving at the same
        moment cannot both win.
        """
        if len(text) > MAX_CHARS:
            raise TextTooLong(f"at most {MAX_CHARS} characters are stored")
        result = self.session.execute(
            update(Reflection)
            .where(Reflection.id == reflection.id, Reflection.revision == revision)
            .values(draft_text=text, revision=revision + 1, draft_saved_at=now)
            .execution_options(synchronize_session=False)
        )
        self.session.refresh(reflection)
        if result.rowcount != 1:  # type: ignore[attr-defined]
            raise StaleRevision(reflection)
        return reflection

    def latest_versions(self, reflections: list[Reflection]) -> dict[int, ReflectionVersion]:
        """Each reflection's newest submitted version, by reflection id (one query)."""
        submitted = {r.id: r.version_count for r in reflections if r.version_count}
        if not submitted:
            return {}
        rows = self.session.scalars(
            select(ReflectionVersion).where(ReflectionVersion.reflection_id.in_(submitted))
        )
        return {v.reflection_id: v for v in rows if v.number == submitted[v.reflection_id]}

    def versions(self, reflection: Reflection) -> list[ReflectionVersion]:
        return list(
            self.session.scalars(
                select(ReflectionVersion)
                .where(ReflectionVersion.reflection_id == reflection.id)
                .order_by(ReflectionVersion.number.desc())
            )
        )

    def latest(self, reflection: Reflection) -> ReflectionVersion | None:
        if reflection.version_count == 0:
            return None
        return self.session.scalar(
            select(ReflectionVersion).where(
                ReflectionVersion.reflection_id == reflection.id,
                ReflectionVersion.number == reflection.version_count,
            )
        )

    def submit(
        self,
        *,
        course: Course,
        prompt: Prompt,
        person: Person,
        reflection: Reflection,
        text: str,
        revision: int,
        actor: Actor,
        now: datetime,
    ) -> SubmitResult:
        """Save the text, then make it the next version, report it to Canvas and audit it. The
        same submit arriving twice (a double click, a resent form) finds its version made.

        Autosaved drafts are not audited: they are work in progress, private, and would flood
        the log."""
        latest = self.latest(reflection)
        if (
            revision == reflection.revision - 1
            and latest is not None
            and latest.text == text == reflection.draft_text
        ):
            return SubmitResult(latest, created=False)
        self.save_draft(reflection, text, revision, now)
        self._check(prompt, text)
        if latest is not None and latest.text == text:
            return SubmitResult(latest, created=False)
        due = due_date(reflection, prompt)
        version = ReflectionVersion(
            reflection_id=reflection.id,
            number=reflection.version_count + 1,
            text=text,
            word_count=written_words(prompt.outline, text),
            submitted_at=now,
            is_late=is_late(now, due),
        )
        self.session.add(version)
        reflection.version_count = version.number
        reflection.submitted_at = now
        reflection.is_late = version.is_late
        reflection.waiting_since = reflection.waiting_since or now
        reflection.reply_requested = False
        self.session.flush()
        queue_submission(self.grade_sync, course, prompt, reflection, self.base_url, now)
        AuditLog(self.session).reflection(
            AuditAction.REFLECTION_SUBMITTED, actor, reflection, f"version {version.number}"
        )
        return SubmitResult(version, created=True)

    def note_viewed(self, reflection: Reflection, actor: Actor) -> None:
        """An instructor read the reflection: the audit log says who read which version."""
        AuditLog(self.session).reflection(
            AuditAction.REFLECTION_VIEWED, actor, reflection, f"version {reflection.version_count}"
        )

    @staticmethod
    def _check(prompt: Prompt, text: str) -> None:
        words = written_words(prompt.outline, text)
        if words == 0:
            raise SubmissionRefused(
                "empty", "There is nothing to submit yet. Write your reflection, then submit it."
            )
        if prompt.word_limit and words > prompt.word_limit:
            raise SubmissionRefused(
                "too_long",
                f"Your reflection has {words} words; this prompt accepts at most "
                f"{prompt.word_limit}. Shorten it and submit again. Your draft is saved.",
            )
