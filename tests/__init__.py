"""The suite; a package so `tests/demo_canvas` never shadows the top-level `demo_canvas`."""
