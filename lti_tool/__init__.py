"""A Canvas LTI 1.3 tool for reflection prompts, feedback threads and grade sync."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from flask import Flask


def create_app(config: Any = None, **options: Any) -> Flask:
    """The Flask app (see `lti_tool.app`); imported on call, so importing a service or a model
    does not load Flask."""
    from lti_tool.app import create_app as build

    return build(config, **options)
