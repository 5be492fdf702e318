"""The word-level comparison behind "changes since version N"."""

from __future__ import annotations

from lti_tool.services.diffs import Change, Segment, word_diff


def test_words_added_and_removed_read_in_place() -> None:
    diff = word_diff("I judged the driver by his car.", "I judged the young driver quickly.")
    assert diff.segments == [
        Segment(Change.SAME, "I judged the "),
        Segment(Change.INSERTED, "young "),
        Segment(Change.SAME, "driver "),
        Segment(Change.DELETED, "by his car"),
        Segment(Change.INSERTED, "quickly"),
        Segment(Change.SAME, "."),
    ]
    assert (diff.inserted_words, diff.deleted_words) == (2, 3)


def test_the_new_text_and_the_old_text_are_both_kept_whole() -> None:
    old, new = (
        "We don't stop people.\n\nWe ask first.",
        "We don’t stop anyone.\n\nWe ask, then listen.",
    )
    diff = word_diff(old, new)
    kept = "".join(s.text for s in diff.segments if s.change != Change.DELETED)
    gone = "".join(s.text for s in diff.segments if s.change != Change.INSERTED)
    assert (kept, gone) == (new, old)


def test_identical_texts_have_no_changes() -> None:
    assert word_diff("Same words.", "Same words.").segments == [Segment(Change.SAME, "Same words.")]
    assert word_diff("", "").segments == []
