"""`make run`'s entry point, `python -m demo_canvas serve`, started as a developer starts it: the
demo Canvas (login host and course pages) and the tool on one port as three sites, the demo seeded
and registered with the tool, and a seeded course's week link opening its bank prompt in the
tool."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import requests
from flask import Flask
from sqlalchemy import select

from demo_canvas.seed import SEEDED_BANK_PROMPTS
from lti_tool.models import AuditAction, AuditEvent, Registration
from lti_tool.services.programs import find_bank_prompt
from lti_tool.web import session_scope
from tests.demo_browser import DemoBrowser
from tests.servers import free_port, served_process

ROOT = Path(__file__).resolve().parents[2]


def test_make_run_serves_a_seeded_demo_canvas_installed_in_the_tool(
    app: Flask, migrated: str, keys_dir: Path, tmp_path: Path
) -> None:
    port = free_port()
    demo_url, tool_url = f"http://127.0.0.1:{port}", f"http://localhost:{port}"
    pages_url = f"http://127.0.0.2:{port}"
    kept = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG")}
    env = {
        **kept,
        "SECRET_KEY": app.config["SECRET_KEY"],
        "DATABASE_URL": migrated,
        "LTI_TOOL_KEYS_DIR": str(keys_dir),
        "LTI_TOOL_BASE_URL": tool_url,
        "DEMO_CANVAS_BASE_URL": demo_url,
        "DEMO_CANVAS_DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "DEMO_CANVAS_COOKIE_SECURE": "0",
    }
    command = [sys.executable, "-m", "demo_canvas", "serve"]
    log = tmp_path / "devserver.log"
    with served_process(command, cwd=ROOT, env=env, url=demo_url, log=log):
        assert f"Open the demo Canvas:  {pages_url}/demo/" in log.read_text()
        assert requests.get(tool_url + "/demo/", timeout=5).url == pages_url + "/demo/"
        browser = DemoBrowser(pages_url)
        browser.sign_in("participant1")
        page = browser.launch_item("Officers", "Week 1 reflection")
    found = find_bank_prompt(SEEDED_BANK_PROMPTS["OFFICERS"][1]["prompt_bank"])
    assert found is not None
    assert page.response.status_code == 200 and page.url.startswith(tool_url)
    assert found[1].title in page.text and "<textarea" in page.text
    with session_scope(app) as session:
        (registration,) = session.scalars(select(Registration)).all()
        actions = session.scalars(select(AuditEvent.action)).all()
    assert registration.auth_login_url == demo_url + "/demo/api/lti/authorize_redirect"
    assert AuditAction.REGISTRATION_ADDED in actions
