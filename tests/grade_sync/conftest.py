"""Fixtures for grade sync: the demo Canvas on loopback, the tool's rows, a fake clock."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from flask import Flask

from lti_tool.services.delivery import Sender, Worker
from lti_tool.web import wiring

from .canvas import DemoCanvas, FakeClock, seed_database


@pytest.fixture(scope="session")
def seeded_demo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return seed_database(tmp_path_factory.mktemp("demo_seed"))


@pytest.fixture
def canvas(app: Flask, seeded_demo: Path, tmp_path: Path) -> Iterator[DemoCanvas]:
    demo = DemoCanvas(app, seeded_demo, tmp_path)
    with demo.running():
        yield demo


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def sender(app: Flask, clock: FakeClock) -> Sender:
    return Sender(
        wiring(app).sessions,
        wiring(app).service_client,
        name="test-worker",
        clock=clock,
        jitter=lambda: 0.0,
    )


@pytest.fixture
def worker(sender: Sender, clock: FakeClock) -> Worker:
    return Worker(sender, sleep=clock.sleep, poll=3600.0)
