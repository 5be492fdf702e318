"""The two course programs, read from `lti_tool/programs/*.json`: modules, capacity and the bank
of ready-made reflection prompts. The wording lives in data so it can change without code."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from lti_tool.models import Course, CourseRole, Enrollment

PROGRAMS_DIR = Path(__file__).resolve().parent.parent / "programs"
PROGRAM_KEYS = ("officers", "leaders")


@dataclass(frozen=True)
class Criterion:
    label: str
    points: float
    description: str | None = None
    """What earns the points, shown to participants before they write."""


@dataclass(frozen=True)
class BankPrompt:
    key: str
    week: int
    theme: str
    title: str
    body: str
    guidance: str
    word_target: int
    word_limit: int
    points: float
    grading_type: str
    rubric: tuple[Criterion, ...] = ()
    outline: tuple[str, ...] = ()
    sample: bool = False
    """Its week's featured prompt: what a sample course of the program is placed with."""


@dataclass(frozen=True)
class Module:
    week: int
    title: str
    summary: str
    themes: tuple[str, ...]


@dataclass(frozen=True)
class Program:
    key: str
    title: str
    level: str
    summary: str
    weeks: int
    min_hours: int
    max_hours: int
    capacity: int
    themes: dict[str, str]
    modules: tuple[Module, ...]
    prompts: tuple[BankPrompt, ...]

    def prompt(self, key: str) -> BankPrompt | None:
        return next((item for item in self.prompts if item.key == key), None)

    def module(self, week: int) -> Module | None:
        return next((m for m in self.modules if m.week == week), None)

    def prompts_for_week(self, week: int) -> list[BankPrompt]:
        return [item for item in self.prompts if item.week == week]

    @property
    def hours_label(self) -> str:
        if self.min_hours == self.max_hours:
            return f"about {self.min_hours} hours a week"
        return f"{self.min_hours} to {self.max_hours} hours a week"


@cache
def get_program(key: str) -> Program | None:
    if key not in PROGRAM_KEYS:
        return None
    data = json.loads((PROGRAMS_DIR / f"{key}.json").read_text(encoding="utf-8"))
    return _program(data)


def all_programs() -> list[Program]:
    return [program for key in PROGRAM_KEYS if (program := get_program(key)) is not None]


def _program(data: dict[str, Any]) -> Program:
    return Program(
        key=data["key"],
        title=data["title"],
        level=data["level"],
        summary=data["summary"],
        weeks=int(data["weeks"]),
        min_hours=int(data["hours_per_week"]["min"]),
        max_hours=int(data["hours_per_week"]["max"]),
        capacity=int(data["capacity"]),
        themes={theme["key"]: theme["title"] for theme in data["themes"]},
        modules=tuple(
            Module(m["week"], m["title"], m["summary"], tuple(m["themes"])) for m in data["modules"]
        ),
        prompts=tuple(_bank_prompt(item) for item in data["prompts"]),
    )


def _bank_prompt(item: dict[str, Any]) -> BankPrompt:
    return BankPrompt(
        key=item["key"],
        week=int(item["week"]),
        theme=item["theme"],
        title=item["title"],
        body=item["body"],
        guidance=item["guidance"],
        word_target=int(item["word_target"]),
        word_limit=int(item["word_limit"]),
        points=float(item["points"]),
        grading_type=item["grading_type"],
        rubric=tuple(
            Criterion(c["label"], float(c["points"]), c.get("description"))
            for c in item.get("rubric", ())
        ),
        outline=tuple(item.get("outline", ())),
        sample=bool(item.get("sample")),
    )


def find_bank_prompt(key: str) -> tuple[Program, BankPrompt] | None:
    """A bank prompt by its key, in whichever program holds it."""
    for program in all_programs():
        found = program.prompt(key)
        if found is not None:
            return program, found
    return None


@dataclass(frozen=True)
class Capacity:
    participants: int
    capacity: int

    @property
    def exceeded(self) -> bool:
        return self.participants > self.capacity


class ProgramService:
    def __init__(self, session: Session) -> None:
        self.session = session

    def choose(self, course: Course, key: str) -> Program:
        program = get_program(key)
        if program is None:
            raise ValueError("unknown program")
        course.program_key = program.key
        return program

    def adopt_from_custom(self, course: Course, custom: Mapping[str, str]) -> None:
        """A `program` custom parameter (tool, placement or link level) sets an unset program."""
        key = str(custom.get("program") or "")
        if course.program_key is None and get_program(key) is not None:
            course.program_key = key

    def capacity(self, course: Course, program: Program) -> Capacity:
        """Active participants, the Student View test user not counted."""
        count = self.session.scalar(
            select(func.count(Enrollment.id)).where(
                Enrollment.course_id == course.id,
                Enrollment.role == CourseRole.PARTICIPANT,
                Enrollment.active.is_(True),
                Enrollment.is_test_user.is_(False),
            )
        )
        return Capacity(int(count or 0), program.capacity)


def sample_prompts(program: Program) -> list[BankPrompt]:
    """The prompts a sample course of the program is placed with: one a week, the first marked
    `sample` in the bank."""
    chosen: list[BankPrompt] = []
    for module in program.modules:
        chosen.extend([p for p in program.prompts_for_week(module.week) if p.sample][:1])
    return chosen
