"""Walkthroughs in headless Chromium through the demo Canvas (see conftest.py)."""
