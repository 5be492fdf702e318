"""Request bodies in JSON: what the standard parser cannot read safely is unreadable (400)."""

from __future__ import annotations

from typing import Any

from flask.json.provider import DefaultJSONProvider


class RequestJSONProvider(DefaultJSONProvider):
    """A body nested deeper than Python's recursion limit makes `json` raise `RecursionError`,
    which Flask would turn into a 500; as a `ValueError` it is a malformed body like any other
    (`get_json(silent=True)` gives None, `get_json()` answers 400)."""

    def loads(self, s: str | bytes, **kwargs: Any) -> Any:
        try:
            return super().loads(s, **kwargs)
        except RecursionError as error:
            raise ValueError("The JSON body is nested too deeply") from error
