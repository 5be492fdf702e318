"""Where the browser tests find Chromium, and what happens when it is missing: a skip that
says why, or, with the environment variable ``CI`` set, a failure."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest


def chromium_path() -> str | None:
    wanted = os.environ.get("CHROMIUM")
    if wanted:
        return wanted if Path(wanted).exists() else None
    return shutil.which("chromium") or shutil.which("chromium-browser")


def browser_unavailable(reason: str) -> NoReturn:
    message = f"browser tests need Chromium: {reason} (Debian: apt-get install chromium)"
    if os.environ.get("CI"):
        pytest.fail(message + "; CI is set, so this fails the run", pytrace=False)
    pytest.skip(message)
