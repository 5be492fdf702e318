"""Autosave, then a first submit: the submission reaches Canvas with no worker running.

The bug report: a participant who waited for "Saved hh:mm" and then submitted stayed "On its way
to the Canvas gradebook" forever. Chromium resets the submit's connection after that autosave;
Werkzeug then skips closing the response, so a delivery hung on `call_on_close` never ran, and
with no worker the row waited forever. Here a raw socket does what Chromium did, against the
tool served by a real threaded server.
"""

from __future__ import annotations

import socket
import struct
import time
from urllib.parse import urlencode

import requests
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from demo_canvas.seed import SEEDED_BANK_PROMPTS
from lti_tool.models.grade_sync import OutboxItem, OutboxStatus
from lti_tool.web import session_scope
from tests.platform import CLIENT_ID, TestPlatform
from tests.reflections.conftest import Canvas as Launcher
from tests.servers import serving

from .canvas import DemoCanvas

TEXT = "At a routine stop I judged the driver by his car before he said a word."


def submit_then_reset(host: str, path: str, form: dict[str, str]) -> bytes:
    """POST the form, read the answer's status line, then reset the connection (RST), with the
    browser's next bytes already sent, as Chromium's frame navigation did."""
    body = urlencode(form).encode()
    head = (
        f"POST {path} HTTP/1.1\r\nHost: {host}\r\n"
        "Content-Type: application/x-www-form-urlencoded\r\n"
        f"Content-Length: {len(body)}\r\n\r\n"
    ).encode()
    address, port = host.split(":")
    with socket.create_connection((address, int(port)), timeout=10) as connection:
        connection.sendall(head + body + b"GET /participant/ HTTP/1.1\r\n")
        status = connection.recv(64)
        connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    return status


def wait_for(check: object, seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.05)
    return False


def test_autosave_then_a_first_submit_reaches_canvas_though_the_browser_resets(
    app: Flask, client: FlaskClient, platform: TestPlatform, canvas: DemoCanvas
) -> None:
    app.config["GRADE_SYNC_SEND_AFTER_RESPONSE"] = True
    sub = canvas.user_sub("participant1")
    person = Launcher(client, platform).launch(
        sub,
        link="week-1",
        custom=dict(SEEDED_BANK_PROMPTS["OFFICERS"][1]),
        lineitem=canvas.line_item_url(),
    )
    canvas.answer_for(CLIENT_ID)
    page = person.landing.get_data(as_text=True)
    prompt_path = page.split('data-autosave-url="')[1].split('"')[0].removesuffix("/draft")

    with serving(app) as host:
        saved = requests.post(
            f"http://{host}{prompt_path}/draft",
            json={"text": TEXT, "revision": 0},
            headers={"Authorization": f"Bearer {person.token}"},
            timeout=10,
        )
        assert saved.status_code == 200, saved.text
        form = {"st": person.token, "text": TEXT, "revision": str(saved.json()["revision"])}
        status = submit_then_reset(host, f"{prompt_path}/submit", {**form, "action": "submit"})
        assert status.startswith(b"HTTP/1.1 303")

        def delivered() -> bool:
            with session_scope(app) as session:
                rows = list(session.scalars(select(OutboxItem)))
            return len(rows) == 1 and rows[0].status == OutboxStatus.SENT

        assert wait_for(delivered), "the first submission never left the outbox"
    assert canvas.gradebook()[sub]["attempt"] == 1
