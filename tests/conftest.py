"""Shared fixtures: an app on SQLite (default) or PostgreSQL (TEST_DATABASE_URL), and a small
signing platform served over loopback HTTP for protocol-level tests."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from alembic import command
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import text

from lti_tool import create_app
from lti_tool.cli.db import alembic_config
from lti_tool.db import Base
from lti_tool.web import wiring
from tests.platform import TestPlatform

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    if TEST_DATABASE_URL:
        return TEST_DATABASE_URL
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'tool.db'}"


@pytest.fixture(scope="session")
def keys_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(scope="session")
def migrated(database_url: str, keys_dir: Path) -> str:
    """The schema built once per run by the real migrations, from an empty database."""
    app = create_app(_config(database_url, keys_dir))
    with app.app_context():
        engine = wiring(app).engine
        with engine.begin() as connection:
            Base.metadata.drop_all(connection)
            connection.execute(text("DROP TABLE IF EXISTS alembic_version"))
        command.upgrade(alembic_config(app), "head")
        engine.dispose()
    return database_url


def _config(database_url: str, keys_dir: Path, **extra: Any) -> dict[str, Any]:
    return {
        "LTI_TOOL_ENV": "testing",
        "SECRET_KEY": "test-secret-key-that-is-long-enough-0123456789",
        "DATABASE_URL": database_url,
        "LTI_TOOL_BASE_URL": "http://localhost",
        "LTI_TOOL_KEYS_DIR": str(keys_dir),
        # Queued rows stay in the outbox unless a test hands them to the delivery thread: most
        # tests check what is queued, and their Canvas URLs are not served.
        "GRADE_SYNC_SEND_AFTER_RESPONSE": False,
        "GRADE_READ_BACK": False,  # nor do pages read Canvas's grades back
        **extra,
    }


@pytest.fixture
def app(migrated: str, keys_dir: Path) -> Iterator[Flask]:
    app = create_app(_config(migrated, keys_dir))
    yield app
    stop_delivery(app)
    _empty_tables(app)
    wiring(app).engine.dispose()


def stop_delivery(app: Flask) -> None:
    """Let the app's delivery thread finish what it was handed, then stop it."""
    wiring(app).stop_delivery()


def _empty_tables(app: Flask) -> None:
    with wiring(app).engine.begin() as connection:
        for table in reversed(Base.metadata.sorted_tables):
            connection.execute(table.delete())


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture(scope="session")
def platform_server() -> Iterator[TestPlatform]:
    platform = TestPlatform()
    platform.start()
    yield platform
    platform.stop()


@pytest.fixture
def platform(app: Flask, platform_server: TestPlatform) -> TestPlatform:
    """A registered platform with a fresh key set and call log for each test."""
    platform_server.reset()
    platform_server.register_with(app)
    return platform_server
