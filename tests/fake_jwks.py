"""The demo Canvas's HTTP client in tests: it answers the tool's JWKS URL from memory, and any
other URL is a connection error, so no test leaves the machine."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import requests


class JwksResponse:
    def __init__(self, body: Any) -> None:
        self.body = body

    def raise_for_status(self) -> None:
        return None

    def json(self) -> Any:
        return self.body


class ToolJwks:
    """`jwks` gives the key set each time it is asked, so a rotation shows at the next fetch."""

    def __init__(self, url: str, jwks: Callable[[], dict[str, Any]]) -> None:
        self.url = url
        self.jwks = jwks
        self.calls: list[str] = []

    def get(self, url: str, *, timeout: float) -> JwksResponse:
        self.calls.append(url)
        if url != self.url:
            raise requests.ConnectionError(url)
        return JwksResponse(self.jwks())
