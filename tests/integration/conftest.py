from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from tests.demo_browser import DemoSite, demo_site


@pytest.fixture
def site(app: Flask, migrated: str, keys_dir: Path, tmp_path: Path) -> Iterator[DemoSite]:
    """The tool and the demo Canvas served over loopback; the `app` fixture empties the tool's
    tables afterwards, the demo's database is new for each test."""
    with demo_site(migrated, keys_dir, tmp_path / "demo.db") as served:
        yield served
