"""A sample cohort planned from a seed: who is enrolled, and where each participant stands on
each prompt (not started, draft, submitted, resubmitted), with feedback threads and grades.

Pure and deterministic: the same program, seed and day give the same cohort, so tests, the demo
and benchmarks can rely on its counts. Every name and text is fictional.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum

from lti_tool.sample import writing
from lti_tool.services.programs import BankPrompt, Program, get_program, sample_prompts

DEFAULT_SEED = 16

GIVEN_NAMES = (
    "Avery", "Blake", "Casey", "Dakota", "Emerson", "Finley", "Greer", "Harper", "Indra", "Jalen",
    "Kai", "Lena", "Marisol", "Noor", "Oren", "Priya", "Quinn", "Rafael", "Saoirse", "Tariq",
    "Uma", "Viktor", "Wren", "Xiomara", "Yusuf", "Zora", "Anselm", "Bettina", "Cyrus", "Delphine",
    "Esteban", "Fen", "Galen", "Hollis", "Imani", "Jorun", "Kesi", "Linnea", "Mateo", "Nilufar",
)  # fmt: skip
FAMILY_NAMES = (
    "Ashgrove", "Bellwether", "Calloway", "Dunmore", "Everhart", "Fairbanks", "Galloway",
    "Hawthorne", "Ingleby", "Jessup", "Kettering", "Larkspur", "Merriweather", "Northcott",
    "Oakhurst", "Pennington", "Quillfeather", "Redfern", "Stillwater", "Thornbury", "Underhill",
    "Vantongeren", "Whitlock", "Yarrow", "Zellweger", "Ambrose", "Brightwater", "Copperfield",
    "Delacroix", "Eastwood",
)  # fmt: skip
INSTRUCTORS = (("Morgan", "Sample-Instructor"), ("Robin", "Sample-Assistant"))

ELAPSED_DAYS = {"officers": 10, "leaders": 38}
"""How far into its run the sample course is: each is in its last week, so every earlier week
is past its due date and the last one is under way."""


class Stage(StrEnum):
    NOT_STARTED = "not_started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    RESUBMITTED = "resubmitted"


@dataclass(frozen=True)
class SamplePerson:
    sub: str
    name: str


@dataclass(frozen=True)
class SampleVersion:
    text: str
    submitted_at: datetime
    is_late: bool


@dataclass(frozen=True)
class SampleMessage:
    author: SamplePerson
    is_instructor: bool
    body: str
    at: datetime
    version_number: int | None = None
    asks_reply: bool = False


@dataclass(frozen=True)
class SampleGrade:
    grader: SamplePerson
    version_number: int
    points: float
    rubric: dict[str, float]
    comment: str | None
    at: datetime


@dataclass(frozen=True)
class SampleWork:
    participant: SamplePerson
    prompt_key: str
    stage: Stage
    draft: str
    versions: tuple[SampleVersion, ...] = ()
    messages: tuple[SampleMessage, ...] = ()
    grade: SampleGrade | None = None


@dataclass(frozen=True)
class SamplePrompt:
    bank: BankPrompt
    due_at: datetime


@dataclass(frozen=True)
class CohortPlan:
    program: Program
    seed: int
    starts_at: datetime
    now: datetime
    instructors: tuple[SamplePerson, ...]
    participants: tuple[SamplePerson, ...]
    prompts: tuple[SamplePrompt, ...]
    work: tuple[SampleWork, ...]

    @property
    def guide(self) -> SamplePerson:
        """The participant a walk-through follows."""
        return self.participants[0]

    @property
    def title(self) -> str:
        return f"{self.program.title} — sample course (fictional cohort)"

    def count(self, prompt_key: str, stage: Stage) -> int:
        return sum(1 for w in self.work if w.prompt_key == prompt_key and w.stage == stage)


def plan_cohort(
    program_key: str,
    seed: int = DEFAULT_SEED,
    today: date | None = None,
    *,
    size: int | None = None,
) -> CohortPlan:
    """The cohort of a full course (75 officers, 25 leaders, or `size` participants for
    benchmarks and tests) in its last week as of `today`."""
    program = get_program(program_key)
    if program is None:
        raise ValueError(f"unknown program {program_key!r}")
    rng = random.Random(f"{program_key}:{seed}")  # noqa: S311 - fiction, not secrets
    now = datetime.combine(today or datetime.now(UTC).date(), time(15, 0), UTC)
    starts_at = datetime.combine(
        now.date() - timedelta(days=ELAPSED_DAYS[program_key]), time(0), UTC
    )
    prompts = tuple(
        SamplePrompt(bank, starts_at + timedelta(days=7 * bank.week - 1, hours=23, minutes=59))
        for bank in sample_prompts(program)
    )
    instructors = tuple(
        SamplePerson(f"sample-{program_key}-instructor-{n}", f"{given} {family}")
        for n, (given, family) in enumerate(INSTRUCTORS, start=1)
    )
    participants = _participants(program, rng, size or program.capacity)
    planner = _Planner(program, rng, now, instructors)
    work = tuple(
        planner.guide_work(person, prompt) if person.sub == guide_sub(program_key)
        else planner.work(person, prompt)
        for prompt in prompts
        for person in participants
    )  # fmt: skip
    return CohortPlan(program, seed, starts_at, now, instructors, participants, prompts, work)


def today_for(program_key: str, starts_on: date) -> date:
    """The day as of which a cohort that started on `starts_on` is planned (its last week), so
    a course created from one plan can be filled from the same plan on a later day."""
    return starts_on + timedelta(days=ELAPSED_DAYS[program_key])


def guide_sub(program_key: str) -> str:
    """The participant a walk-through follows: the first of the cohort."""
    return f"sample-{program_key}-001"


def _participants(program: Program, rng: random.Random, size: int) -> tuple[SamplePerson, ...]:
    names = rng.sample([(g, f) for g in GIVEN_NAMES for f in FAMILY_NAMES], size)
    return tuple(
        SamplePerson(f"sample-{program.key}-{n:03d}", f"{given} {family}")
        for n, (given, family) in enumerate(names, start=1)
    )


class _Planner:
    """Where one participant stands on one prompt. Weeks past their due date are mostly
    submitted and answered; the current week is still in progress."""

    def __init__(
        self,
        program: Program,
        rng: random.Random,
        now: datetime,
        instructors: tuple[SamplePerson, ...],
    ) -> None:
        self.program, self.rng, self.now, self.instructors = program, rng, now, instructors

    def work(self, person: SamplePerson, prompt: SamplePrompt) -> SampleWork:
        rng, past_due = self.rng, prompt.due_at < self.now
        roll = rng.random()
        text = self._text(prompt.bank)
        if roll < (0.04 if past_due else 0.30):
            return SampleWork(person, prompt.bank.key, Stage.NOT_STARTED, "")
        if roll < (0.09 if past_due else 0.50):
            return SampleWork(person, prompt.bank.key, Stage.DRAFT, writing.draft(text))
        opened = prompt.due_at - timedelta(days=6)
        first_at = self._between(opened, min(prompt.due_at, self.now))
        if past_due and rng.random() < 0.08:
            first_at = self._between(
                prompt.due_at, min(prompt.due_at + timedelta(days=3), self.now)
            )
        first = SampleVersion(text, first_at, first_at > prompt.due_at)
        if roll < (0.24 if past_due else 0.55):
            return self._resubmitted(person, prompt, first)
        return self._submitted(
            person, prompt, first, answered=rng.random() < (0.85 if past_due else 0.4)
        )

    def guide_work(self, person: SamplePerson, prompt: SamplePrompt) -> SampleWork:
        """The walk-through's participant shows every part of the cycle: the current week in
        draft; before it, a reflection resubmitted after feedback, then ones where the
        instructor asked a question, the participant replied and the instructor answered."""
        text = self._text(prompt.bank)
        if prompt.due_at > self.now:
            return SampleWork(person, prompt.bank.key, Stage.DRAFT, writing.draft(text))
        first_at = prompt.due_at - timedelta(days=2, hours=self.rng.randrange(1, 20))
        first = SampleVersion(text, first_at, False)
        if prompt.bank.week == 1:
            work = self._resubmitted(person, prompt, first, story=True)
        else:
            work = self._submitted(person, prompt, first, answered=True, story=True)
        return work

    def _text(self, bank: BankPrompt) -> str:
        if bank.outline:
            return writing.assessment(bank.outline, self.rng)
        return writing.reflection(self.program.key, bank.key, self.rng)

    def _between(self, start: datetime, end: datetime) -> datetime:
        seconds = max(int((end - start).total_seconds()), 60)
        return start + timedelta(seconds=self.rng.randrange(60, seconds + 60) - 60)

    def _instructor(self) -> SamplePerson:
        return self.instructors[0] if self.rng.random() < 0.7 else self.instructors[1]

    def _submitted(
        self,
        person: SamplePerson,
        prompt: SamplePrompt,
        first: SampleVersion,
        *,
        answered: bool,
        story: bool = False,
    ) -> SampleWork:
        """Submitted once: waiting for feedback, or answered (perhaps asked to reply, perhaps
        replied and answered again) and mostly graded."""
        rng, key = self.rng, prompt.bank.key
        if not answered:
            return SampleWork(person, key, Stage.SUBMITTED, first.text, (first,))
        at = self._between(first.submitted_at, self.now)
        asks = story or rng.random() < 0.35
        messages = [self._comment(at, 1, asks)]
        waiting = False
        if asks and (story or rng.random() < 0.7):
            at = self._between(at, self.now)
            messages.append(SampleMessage(person, False, writing.reply(rng), at))
            waiting = not story and rng.random() < 0.4
            if not waiting:
                at = self._between(at, self.now)
                messages.append(self._message(writing.follow_up(rng), at))
        still_asked = asks and len(messages) == 1
        grade = None
        if not waiting and not still_asked and (story or rng.random() < 0.85):
            grade = self._grade(prompt.bank, 1, self._between(at, self.now))
        return SampleWork(
            person, key, Stage.SUBMITTED, first.text, (first,), tuple(messages), grade
        )

    def _resubmitted(
        self,
        person: SamplePerson,
        prompt: SamplePrompt,
        first: SampleVersion,
        *,
        story: bool = False,
    ) -> SampleWork:
        """Asked to revise, then resubmitted: the second version graded, or waiting. In the
        guide's `story` the instructor also asked for a reply, and got one."""
        rng = self.rng
        asked_at = self._between(first.submitted_at, self.now)
        messages = [
            SampleMessage(
                self._instructor(), True, writing.revision_request(rng), asked_at, 1, story
            )
        ]
        if story:
            asked_at = self._between(asked_at, asked_at + timedelta(days=1))
            messages.append(SampleMessage(person, False, writing.revision_reply(rng), asked_at))
        second_at = self._between(asked_at, self.now)
        second = SampleVersion(
            writing.revised(first.text, self.program.key, rng),
            second_at,
            second_at > prompt.due_at and first.is_late,
        )
        grade = None
        if story or rng.random() < 0.7:
            grade = self._grade(prompt.bank, 2, self._between(second_at, self.now))
        return SampleWork(
            person,
            prompt.bank.key,
            Stage.RESUBMITTED,
            second.text,
            (first, second),
            tuple(messages),
            grade,
        )

    def _comment(self, at: datetime, version: int, asks_reply: bool) -> SampleMessage:
        return SampleMessage(
            self._instructor(), True, writing.comment(self.program.key, self.rng), at, version,
            asks_reply,
        )  # fmt: skip

    def _message(self, body: str, at: datetime) -> SampleMessage:
        return SampleMessage(self._instructor(), True, body, at)

    def _grade(self, bank: BankPrompt, version: int, at: datetime) -> SampleGrade:
        rng = self.rng
        rubric: dict[str, float] = {}
        if bank.rubric:
            rubric = {
                f"c{n}": float(rng.choice((3, 4, 4, 5, 5))) for n, _ in enumerate(bank.rubric, 1)
            }
            points = sum(rubric.values())
        else:
            points = float(rng.choice((6, 7, 7, 8, 8, 8, 9, 9, 10)))
        comment = writing.grade_comment(rng) if rng.random() < 0.5 else None
        return SampleGrade(self._instructor(), version, points, rubric, comment, at)
