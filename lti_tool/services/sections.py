"""Structured long-form reflections: a prompt with an outline is written one section at a time,
and stored (draft, versions, exports) as one text whose sections start with `## Heading` lines.

Keeping the headings in the text means every reader of it (the instructor's review, the diff
between versions, Canvas's SpeedGrader link, the printable export) sees the sections without
knowing about outlines, and the editor can split a saved text back into its fields.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

HEADING_PREFIX = "## "
_WORD = re.compile(r"\S+")


def word_count(text: str) -> int:
    """Words as the editor counts them: runs of non-space characters."""
    return len(_WORD.findall(text))


def written_words(outline: Sequence[str], text: str) -> int:
    """The words a participant wrote: with an outline, its headings are not counted."""
    if not outline:
        return word_count(text)
    return sum(section.words for section in split(outline, text))


@dataclass(frozen=True)
class Section:
    heading: str
    body: str

    @property
    def words(self) -> int:
        return word_count(self.body)


def compose(outline: Sequence[str], bodies: Sequence[str]) -> str:
    """One text from the section bodies, each under its heading; empty sections keep their
    heading so the structure stays visible while the writing is in progress."""
    parts = []
    for heading, body in zip(outline, bodies, strict=False):
        cleaned = body.replace("\r\n", "\n").strip("\n")
        parts.append(f"{HEADING_PREFIX}{heading}\n\n{cleaned}".rstrip())
    return "\n\n".join(parts) + "\n" if any(b.strip() for b in bodies) else ""


def split(outline: Sequence[str], text: str) -> list[Section]:
    """The sections of a stored text, in outline order. Text under no known heading (written
    before the prompt had an outline, or above the first heading) goes to the first section,
    so nothing a participant wrote is ever dropped."""
    bodies: dict[str, list[str]] = {heading: [] for heading in outline}
    current = outline[0] if outline else ""
    for line in text.replace("\r\n", "\n").split("\n"):
        heading = line[len(HEADING_PREFIX) :].strip() if line.startswith(HEADING_PREFIX) else None
        if heading is not None and heading in bodies:
            current = heading
            continue
        bodies.setdefault(current, []).append(line)
    return [Section(h, "\n".join(bodies[h]).strip("\n")) for h in outline]


def blocks(outline: Sequence[str], text: str) -> list[Section]:
    """The text as sections to show under their own headings; one untitled block when the
    prompt has no outline."""
    return split(outline, text) if outline else [Section("", text)]


def heading_of(paragraph: str) -> str | None:
    """The heading a paragraph is, when it is a single `## Heading` line."""
    if paragraph.startswith(HEADING_PREFIX) and "\n" not in paragraph:
        return paragraph[len(HEADING_PREFIX) :].strip() or None
    return None
