"""`flask --app lti_tool demo serve`: the tool and the demo Canvas together, on one port."""

from __future__ import annotations

from urllib.parse import urlsplit

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from werkzeug.serving import run_simple

from lti_tool.background import start_background_delivery
from demo_canvas.registration import configure_developer_key, install_into_tool
from lti_tool.services.install import canvas_developer_key

demo_cli = AppGroup("demo", help="The built-in demo Canvas (development only).")


def install(app: Flask) -> None:
    """Configure the demo's developer key from the tool's JSON and register it with the tool,
    as a Canvas admin would; safe to repeat."""
    configure_developer_key(app, canvas_developer_key(app.config["LTI_TOOL_BASE_URL"]))
    install_into_tool(app)


@demo_cli.command("install")
def install_command() -> None:
    """Register the demo Canvas with the tool (the tool's database must be migrated)."""
    install(current_app._get_current_object())  # type: ignore[attr-defined]
    click.echo("The demo Canvas is registered with the tool.")


@demo_cli.command("serve")
def serve() -> None:
    """Start the tool and the demo Canvas in one threaded server and print where to go.

    Both answer on one port: the demo as 127.0.0.1, the tool as localhost (set
    DEMO_CANVAS_BASE_URL and LTI_TOOL_BASE_URL to move them), two sites as in real Canvas.
    """
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    demo_url = app.config.get("DEMO_CANVAS_BASE_URL") or "http://127.0.0.1:5000"
    tool_url = app.config["LTI_TOOL_BASE_URL"]
    port = urlsplit(demo_url).port or 80
    if (urlsplit(tool_url).port or 80) != port:
        raise click.ClickException("DEMO_CANVAS_BASE_URL and LTI_TOOL_BASE_URL need the same port")
    install(app)
    click.echo(f"\n  Open the demo Canvas:  {demo_url}/demo/")
    click.echo(f"  The tool answers at:   {tool_url} (framed by the demo Canvas)")
    click.echo("  Grades and submissions are delivered to Canvas in the background.\n")
    start_background_delivery(app)
    run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)
