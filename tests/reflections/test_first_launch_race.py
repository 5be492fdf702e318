"""Two first launches of a never-opened link at the same moment make one prompt, not a 500."""

from __future__ import annotations

import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.models import Course, Prompt
from lti_tool.services.prompts import PromptService
from lti_tool.web import session_scope
from tests.reflections.conftest import Canvas

BANK = {"prompt_bank": "officers-rights-prevention", "program": "officers"}


def test_the_loser_of_the_race_gets_the_winners_prompt(
    app: Flask, canvas: Canvas, monkeypatch: pytest.MonkeyPatch
) -> None:
    canvas.launch("first", link="rl-race", custom=BANK)
    original = PromptService.linked
    looks = iter([None])  # the second request looked before the first one committed

    def late_look(self: PromptService, course: Course, link: str) -> Prompt | None:
        return next(looks, None) or original(self, course, link)

    monkeypatch.setattr(PromptService, "linked", late_look)
    with app.app_context(), session_scope(app) as session:
        course = session.scalars(select(Course)).one()
        prompt = PromptService(session).resolve_launch(course, "rl-race", BANK, lineitem_url=None)
        assert prompt is not None
        assert len(list(session.scalars(select(Prompt).where(Prompt.course_id == course.id)))) == 1
