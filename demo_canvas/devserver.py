"""The development server: the tool and the demo Canvas composed on one port, two sites.

``/demo/…`` goes to the demo Canvas, everything else to the tool; the demo is reached as
``127.0.0.1`` and the tool as ``localhost`` (``DEMO_CANVAS_BASE_URL``, ``LTI_TOOL_BASE_URL``), so
the tool is a real third-party iframe as in Canvas. The tool's own ``create_app()`` knows nothing of
this: only this module (and the tests' served sites) puts the two together.

Installing follows what a Canvas admin and the tool's operator do, through the tool's public
interfaces only: the admin pastes the tool's developer-key JSON (``GET /lti/config.json``) into
Canvas, and the operator registers the platform with ``flask --app lti_tool registration add``.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from contextlib import redirect_stdout
from typing import TYPE_CHECKING, Any

from flask import Flask
from sqlalchemy import select
from werkzeug.test import Client

from demo_canvas import urls
from demo_canvas.db import demo_session
from demo_canvas.models import DeveloperKey
from demo_canvas.registration import configure_developer_key

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class DevServer:
    """One WSGI app for one port: the demo Canvas under ``/demo``, the tool everywhere else."""

    def __init__(self, tool: WSGIApplication, demo: WSGIApplication) -> None:
        self.tool = tool
        self.demo = demo

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = str(environ.get("PATH_INFO", ""))
        is_demo = path == urls.PREFIX or path.startswith(urls.PREFIX + "/")
        return (self.demo if is_demo else self.tool)(environ, start_response)


def install(demo: Flask, tool: Flask) -> None:
    """Install the tool in the demo Canvas and the demo in the tool; safe to repeat.

    The demo's seeded developer key takes the tool's developer-key JSON, then every demo key is
    registered with the tool by its operator command. Keys the tool already trusts are left alone.
    """
    configure_developer_key(demo, tool_configuration(tool))
    for arguments in registration_arguments(demo):
        run_tool_command(tool, ["registration", "add", "--exist-ok", *arguments])


def tool_configuration(tool: Flask) -> dict[str, Any]:
    """The tool's developer-key JSON, asked over HTTP (in process) as an admin's browser would."""
    response = Client(tool).get("/lti/config.json", base_url=tool.config["LTI_TOOL_BASE_URL"])
    if response.status_code != 200:
        raise RuntimeError(f"the tool's /lti/config.json answered {response.status}")
    config = response.json
    if not isinstance(config, dict):
        raise RuntimeError("the tool's /lti/config.json is not a JSON object")
    return config


def registration_arguments(demo: Flask) -> list[list[str]]:
    """``registration add`` options for each demo developer key and its deployments."""
    with demo.app_context(), demo_session(demo) as session:
        platform = [
            *("--issuer", urls.issuer()),
            *("--auth-login-url", urls.authorize_redirect()),
            *("--auth-token-url", urls.token()),
            *("--key-set-url", urls.jwks()),
        ]
        return [
            [
                *platform,
                *("--client-id", key.client_id),
                *(
                    option
                    for deployment in key.deployments
                    for option in ("--deployment-id", deployment.deployment_id)
                ),
            ]
            for key in session.scalars(select(DeveloperKey).order_by(DeveloperKey.id))
        ]


def run_tool_command(tool: Flask, arguments: list[str]) -> None:
    """``flask --app lti_tool ARGUMENTS`` for this tool app, run in this process."""
    with tool.app_context():
        tool.cli.main(arguments, prog_name="flask --app lti_tool", standalone_mode=False)


def tool_output(tool: Flask, arguments: list[str]) -> str:
    """What ``flask --app lti_tool ARGUMENTS`` prints, run in this process (as an operator
    would run it and read the answer, e.g. the link `walkthrough create` makes)."""
    printed = io.StringIO()
    with redirect_stdout(printed):
        run_tool_command(tool, arguments)
    return printed.getvalue()
