"""Where Canvas frames the tool (see /work/shared/canvas-lti.md, "Where the tool is framed")."""

from __future__ import annotations

from collections.abc import Mapping
from urllib.parse import urlsplit


def page_urls(
    return_url: str | None, custom: Mapping[str, str], deep_link_return_url: str | None
) -> list[str]:
    """Where a signed launch says the person is: the course page's host, which frames the tool.

    Canvas cloud serves an institution under its own domain (`canvas.school.edu`) with the
    shared issuer, so the issuer's host says nothing about it; the launch does:
    `launch_presentation.return_url`, the deep-link return URL and the `$Canvas.api.domain`
    custom field (a bare host, on the return URL's scheme, else https).
    """
    scheme = urlsplit(return_url).scheme if return_url else "https"
    api_domain = custom.get("canvas_api_domain")
    urls = [return_url, deep_link_return_url, f"{scheme}://{api_domain}" if api_domain else None]
    return [url for url in urls if url]
