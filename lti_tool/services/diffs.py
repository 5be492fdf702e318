"""What changed between two versions of a reflection, word by word."""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher
from enum import StrEnum

_TOKENS = re.compile(r"\s+|\w+(?:['’]\w+)*|[^\w\s]")
"""Words (with their apostrophes), single punctuation marks and runs of white space, so the
joined tokens give back the text exactly."""
_WORDS = re.compile(r"\w+")


class Change(StrEnum):
    SAME = "same"
    INSERTED = "inserted"
    DELETED = "deleted"


@dataclass(frozen=True)
class Segment:
    change: Change
    text: str


@dataclass(frozen=True)
class WordDiff:
    segments: list[Segment]

    @property
    def inserted_words(self) -> int:
        return _words(self.segments, Change.INSERTED)

    @property
    def deleted_words(self) -> int:
        return _words(self.segments, Change.DELETED)


def word_diff(old: str, new: str) -> WordDiff:
    """Segments that read as the new text with the old text's removed words in place."""
    before, after = _TOKENS.findall(old), _TOKENS.findall(new)
    matcher = SequenceMatcher(None, before, after, autojunk=False)
    segments: list[Segment] = []
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            _append(segments, Change.SAME, "".join(after[j1:j2]))
            continue
        _append(segments, Change.DELETED, "".join(before[i1:i2]))
        _append(segments, Change.INSERTED, "".join(after[j1:j2]))
    return WordDiff(segments)


def _append(segments: list[Segment], change: Change, text: str) -> None:
    if not text:
        return
    if segments and segments[-1].change == change:
        segments[-1] = Segment(change, segments[-1].text + text)
    else:
        segments.append(Segment(change, text))


def _words(segments: list[Segment], change: Change) -> int:
    return sum(len(_WORDS.findall(s.text)) for s in segments if s.change == change)
