"""``python -m demo_canvas serve``: the tool and the demo Canvas on one port (``make run``)."""

from __future__ import annotations

import threading
from urllib.parse import urlsplit

import click
from flask import Flask
from werkzeug.serving import BaseWSGIServer, make_server

import demo_canvas
import lti_tool
from demo_canvas import urls
from demo_canvas.devserver import DevServer, install, tool_output
from demo_canvas.front import tour_links
from demo_canvas.samples import load_sample_sessions
from lti_tool.background import start_background_delivery

PAGES_HOST = "127.0.0.2"
"""Where the demo's course pages are, by default: a third site, neither the issuer nor the login
host (127.0.0.1) nor the tool (localhost), as an institution's own Canvas domain is."""


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

    One port, three sites as in Canvas cloud: the demo's login host and APIs as 127.0.0.1, its
    course pages as 127.0.0.2, the tool as localhost (DEMO_CANVAS_BASE_URL,
    DEMO_CANVAS_PAGES_URL and LTI_TOOL_BASE_URL move them).
    """
    tool, demo = _apps()
    with demo.app_context():
        demo_url, tool_url = urls.demo_base(), urls.tool_base()
    port = urlsplit(demo_url).port or 80
    demo.config.setdefault(
        "DEMO_CANVAS_PAGES_URL", f"{urlsplit(demo_url).scheme}://{PAGES_HOST}:{port}"
    )
    with demo.app_context():
        pages_url, issuer = urls.pages_base(), urls.issuer()
    if {urlsplit(url).port or 80 for url in (tool_url, pages_url)} != {port}:
        raise click.ClickException(
            "DEMO_CANVAS_BASE_URL, DEMO_CANVAS_PAGES_URL and LTI_TOOL_BASE_URL need the same port"
        )
    # Bound before delivery starts, so the queued sample grades find the demo listening.
    servers = listen(DevServer(tool, demo), port, pages_url)
    install(demo, tool)
    load_sample_sessions(demo, lambda arguments: tool_output(tool, arguments))
    demo.config["DEMO_TOUR_LINKS"] = tour_links(lambda arguments: tool_output(tool, arguments))
    demo.config["DEMO_CANVAS_REGISTRATION_URL"] = installation_link(tool)
    click.echo(f"\n  Open the demo Canvas:  {pages_url}/demo/")
    click.echo(f"  Its login host:        {demo_url} (issuer {issuer})")
    click.echo(f"  The tool answers at:   {tool_url} (framed by the demo Canvas)")
    click.echo("  Grades and submissions are delivered to Canvas in the background.")
    click.echo("  The sample sessions (75 officers, 25 leaders, fictional) fill the gradebook as")
    click.echo("  their queued grades arrive, within a minute of starting.\n")
    start_background_delivery(tool)
    for extra in servers[1:]:
        threading.Thread(target=extra.serve_forever, daemon=True).start()
    servers[0].serve_forever()


def listen(app: DevServer, port: int, pages_url: str) -> list[BaseWSGIServer]:
    """Servers on 127.0.0.1 (the login host, and the tool as localhost) and, when the pages host
    is another IPv4 loopback address (127.x.y.z), on that one too."""
    addresses = ["127.0.0.1"]
    pages_host = urlsplit(pages_url).hostname or ""
    if pages_host.startswith("127.") and pages_host not in addresses:
        addresses.append(pages_host)
    servers = []
    for address in addresses:
        try:
            servers.append(make_server(address, port, app, threaded=True))
        except OSError as error:
            raise click.ClickException(
                f"cannot listen on {address}:{port} ({error.strerror}). On macOS, add the "
                f"loopback address first: sudo ifconfig lo0 alias {address} up"
            ) from error
    return servers


def installation_link(tool: Flask) -> str:
    """A single-use installation link made as the tool's operator makes one, so the demo's Admin
    page can walk through dynamic registration (the tool refuses it without such a link)."""
    answer = tool_output(tool, ["registration", "invite", "--note", "demo Canvas admin page"])
    return answer.strip().splitlines()[-1]


if __name__ == "__main__":
    main()
