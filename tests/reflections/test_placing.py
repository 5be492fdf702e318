"""Placing prompts by deep linking: from the bank or the instructor's own, with Canvas quirks."""

from __future__ import annotations

import jwt
import pytest
from flask import Flask
from sqlalchemy import select

from lti_tool.models import Course, Prompt
from lti_tool.services.programs import get_program
from lti_tool.web import session_scope, wiring
from tests.reflections.conftest import Canvas, deep_link_item, text_of

PRESERVE = "https://canvas.instructure.com/lti/preserveExistingAssignmentName"


class TestProgramChoice:
    def test_first_launch_asks_for_the_program_then_shows_the_bank(self, canvas: Canvas) -> None:
        teacher = canvas.deep_link()
        page = text_of(teacher.landing)
        assert "Choose the program" in page and "up to 75 participants" in page
        chosen = teacher.post("/instructor/program", {"program": "leaders", "next": "deep_link"})
        assert chosen.status_code == 303 and "/instructor/deep-link" in chosen.headers["Location"]
        bank = text_of(teacher.get("/instructor/deep-link"))
        assert "Internal change assessment for your department" in bank
        assert "Week 6: Assessing internal change" in bank

    def test_unknown_program_is_refused(self, canvas: Canvas) -> None:
        teacher = canvas.instructor(link="nav")
        assert teacher.post("/instructor/program", {"program": "cadets"}).status_code == 422

    def test_custom_parameter_sets_the_program(self, canvas: Canvas, app: Flask) -> None:
        teacher = canvas.instructor(link="nav", custom={"program": "leaders"})
        assert "Leaders: Rights, Equity" in text_of(teacher.landing)
        with app.app_context(), session_scope(app) as session:
            assert session.scalars(select(Course.program_key)).one() == "leaders"

    def test_a_first_launch_that_places_adopts_the_configured_program(
        self, canvas: Canvas, app: Flask
    ) -> None:
        teacher = canvas.deep_link(custom={"program": "leaders"})
        page = text_of(teacher.landing)
        assert "Choose the program" not in page
        assert "Internal change assessment for your department" in page
        with app.app_context(), session_scope(app) as session:
            assert session.scalars(select(Course.program_key)).one() == "leaders"


class TestDeepLinking:
    def test_bank_prompt_becomes_a_graded_link(self, canvas: Canvas, app: Flask) -> None:
        item = canvas.place({"source": "officers-bias-first-impression", "points": "15"})
        assert item["type"] == "ltiResourceLink" and item["url"] == "http://localhost/lti/launch"
        assert item["title"] == "The first impression you acted on"
        assert item["lineItem"]["scoreMaximum"] == 15
        assert item["lineItem"]["tag"] == "reflection"
        assert item["lineItem"]["resourceId"] == f"reflection-prompt-{item['custom']['prompt_id']}"
        assert item["custom"]["program"] == "officers" and PRESERVE not in item
        with app.app_context(), session_scope(app) as session:
            prompt = session.scalars(select(Prompt)).one()
            assert prompt.bank_key == "officers-bias-first-impression"
            assert prompt.points_possible == 15 and prompt.word_target == 300

    def test_answer_is_signed_by_the_tool(self, canvas: Canvas, app: Flask) -> None:
        teacher = canvas.deep_link()
        teacher.post("/instructor/program", {"program": "officers", "next": "deep_link"})
        answer = teacher.post("/instructor/deep-link", {"source": "officers-risk-moments"})
        html = text_of(answer)
        token = html.split('name="JWT" value="')[1].split('"')[0]
        header = jwt.get_unverified_header(token)
        keys = {key["kid"]: key for key in wiring(app).key_store.jwks()["keys"]}
        public = jwt.PyJWK(keys[header["kid"]]).key
        claims = jwt.decode(
            token, public, algorithms=["RS256"], audience="https://canvas.test.example"
        )
        assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == (
            "LtiDeepLinkingResponse"
        )
        assert "Add to Canvas" in html and 'src="/static/js/autosubmit.js" nonce="' in html

    def test_assignment_selection_keeps_the_assignment_name(self, canvas: Canvas) -> None:
        item = canvas.place(
            {"source": "officers-rights-prevention"}, placement="assignment_selection"
        )
        assert item[PRESERVE] is True and item["title"]

    def test_own_prompt_with_rubric(self, canvas: Canvas, app: Flask) -> None:
        item = canvas.place(
            {
                "source": "own",
                "title": "Our unit's stop records",
                "body": "Look at last month's stop records.",
                "grading_type": "rubric",
                "rubric": "Evidence | 4\nReasoning | 6",
                "word_target": "200",
            }
        )
        assert item["lineItem"]["scoreMaximum"] == 10
        with app.app_context(), session_scope(app) as session:
            prompt = session.scalars(select(Prompt)).one()
            assert prompt.bank_key is None and [c["points"] for c in prompt.rubric] == [4, 6]

    def test_invalid_choices_are_explained_and_kept(self, canvas: Canvas) -> None:
        teacher = canvas.deep_link()
        teacher.post("/instructor/program", {"program": "officers", "next": "deep_link"})
        missing = teacher.post("/instructor/deep-link", {})
        assert missing.status_code == 422 and "Choose a prompt or write one" in text_of(missing)
        bad = teacher.post(
            "/instructor/deep-link",
            {"source": "own", "title": "Kept title", "body": "", "points": "-3"},
        )
        page = text_of(bad)
        assert bad.status_code == 422 and 'value="Kept title"' in page
        assert "Enter the prompt" in page and "Enter points greater than 0" in page

    def test_a_resource_launch_cannot_answer_deep_linking(self, canvas: Canvas) -> None:
        teacher = canvas.instructor(custom={"program": "officers"})
        answer = teacher.post("/instructor/deep-link", {"source": "officers-risk-moments"})
        assert answer.status_code == 400 and "not opened for placing" in text_of(answer)

    def test_participants_cannot_place(self, canvas: Canvas) -> None:
        student = canvas.launch("student-1")
        assert student.get("/instructor/deep-link").status_code == 403


class TestLinkingAndCopies:
    def test_first_launch_ties_the_prompt_to_the_link(self, canvas: Canvas, app: Flask) -> None:
        item = canvas.place({"source": "officers-risk-moments"})
        student = canvas.launch("student-1", link="rl-9", custom=item["custom"])
        assert "Moments of highest risk" in text_of(student.landing)
        again = canvas.launch("student-2", link="rl-9", custom={})
        assert "Moments of highest risk" in text_of(again.landing)
        with app.app_context(), session_scope(app) as session:
            assert session.scalars(select(Prompt.resource_link_id)).one() == "rl-9"

    def test_duplicated_link_gets_its_own_copy(self, canvas: Canvas, app: Flask) -> None:
        item = canvas.place({"source": "officers-risk-moments"})
        canvas.launch("student-1", link="rl-9", custom=item["custom"])
        canvas.launch("student-1", link="rl-10", custom=item["custom"])
        canvas.launch("student-1", link="rl-9", custom=item["custom"], context="ctx-copy")
        with app.app_context(), session_scope(app) as session:
            rows = session.execute(select(Prompt.course_id, Prompt.resource_link_id)).all()
        assert len(rows) == 3 and len({course for course, _ in rows}) == 2

    def test_bank_key_creates_the_course_copy(self, canvas: Canvas) -> None:
        student = canvas.launch(
            "student-1", custom={"program": "leaders", "prompt_bank": "leaders-change-assessment"}
        )
        page = text_of(student.landing)
        assert "Internal change assessment" in page and "Data collection and analysis" in page

    def test_editing_the_course_copy_leaves_the_bank(self, canvas: Canvas, app: Flask) -> None:
        item = canvas.place({"source": "officers-risk-moments"})
        teacher = canvas.instructor(link="rl-5", custom=item["custom"])
        prompt_id = item["custom"]["prompt_id"]
        form = text_of(teacher.get(f"/instructor/prompts/{prompt_id}/edit"))
        assert 'value="Moments of highest risk"' in form
        saved = teacher.post(
            f"/instructor/prompts/{prompt_id}/edit",
            {"title": "Risky moments on our beat", "body": "Describe one.", "points": "12"},
        )
        assert saved.status_code == 303
        assert get_program("officers").prompt("officers-risk-moments").title == (  # type: ignore[union-attr]
            "Moments of highest risk"
        )
        with app.app_context(), session_scope(app) as session:
            prompt = session.get(Prompt, int(prompt_id))
            assert prompt is not None and prompt.title == "Risky moments on our beat"
        refused = teacher.post(f"/instructor/prompts/{prompt_id}/edit", {"title": "", "body": "x"})
        assert refused.status_code == 422 and "Enter a title" in text_of(refused)

    def test_an_edit_moves_the_prompt_to_another_module_week(
        self, canvas: Canvas, app: Flask
    ) -> None:
        """Canvas's module moved, or the placement chose the bank's week: the instructor sets
        the week participants see it under."""
        item = canvas.place({"source": "officers-rights-prevention"})
        teacher = canvas.instructor(link="rl-6", custom=item["custom"])
        prompt_id = item["custom"]["prompt_id"]
        form = text_of(teacher.get(f"/instructor/prompts/{prompt_id}/edit"))
        assert '<option value="1" selected>Week 1' in form and "Week 2:" in form
        fields = {"title": "Rights on a shift", "body": "Describe one.", "points": "10"}
        refused = teacher.post(f"/instructor/prompts/{prompt_id}/edit", {**fields, "week": "7"})
        assert refused.status_code == 422 and "1 to 2." in (text_of(refused))
        saved = teacher.post(f"/instructor/prompts/{prompt_id}/edit", {**fields, "week": "2"})
        assert saved.status_code == 303
        with app.app_context(), session_scope(app) as session:
            prompt = session.get(Prompt, int(prompt_id))
            assert prompt is not None and prompt.week == 2


def test_deep_link_item_helper_rejects_other_pages(canvas: Canvas) -> None:
    teacher = canvas.instructor(link="nav", custom={"program": "officers"})
    try:
        deep_link_item(teacher.landing)
    except AssertionError:
        return
    raise AssertionError("a page without a JWT form was accepted")


@pytest.mark.parametrize(
    "return_url",
    (
        "https://attacker.example/collect",
        "javascript:alert(document.domain)",
        "http://169.254.169.254/latest",
    ),
)
def test_a_return_address_off_the_platform_is_a_readable_400(
    canvas: Canvas, return_url: str
) -> None:
    """The signed placement is posted to the return URL: on main any URL received it."""
    teacher = canvas.deep_link(return_url=return_url)
    teacher.post("/instructor/program", {"program": "officers", "next": "deep_link"})
    answer = teacher.post("/instructor/deep-link", {"source": "officers-risk-moments"})
    page = answer.get_data(as_text=True)
    assert answer.status_code == 400, page
    assert "return address" in page and return_url not in page
