"""The XSS corpus: classic payloads sent through every text the tool renders (reflections,
drafts, feedback and quotes, prompts and rubric labels written by instructors, course titles
and names from launch claims, grade comments, launch errors) and the export documents.

A page passes when, parsed, it holds no executable form: no script but the tool's own (a
`/static/` file carrying the CSP nonce, no inline code), no `on*` attribute, no `javascript:`
URL, none of the elements that run or restyle content, and a CSP header that forbids the rest.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from werkzeug.test import TestResponse

from lti_tool.models import Course, Reflection
from lti_tool.services.audit import ADMIN
from lti_tool.services.export import CourseExport
from lti_tool.web import session_scope
from tests.platform import LTI
from tests.reflections.conftest import Canvas, Person, Placed, deep_link_item, submit, write

PAYLOADS = [
    "<script>alert('xss')</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "</title><script>alert(1)</script>",
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<a href="javascript:alert(1)">click</a>',
    '<a href="jav&#x09;ascript:alert(1)">tab</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    "<style>@import 'https://evil.example/x.css';</style>",
    '<div style="background:url(javascript:alert(1))">styled</div>',
    "<b onmouseover=alert(1)>bold</b>",
    '<q cite="javascript:alert(1)">quoted</q>',
    "<details open ontoggle=alert(1)>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&#60;script&#62;alert(1)&#60;/script&#62;",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<img src=x onerror=alert(1)//",
    "<<script>alert(1);//<</script>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "<!--<script>alert(1)//--><script>alert(1)</script>",
    "<body onload=alert(1)>",
    "javascript:alert(1)",
    "<form action=javascript:alert(1)><button>go</button></form>",
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<base href="https://evil.example/">',
    '<object data="javascript:alert(1)"></object>',
    "{{ 7*7 }} <%= 7*7 %> ${7*7}",
]

RUNS_OR_RESTYLES = {
    "applet", "base", "embed", "frame", "iframe", "img", "math", "object", "style", "svg",
    "template", "video", "audio",
}  # fmt: skip
URL_ATTRIBUTES = {
    "action", "background", "cite", "data", "formaction", "href", "poster", "src", "srcdoc",
    "xlink:href", "content",
}  # fmt: skip


@dataclass
class Findings(HTMLParser):
    """Every executable form in a document, as readable strings."""

    nonce: str | None
    own_styles: int = 0
    problems: list[str] = field(default_factory=list)
    _in_script: bool = False

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in values.items():
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            if name in URL_ATTRIBUTES and _is_script_url(value):
                self.problems.append(f"<{tag} {name}={value!r}>")
        if tag == "script":
            self._in_script = True
            if not values.get("src", "").startswith("/static/") or values.get("nonce") != (
                self.nonce
            ):
                self.problems.append(f"foreign <script {values}>")
        elif tag == "style" and self.own_styles:
            self.own_styles -= 1
        elif tag in RUNS_OR_RESTYLES or (tag == "meta" and "http-equiv" in values):
            self.problems.append(f"<{tag}>")
        elif tag == "link" and not values.get("href", "").startswith("/static/"):
            self.problems.append(f"<link {values}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        self._in_script = False

    def handle_endtag(self, tag: str) -> None:
        if tag == "script":
            self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.problems.append(f"inline script {data[:40]!r}")


def _is_script_url(value: str) -> bool:
    """Browsers ignore whitespace and control characters inside a URL's scheme."""
    squeezed = re.sub(r"[\x00-\x20]", "", value).lower()
    return squeezed.startswith(("javascript:", "vbscript:", "data:text/html")) or (
        "url=javascript:" in squeezed
    )


def executable_forms(html: str, nonce: str | None, own_styles: int = 0) -> list[str]:
    findings = Findings(nonce, own_styles)
    findings.feed(html)
    findings.close()
    return findings.problems


def page_problems(response: TestResponse) -> list[str]:
    policy = response.headers.get("Content-Security-Policy", "")
    nonce = re.search(r"'nonce-([^']+)'", policy)
    problems = executable_forms(response.get_data(as_text=True), nonce and nonce.group(1))
    script_src = re.search(r"script-src ([^;]+)", policy)
    if script_src is None or "unsafe-inline" in policy or "object-src 'none'" not in policy:
        problems.append(f"weak or missing CSP: {policy!r}")
    if "base-uri 'none'" not in policy:
        problems.append("CSP lets a <base> element move relative URLs")
    return problems


@dataclass
class XssCourse:
    """One course whose every person-written or launch-supplied text is the payload."""

    teacher: Person
    student: Person
    placed: Placed
    reflection_id: int
    pages: list[TestResponse]


def _context(number: int, payload: str) -> dict[str, object]:
    return {LTI + "context": {"id": f"ctx-xss-{number}", "label": "XSS", "title": payload}}


def _place(canvas: Canvas, number: int, payload: str) -> tuple[Person, Placed, list[TestResponse]]:
    """The instructor writes the prompt (title, body, guidance, rubric label) through deep
    linking; the refused form echoes what they typed, the answer page shows the title."""
    teacher = canvas.deep_link(f"xss-teacher-{number}", name=payload, **_context(number, payload))
    teacher.post("/instructor/program", {"program": "officers", "next": "deep_link"})
    form = {
        "source": "own",
        "title": payload,
        "body": payload,
        "guidance": payload,
        "grading_type": "rubric",
        "rubric": f"{payload} | 5\nClarity | 5",
    }
    refused = teacher.post("/instructor/deep-link", {**form, "body": ""})
    placed_page = teacher.post("/instructor/deep-link", form)
    item = deep_link_item(placed_page)
    placed = Placed(int(item["custom"]["prompt_id"]), dict(item["custom"]), f"rl-xss-{number}")
    return teacher, placed, [refused, placed_page]


def _course(canvas: Canvas, app: Flask, number: int, payload: str) -> XssCourse:
    teacher, placed, pages = _place(canvas, number, payload)
    student = placed.launch(
        canvas, f"xss-student-{number}", name=payload, **_context(number, payload)
    )
    submit(student, placed, payload + " reflection")
    write(student, placed, payload + " draft")
    with app.app_context(), session_scope(app) as session:
        rid = session.scalars(select(Reflection.id).where(Reflection.prompt_id == placed.prompt_id))
        reflection_id = rid.one()
    review = f"/instructor/reflections/{reflection_id}"
    teacher.post(review, {"version": "1", "quote": payload, "feedback": payload})
    pages.append(teacher.post(review, {"version": "1", "quote": "x" + payload}))
    teacher.post(review, {"rubric-c1": "3", "rubric-c2": "4", "comment": payload})
    student.post(f"{placed.page}/reply", {"body": payload})
    pages.append(student.post(f"{placed.page}/submit", {"text": payload, "revision": "0"}))
    return XssCourse(teacher, student, placed, reflection_id, pages)


def _visit(course: XssCourse) -> list[TestResponse]:
    teacher, student, pid = course.teacher, course.student, course.placed.prompt_id
    instructor_pages = [
        "/instructor/workspace",
        "/instructor/queue",
        f"/instructor/prompts/{pid}",
        f"/instructor/prompts/{pid}/edit",
        f"/instructor/reflections/{course.reflection_id}",
        "/instructor/activity",
        "/sync/",
    ]
    participant_pages = [course.placed.page, "/participant/reflections", "/participant/feedback"]
    return (
        course.pages
        + [teacher.get(path) for path in instructor_pages]
        + [student.get(path) for path in participant_pages]
    )


def test_pages_never_carry_executable_markup(canvas: Canvas, app: Flask, tmp_path: Path) -> None:
    problems: list[str] = []
    for number, payload in enumerate(PAYLOADS):
        course = _course(canvas, app, number, payload)
        for response in _visit(course):
            assert response.status_code in (200, 409, 422), (payload, response.request.path)
            assert str(escape(payload)) in response.get_data(as_text=True), (
                "the payload did not reach the page",
                response.request.path,
            )
            problems += [
                f"{payload!r} on {response.request.path}: {problem}"
                for problem in page_problems(response)
            ]
        problems += _export_problems(app, number, payload, tmp_path / str(number))
    assert not problems, "\n".join(problems)


def _export_problems(app: Flask, number: int, payload: str, out: Path) -> list[str]:
    """The standalone documents have one inline style of their own and no script at all."""
    with app.app_context(), session_scope(app) as session:
        course = session.scalars(select(Course).where(Course.context_id == f"ctx-xss-{number}"))
        result = CourseExport(session).write(course.one(), out, actor=ADMIN)
    found = []
    for path in [*result.documents, out / "reflections" / "index.html"]:
        html = path.read_text()
        assert "<h1>" in html, f"{path.name} is not a document"
        found += [
            f"{payload!r} in export {path.name}: {problem}"
            for problem in executable_forms(html, nonce=None, own_styles=1)
        ]
    return found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_launch_error_page(client: FlaskClient, payload: str) -> None:
    """Canvas's own error description is shown on the error page."""
    response = client.post(
        "/lti/launch", data={"error": "invalid_request", "error_description": payload}
    )
    assert response.status_code == 400
    assert page_problems(response) == []


def test_the_checker_catches_executable_forms() -> None:
    """The corpus proves something only if the checker flags each form when it is present."""
    nonce = "n0nce"
    for unsafe in [p for p in PAYLOADS if "<" in p and "&" not in p and "{{" not in p][:10]:
        assert executable_forms(f"<p>{unsafe}</p>", nonce), unsafe
    own = f'<script src="/static/js/frame.js" nonce="{nonce}"></script>'
    assert executable_forms(own, nonce) == []
    assert executable_forms(own, "other") != []
    assert executable_forms('<a href=" JaVa\tscript:x">', nonce) != []
