"""Numbers no row can have (25 digits, negative, not numbers) in paths, queries, forms, JSON and
launch parameters answer 400 or 404, or are ignored; never a database error."""

from __future__ import annotations

from typing import Any

import pytest

from tests.reflections.conftest import Canvas, Placed, text_of

HUGE = "9" * 25
TOO_LONG_TO_PARSE = "9" * 5000
"""More digits than `int()` parses (sys.get_int_max_str_digits() is 4,300)."""


def with_token(path: str, token: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}st={token}"


@pytest.mark.parametrize(
    "path",
    [
        f"/participant/prompts/{HUGE}",
        f"/participant/?review={HUGE}",
        f"/participant/prompts/{TOO_LONG_TO_PARSE}",
        f"/participant/?review={TOO_LONG_TO_PARSE}",
        "/participant/?review=-1",
    ],
)
def test_participant_paths(canvas: Canvas, placed: Placed, path: str) -> None:
    author = placed.launch(canvas, "student-a")
    assert author.client.get(with_token(path, author.token)).status_code == 404


@pytest.mark.parametrize("revision", [int(HUGE), -1, "x", 1.5, True, None])
def test_autosave_revision(canvas: Canvas, placed: Placed, revision: Any) -> None:
    author = placed.launch(canvas, "student-a")
    answer = author.post_json(f"{placed.page}/draft", {"text": "A draft.", "revision": revision})
    assert answer.status_code == 400 and answer.json is not None
    assert author.post_json(f"{placed.page}/draft", {"text": "A draft.", "revision": 0}).json


@pytest.mark.parametrize("revision", [HUGE, TOO_LONG_TO_PARSE, "-1", "x", "٣"])
def test_submit_revision(canvas: Canvas, placed: Placed, revision: str) -> None:
    author = placed.launch(canvas, "student-a")
    answer = author.post(f"{placed.page}/submit", {"text": "My reflection.", "revision": revision})
    assert answer.status_code == 400 and "<h1" in text_of(answer)


@pytest.mark.parametrize(
    ("path", "status"),
    [
        (f"/instructor/reflections/{HUGE}", 404),
        (f"/instructor/prompts/{HUGE}", 404),
        (f"/instructor/prompts/{HUGE}/edit", 404),
        (f"/instructor/?review={HUGE}", 404),
        (f"/instructor/activity?page={HUGE}", 200),
        (f"/instructor/reflections/{TOO_LONG_TO_PARSE}", 404),
        (f"/instructor/?review={TOO_LONG_TO_PARSE}", 404),
        (f"/instructor/activity?page={TOO_LONG_TO_PARSE}", 200),
        (f"/sync/items/{HUGE}/retry", 405),
    ],
)
def test_instructor_paths(canvas: Canvas, placed: Placed, path: str, status: int) -> None:
    teacher = canvas.instructor()
    assert teacher.client.get(with_token(path, teacher.token)).status_code == status


def test_autosave_revision_past_the_parsing_limit(canvas: Canvas, placed: Placed) -> None:
    author = placed.launch(canvas, "student-a")
    body = '{"text": "A draft.", "revision": ' + TOO_LONG_TO_PARSE + "}"
    answer = author.post_raw_json(f"{placed.page}/draft", body)
    assert answer.status_code == 400 and answer.json is not None


def test_instructor_forms(canvas: Canvas, placed: Placed) -> None:
    teacher = canvas.instructor()
    assert teacher.post(f"/instructor/reflections/{HUGE}", {"feedback": "x"}).status_code == 404
    assert teacher.post(f"/sync/items/{HUGE}/retry").status_code == 404
    assert teacher.post(f"/instructor/prompts/{HUGE}/release").status_code == 404
    assert teacher.post(f"/instructor/prompts/{TOO_LONG_TO_PARSE}/release").status_code == 404


def test_a_huge_custom_prompt_id_is_ignored(canvas: Canvas, placed: Placed) -> None:
    person = canvas.launch("student-b", link="rl-other", custom={"prompt_id": HUGE})
    assert person.landing.status_code == 200
