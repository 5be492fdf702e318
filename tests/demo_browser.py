"""A scripted browser over real HTTP: follows the demo Canvas's pages and auto-posted forms to
the tool the way Chromium would (without running JavaScript), for integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from alembic import command

from demo_canvas.devserver import install
from lti_tool.cli.db import alembic_config
from tests.servers import ServedApp, demo_config, free_server, instance_config, serve


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, str] = field(default_factory=dict)
    attrs: dict[str, str] = field(default_factory=dict)


class _Forms(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.forms: list[Form] = []
        self.links: list[tuple[str, str]] = []
        self.data_attrs: dict[str, str] = {}
        self._href: str | None = None
        self._text = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        self.data_attrs.update({k: v for k, v in values.items() if k.startswith("data-")})
        if tag == "form":
            self.forms.append(
                Form(values.get("action", ""), values.get("method", "get").lower(), attrs=values)
            )
        elif tag in ("input", "textarea", "select") and self.forms and values.get("name"):
            if values.get("type") not in ("submit", "checkbox", "radio") or "checked" in values:
                self.forms[-1].fields[values["name"]] = values.get("value", "")
        elif tag == "a" and "href" in values:
            self._href, self._text = values["href"], ""

    def handle_data(self, data: str) -> None:
        if self._href is not None:
            self._text += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "a" and self._href is not None:
            self.links.append((" ".join(self._text.split()), self._href))
            self._href = None


class Page:
    def __init__(self, response: requests.Response) -> None:
        self.response = response
        self.url = response.url
        self.text = response.text
        parser = _Forms()
        parser.feed(self.text)
        self.forms = parser.forms
        self.links = parser.links
        self.data = parser.data_attrs

    def form(self, **attrs: str) -> Form:
        for form in self.forms:
            if all(form.attrs.get(k) == v for k, v in attrs.items()):
                return form
        raise LookupError(f"no form with {attrs} on {self.url}")

    def link(self, text: str) -> str:
        for label, href in self.links:
            if text in label:
                return urljoin(self.url, href)
        raise LookupError(f"no link {text!r} on {self.url}")


class DemoBrowser:
    """One person's browser: a demo Canvas sign-in and whatever cookies the sites set."""

    def __init__(self, demo_url: str) -> None:
        self.demo_url = demo_url
        self.http = requests.Session()

    def sign_in(self, login_id: str) -> Page:
        return self.submit_to(self.demo_url + "/demo/session", {"login_id": login_id})

    def get(self, url: str, **params: Any) -> Page:
        return Page(self.http.get(url, params=params, timeout=30))

    def submit(self, page: Page, form: Form, **values: str) -> Page:
        target = urljoin(page.url, form.action)
        data = {**form.fields, **values}
        if form.method == "get":
            return Page(self.http.get(target, params=data, timeout=30))
        return Page(self.http.post(target, data=data, timeout=30))

    def submit_to(self, url: str, data: dict[str, str]) -> Page:
        return Page(self.http.post(url, data=data, timeout=30))

    def launch_item(self, course_title: str, item_title: str) -> Page:
        """Open a module item and follow the LTI flow into the tool's landing page."""
        home = self.get(self.demo_url + "/demo/")
        course = self.get(home.link(course_title))
        return self.launch_from(self.get(course.link(item_title)))

    def launch_from(self, canvas_page: Page) -> Page:
        """From a Canvas page holding the login-initiation form, through OIDC to the tool."""
        login = self.submit(canvas_page, canvas_page.form(id="launch-form"))
        auth_url = login.data.get("data-auth-url")
        if auth_url is None:
            return login
        authorize = self.get(auth_url)
        if not authorize.forms:
            return authorize
        return self.submit(authorize, authorize.forms[0])


@dataclass
class DemoSite:
    served: ServedApp
    tool_url: str
    demo_url: str

    def browser(self, login_id: str) -> DemoBrowser:
        browser = DemoBrowser(self.demo_url)
        browser.sign_in(login_id)
        return browser


@contextmanager
def demo_site(database_url: str, keys_dir: Path, demo_db: Path, **extra: Any) -> Iterator[DemoSite]:
    """The tool (as localhost) and the demo Canvas (as 127.0.0.1) on one loopback port."""
    server = free_server()
    port = server.server_port
    tool_url, demo_url = f"http://localhost:{port}", f"http://127.0.0.1:{port}"
    config = instance_config(database_url, keys_dir, tool_url, **extra)
    demo = demo_config(demo_url, tool_url, demo_db, DEMO_CANVAS_COOKIE_SECURE=False)
    with serve(server, config, demo) as served:
        with served.app.app_context():
            command.upgrade(alembic_config(served.app), "head")
        assert served.demo is not None
        install(served.demo, served.app)
        yield DemoSite(served, tool_url, demo_url)


def landing_path(page: Page) -> str:
    return urlsplit(page.url).path
