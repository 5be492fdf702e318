"""``python -m demo_canvas serve``: the tool and the demo Canvas on one port (``make run``)."""

from __future__ import annotations

from urllib.parse import urlsplit

import click
from flask import Flask
from werkzeug.serving import make_server

import demo_canvas
import lti_tool
from demo_canvas import urls
from demo_canvas.devserver import DevServer, install, tool_output
from demo_canvas.front import tour_links
from demo_canvas.samples import load_sample_sessions
from lti_tool.background import start_background_delivery


def _apps() -> tuple[Flask, Flask]:
    """The tool on its usual settings, and the demo Canvas told where the tool is."""
    tool = lti_tool.create_app()
    demo = demo_canvas.create_app({"LTI_TOOL_BASE_URL": tool.config["LTI_TOOL_BASE_URL"]})
    return tool, demo


@click.group(help="The built-in demo Canvas (development only).")
def main() -> None:
    pass


@main.command("install")
def install_command() -> None:
    """Register the demo Canvas with the tool (the tool's database must be migrated)."""
    tool, demo = _apps()
    install(demo, tool)
    click.echo("The demo Canvas is registered with the tool.")


@main.command("serve")
def serve() -> None:
    """Start the tool and the demo Canvas in one threaded server and print where to go.

    Both answer on one port: the demo as 127.0.0.1, the tool as localhost (set
    DEMO_CANVAS_BASE_URL and LTI_TOOL_BASE_URL to move them), two sites as in real Canvas.
    """
    tool, demo = _apps()
    with demo.app_context():
        demo_url, tool_url = urls.demo_base(), urls.tool_base()
    port = urlsplit(demo_url).port or 80
    if (urlsplit(tool_url).port or 80) != port:
        raise click.ClickException("DEMO_CANVAS_BASE_URL and LTI_TOOL_BASE_URL need the same port")
    install(demo, tool)
    load_sample_sessions(demo, lambda arguments: tool_output(tool, arguments))
    demo.config["DEMO_TOUR_LINKS"] = tour_links(lambda arguments: tool_output(tool, arguments))
    demo.config["DEMO_CANVAS_REGISTRATION_URL"] = installation_link(tool)
    click.echo(f"\n  Open the demo Canvas:  {demo_url}/demo/")
    click.echo(f"  The tool answers at:   {tool_url} (framed by the demo Canvas)")
    click.echo("  Grades and submissions are delivered to Canvas in the background.")
    click.echo("  The sample sessions (75 officers, 25 leaders, fictional) fill the gradebook as")
    click.echo("  their queued grades arrive, within a minute of starting.\n")
    # Bound before delivery starts, so the queued sample grades find the demo listening.
    server = make_server("127.0.0.1", port, DevServer(tool, demo), threaded=True)
    start_background_delivery(tool)
    server.log_startup()
    server.serve_forever()


def installation_link(tool: Flask) -> str:
    """A single-use installation link made as the tool's operator makes one, so the demo's Admin
    page can walk through dynamic registration (the tool refuses it without such a link)."""
    answer = tool_output(tool, ["registration", "invite", "--note", "demo Canvas admin page"])
    return answer.strip().splitlines()[-1]


if __name__ == "__main__":
    main()
