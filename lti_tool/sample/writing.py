"""Plausible, varied reflection text for the sample cohorts, composed from the fictional
fragments in `writing.json`: a situation, what the writer noticed, what they will do."""

from __future__ import annotations

import json
import random
import re
from functools import cache
from pathlib import Path
from typing import Any

WRITING_FILE = Path(__file__).resolve().parent / "writing.json"
_SLOT = re.compile(r"\{(\w+)\}")


@cache
def _bank() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(WRITING_FILE.read_text(encoding="utf-8"))
    return data


def _fill(template: str, rng: random.Random) -> str:
    fills: dict[str, list[str]] = _bank()["fills"]
    return _SLOT.sub(lambda match: rng.choice(fills[match.group(1)]), template)


def reflection(program_key: str, prompt_key: str, rng: random.Random) -> str:
    """A reflection in three paragraphs: the situation, two insights, two intended actions."""
    fragments = _bank()["prompts"][prompt_key]
    situation = _fill(rng.choice(fragments["situations"]), rng)
    insights = " ".join(rng.sample(fragments["insights"], 2))
    actions = " ".join(rng.sample(_bank()["actions"][program_key], 2))
    return "\n\n".join((situation, _fill(insights, rng), actions))


def assessment(outline: tuple[str, ...], rng: random.Random) -> str:
    """The Leaders' internal change assessment: each outline heading, then its section."""
    sections = _bank()["assessment"]
    return "\n\n".join(
        f"{heading}\n{_fill(rng.choice(sections[heading]), rng)}" for heading in outline
    )


def revised(text: str, program_key: str, rng: random.Random) -> str:
    """A resubmission: the earlier text with a concrete paragraph added, as asked."""
    addition = _fill(rng.choice(_bank()["actions"][program_key]), rng)
    return f"{text}\n\nAdded after feedback: {addition}"


def draft(text: str) -> str:
    """Unfinished work: the first paragraph and the start of the second."""
    paragraphs = text.split("\n\n")
    second = paragraphs[1].split(". ")[0] if len(paragraphs) > 1 else ""
    return f"{paragraphs[0]}\n\n{second}".rstrip()


def comment(program_key: str, rng: random.Random) -> str:
    return str(rng.choice(_bank()["comments"][program_key]))


def revision_request(rng: random.Random) -> str:
    return str(rng.choice(_bank()["revision_requests"]))


def reply(rng: random.Random) -> str:
    return str(rng.choice(_bank()["replies"]))


def revision_reply(rng: random.Random) -> str:
    return str(rng.choice(_bank()["revision_replies"]))


def follow_up(rng: random.Random) -> str:
    return str(rng.choice(_bank()["follow_ups"]))


def grade_comment(rng: random.Random) -> str:
    return str(rng.choice(_bank()["grade_comments"]))
