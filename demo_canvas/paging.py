"""``Link`` headers for paged service answers (numbered pages, as Canvas's line items and results
use).
"""

from __future__ import annotations

from urllib.parse import urlencode

from demo_canvas.errors import ServiceError


def page_params(args: dict[str, str], default_limit: int, max_limit: int) -> tuple[int, int]:
    """``(limit, page)`` from the query; Canvas caps ``limit`` instead of refusing it."""
    try:
        limit = int(args.get("limit", default_limit))
        page = int(args.get("page", 1))
    except ValueError as error:
        raise ServiceError(400, "limit and page must be integers") from error
    if limit < 1 or page < 1:
        raise ServiceError(400, "limit and page must be positive")
    return min(limit, max_limit), page


def link_header(base: str, query: dict[str, str], limit: int, page: int, total: int) -> str:
    last = max(1, -(-total // limit))

    def link(number: int, rel: str) -> str:
        return f'<{base}?{urlencode({**query, "page": number, "limit": limit})}>; rel="{rel}"'

    links = [link(page, "current")]
    if page < last:
        links.append(link(page + 1, "next"))
    if page > 1:
        links.append(link(page - 1, "prev"))
    links += [link(1, "first"), link(last, "last")]
    return ",".join(links)
