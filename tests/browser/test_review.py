"""Reviewing a cohort in Chromium, inside the demo Canvas with third-party cookies blocked.

An instructor opens the feedback queue of an Officers course whose participants have submitted
(the cohort is written straight into the tool's database: fourteen participants launching and
writing in a browser would only slow the test down), then:

- fills every field of the one review form (quote by selection, a comment-bank insertion, the
  grade comment) and saves: everything typed is kept;
- reads the changes of a resubmission beside the earlier feedback;
- reviews ten further participants with Save and next, counting clicks and page loads;
- reviews two more by keyboard alone (the shortcuts listed on the page);
- opens the participant x week matrix (weeks 1 and 2) and a review from one of its cells;
- copies the names and e-mails of who has not started, in one action.

Each screen is screenshotted and checked by axe. The numbers measured are in README.md.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta

import pytest
from flask import Flask
from playwright.sync_api import Frame, FrameLocator, Locator, Page, expect
from sqlalchemy import select

from lti_tool.db import utcnow
from lti_tool.models import (
    BankComment,
    Course,
    CourseRole,
    Enrollment,
    FeedbackMessage,
    Grade,
    Person,
    Prompt,
    Reflection,
    ReflectionVersion,
)
from lti_tool.web import session_scope
from tests.browser.harness import Camera, CookieMode, PersonFactory
from tests.browser.site import BrowserSite

pytestmark = pytest.mark.browser

FIRST_NAMES = ["Avery", "Blake", "Casey", "Devon", "Emery", "Finley", "Gray", "Harper", "Indra"]
LAST_NAMES = ["Adams", "Brooks", "Cruz", "Diaz", "Ellis", "Flores", "Garcia"]
COHORT = 14
VERSION_ONE = "At the stop I judged the driver by his car before he said a word."
VERSION_TWO = "At the stop I noticed I judged the driver by his car. I asked what he needed."
EARLIER_FEEDBACK = "What made you notice the judgement?"
MEASURED = 10


@dataclass
class Counter:
    clicks: int = 0
    loads: int = 0


def seed_cohort(app: Flask) -> list[str]:
    """Participants of the instructor's Officers course with a submitted reflection on the week
    1 prompt, waiting in queue order; the second resubmitted after feedback on version 1."""
    now = utcnow()
    names = []
    with app.app_context(), session_scope(app) as session:
        prompt = session.scalars(select(Prompt).where(Prompt.week == 1)).one()
        course = session.get(Course, prompt.course_id)
        assert course is not None
        teacher = session.scalars(
            select(Person)
            .join(Enrollment, Enrollment.person_id == Person.id)
            .where(Enrollment.role == CourseRole.INSTRUCTOR)
        ).first()
        assert teacher is not None
        for n in range(COHORT):
            name = f"{FIRST_NAMES[n % 9]} {LAST_NAMES[n % 7]}"
            names.append(name)
            person = Person(
                registration_id=course.registration_id,
                sub=f"cohort-{n}",
                name=name,
                email=f"cohort{n}@example.edu",
            )
            session.add(person)
            session.flush()
            session.add(
                Enrollment(course_id=course.id, person_id=person.id, role=CourseRole.PARTICIPANT)
            )
            texts = [VERSION_ONE, VERSION_TWO] if n == 1 else [f"{VERSION_ONE} ({name})"]
            submitted = now - timedelta(hours=COHORT - n)
            reflection = Reflection(
                course_id=course.id,
                prompt_id=prompt.id,
                person_id=person.id,
                draft_text=texts[-1],
                revision=len(texts),
                version_count=len(texts),
                submitted_at=submitted,
                waiting_since=submitted,
            )
            session.add(reflection)
            session.flush()
            for number, text in enumerate(texts, 1):
                session.add(
                    ReflectionVersion(
                        reflection_id=reflection.id,
                        number=number,
                        text=text,
                        word_count=len(text.split()),
                        submitted_at=submitted,
                    )
                )
            if n == 1:
                session.add(
                    FeedbackMessage(
                        reflection_id=reflection.id,
                        author_id=teacher.id,
                        author_role=CourseRole.INSTRUCTOR,
                        version_number=1,
                        body=EARLIER_FEEDBACK,
                        created_at=submitted,
                    )
                )
    return names


def test_a_cohort_reviewed_from_one_screen(
    fresh_site: BrowserSite, people: PersonFactory, camera: Camera
) -> None:
    site = fresh_site
    site.install_seeded_key()
    instructor = people(site, CookieMode.BLOCKED, "instructor")
    instructor.open_item("Officers", "Week 2 reflection")
    tool = instructor.open_item("Officers", "Week 1 reflection")
    instructor.assert_launch_path()
    names = seed_cohort(site.app)
    counter = Counter()
    instructor.page.on(
        "framenavigated",
        lambda frame: setattr(counter, "loads", counter.loads + (frame.name == "tool_content")),
    )

    tool.get_by_role("link", name="Feedback queue").click()
    expect(tool.get_by_role("heading", level=1)).to_have_text("Feedback queue")
    camera.check(instructor.page, "queue")
    tool.get_by_role("link", name=names[0], exact=True).click()
    every_field_is_kept(site.app, instructor.tool_frame(), tool, names[0], camera, instructor.page)

    tool.get_by_role("link", name=f"Next: {names[1]}").click()
    changes_beside_earlier_feedback(tool, names[1], camera, instructor.page)
    tool.locator("#bank summary").click()
    tool.get_by_role("button", name="Insert").click()
    expect(tool.get_by_label("Feedback for the participant")).to_have_value(
        "Name the right at stake."
    )
    tool.get_by_role("button", name="Save and next").click()
    expect(tool.get_by_role("heading", level=1)).to_contain_text(names[2])

    start = Counter(counter.clicks, counter.loads)
    for n in range(2, 2 + MEASURED):
        expect(tool.get_by_role("heading", level=1)).to_have_text(
            f"{names[n]}: Rights as prevention on an ordinary shift"
        )
        click(counter, tool.get_by_label(re.compile("^Points for version 1")))
        instructor.page.keyboard.type(str(n % 10))
        instructor.page.keyboard.press("Tab")
        instructor.page.keyboard.type(f"Thank you, {names[n]}.")
        click(counter, tool.get_by_role("button", name="Save and next"))
    expect(tool.get_by_role("heading", level=1)).to_contain_text(names[2 + MEASURED])
    clicks, loads = counter.clicks - start.clicks, counter.loads - start.loads
    print(f"\n{MEASURED} participants: {clicks} clicks, {loads} page loads")
    assert clicks <= 2 * MEASURED and loads <= MEASURED, (clicks, loads)

    by_keyboard_alone(instructor.page, tool, names[2 + MEASURED :], camera)
    with site.app.app_context(), session_scope(site.app) as session:
        graded = session.scalars(select(Grade.score_given).order_by(Grade.id)).all()
        messages = session.scalars(select(FeedbackMessage.body)).all()
    assert len(graded) == 1 + MEASURED + 2
    assert {f"Thank you, {name}." for name in names[2 : 2 + MEASURED]} <= set(messages)

    the_matrix(tool, names, camera, instructor.page)
    remind_list(instructor.page, tool, camera)


def click(counter: Counter, target: Locator) -> None:
    counter.clicks += 1
    target.click()


def every_field_is_kept(
    app: Flask, frame: Frame, tool: FrameLocator, name: str, camera: Camera, page: Page
) -> None:
    expect(tool.get_by_role("heading", level=1)).to_contain_text(name)
    tool.get_by_label(re.compile("^Points for version 1")).fill("8.5")
    tool.locator("#current-text").select_text()
    tool.get_by_role("button", name="Quote in feedback").click()
    expect(tool.get_by_label("Quote a passage (optional)")).to_have_value(
        re.compile("^At the stop")
    )
    tool.get_by_label("Feedback for the participant").fill("Name the right at stake.")
    tool.get_by_label("Ask the participant to reply").check()
    tool.get_by_label("Also keep this feedback in the comment bank").check()
    tool.get_by_label("Theme in the bank (optional)").fill("Rights")
    tool.get_by_text("Grade comment for Canvas").click()
    tool.get_by_label("Grade comment (optional)").fill("Clear and honest.")
    tool.get_by_label("Also post the grade comment in Canvas").check()
    camera.check(page, "review-filled")
    tool.get_by_role("button", name="Save", exact=True).click()
    expect(tool.get_by_role("status").first).to_contain_text("Your review is saved")
    thread = tool.get_by_role("region", name=re.compile("^Feedback thread"))
    expect(thread).to_contain_text("Name the right at stake.")
    expect(thread).to_contain_text("Reply requested")
    expect(thread.locator("blockquote")).to_contain_text("At the stop")
    expect(tool.get_by_label(re.compile("^Points for version 1"))).to_have_value("8.5")
    expect(tool.get_by_label("Grade comment (optional)")).to_have_value("Clear and honest.")
    with app.app_context(), session_scope(app) as session:
        grade = session.scalars(select(Grade)).one()
        banked = session.scalars(select(BankComment)).one()
    assert (grade.score_given, grade.comment) == (8.5, "Clear and honest.")
    assert (banked.theme, banked.body) == ("Rights", "Name the right at stake.")
    assert frame.url.startswith("https://localhost")


def changes_beside_earlier_feedback(
    tool: FrameLocator, name: str, camera: Camera, page: Page
) -> None:
    expect(tool.get_by_role("heading", level=1)).to_contain_text(name)
    changes = tool.get_by_role("region", name="Changes since version 1")
    expect(changes.locator("ins").first).to_contain_text("added:")
    expect(changes.locator("del").first).to_contain_text("removed:")
    expect(changes.get_by_role("complementary")).to_contain_text(EARLIER_FEEDBACK)
    style = changes.locator("del").first.evaluate("e => getComputedStyle(e).textDecorationLine")
    assert style == "line-through"
    camera.check(page, "review-changes")


def by_keyboard_alone(page: Page, tool: FrameLocator, names: list[str], camera: Camera) -> None:
    """Alt+Shift+F to the feedback box, Shift+Tab to the points, Ctrl+Enter to save and go on."""
    keyboard = page.keyboard
    for name in names:
        expect(tool.get_by_role("heading", level=1)).to_contain_text(name)
        frame = page.frame(name="tool_content")
        assert frame is not None
        frame.wait_for_load_state()  # the page's script listens from its load on
        keyboard.press("Alt+Shift+KeyF")
        expect(tool.get_by_label("Feedback for the participant")).to_be_focused()
        keyboard.type("Keyboard feedback.")
        keyboard.press("Shift+Tab")
        expect(tool.get_by_label(re.compile("^Points for version 1"))).to_be_focused()
        keyboard.type("7")
        keyboard.press("Control+Enter")
        expect(tool.get_by_role("heading", level=1)).not_to_contain_text(name)
    camera.check(page, "after-keyboard")


def the_matrix(tool: FrameLocator, names: list[str], camera: Camera, page: Page) -> None:
    tool.get_by_role("link", name="Participants by week").click()
    expect(tool.get_by_role("heading", level=1)).to_have_text("Participants by week")
    camera.check(page, "matrix")
    tool.get_by_role("link", name=re.compile(f"^Graded: {names[3]}")).click()
    expect(tool.get_by_role("heading", level=1)).to_contain_text(names[3])


def remind_list(page: Page, tool: FrameLocator, camera: Camera) -> None:
    """Who has not started, copied in one action for a message in Canvas's Inbox."""
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    tool.get_by_role("link", name="Participants by week").click()
    tool.get_by_role("link", name="Rights as prevention on an ordinary shift", exact=True).click()
    remind = tool.get_by_role("region", name=re.compile("^Remind who has not submitted"))
    expect(remind.get_by_role("heading")).to_have_text("Remind who has not submitted (4)")
    camera.check(page, "remind")
    remind.get_by_role("button", name="Copy names and e-mails").click()
    expect(tool.locator("#live-status")).to_have_text("Copied 4 names and e-mails.")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == tool.get_by_label("Names and e-mails, ready to paste").input_value()
    assert copied.startswith("Amara Okafor <participant1@example.edu>, Ben Carter")
