"""The reflection tests' fixtures (launches as Canvas would, a placed prompt, scores kept in the
outbox)."""

from __future__ import annotations

from tests.reflections import conftest as reflections

canvas = reflections.canvas
placed = reflections.placed
_no_delivery = reflections._no_delivery
