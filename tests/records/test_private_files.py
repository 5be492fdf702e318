"""Files holding people's records or the tool's secrets are owner-only from the moment they
exist: the course export (over earlier files and planted symbolic links), the completion report,
the embedded SQLite database with its instance folder, and the generated secret key."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest
from flask import Flask

from lti_tool.config import load_settings
from lti_tool.db import make_engine

from .conftest import World


def mode(path: Path) -> int:
    return stat.S_IMODE(path.lstat().st_mode)


def _export(app: Flask, world: World, out: Path) -> str:
    result = app.test_cli_runner().invoke(
        args=["course", "export", "--course-id", str(world.course_id), "--out", str(out)]
    )
    return str(result.output) if result.exit_code == 0 else f"failed: {result.output}"


def test_export_over_earlier_files_leaves_them_owner_only(
    world: World, app: Flask, tmp_path: Path
) -> None:
    out = tmp_path / "export"
    (out / "reflections").mkdir(parents=True)
    for name in ("grades.csv", "completion.csv", "reflections/index.html"):
        (out / name).write_text("old")
        (out / name).chmod(0o644)
    assert _export(app, world, out).startswith("Exported 2 participants")
    for name in ("grades.csv", "completion.csv", "reflections/index.html"):
        assert mode(out / name) == 0o600 and (out / name).read_text() != "old", name
    assert not [p.name for p in out.rglob(".*.tmp")]


def test_export_replaces_a_planted_link_instead_of_writing_through_it(
    world: World, app: Flask, tmp_path: Path
) -> None:
    elsewhere = tmp_path / "elsewhere.txt"
    elsewhere.write_text("not yours")
    out = tmp_path / "export"
    out.mkdir()
    (out / "grades.csv").symlink_to(elsewhere)
    assert _export(app, world, out).startswith("Exported 2 participants")
    assert elsewhere.read_text() == "not yours"
    assert not (out / "grades.csv").is_symlink() and mode(out / "grades.csv") == 0o600


def test_export_refuses_a_linked_documents_folder(world: World, app: Flask, tmp_path: Path) -> None:
    elsewhere = tmp_path / "shared"
    elsewhere.mkdir()
    out = tmp_path / "export"
    out.mkdir()
    (out / "reflections").symlink_to(elsewhere, target_is_directory=True)
    answer = _export(app, world, out)
    assert answer.startswith("failed") and "is a symbolic link" in answer
    assert list(elsewhere.iterdir()) == []


def test_a_new_export_folder_is_owner_only(world: World, app: Flask, tmp_path: Path) -> None:
    out = tmp_path / "new" / "export"
    assert _export(app, world, out).startswith("Exported")
    assert mode(out) == mode(out / "reflections") == mode(tmp_path / "new") == 0o700


def test_report_file_is_owner_only(world: World, app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "report.csv"
    target.write_text("old")
    target.chmod(0o644)
    args = ["course", "report", "--course-id", str(world.course_id), "--out", str(target)]
    assert app.test_cli_runner().invoke(args=args).exit_code == 0
    assert mode(target) == 0o600 and target.read_text() != "old"


@pytest.fixture
def open_umask() -> object:
    """The most permissive umask: whatever stays private does so by itself."""
    previous = os.umask(0)
    yield
    os.umask(previous)


@pytest.fixture
def embedded_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("DATABASE_URL", "SECRET_KEY", "LTI_TOOL_ENV", "LTI_TOOL_BASE_URL"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.usefixtures("open_umask", "embedded_defaults")
def test_instance_folder_database_and_secret_are_owner_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def no_chmod(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("created with the right mode, not changed after")

    monkeypatch.setattr(Path, "chmod", no_chmod)
    monkeypatch.setattr(os, "chmod", no_chmod)
    instance = tmp_path / "instance"
    settings = load_settings(instance)
    engine = make_engine(settings.database_url)
    with engine.connect() as connection:
        connection.exec_driver_sql("CREATE TABLE t (x INTEGER)")
        connection.commit()
    engine.dispose()
    assert mode(instance) == 0o700
    assert mode(instance / "secret_key") == 0o600
    assert mode(instance / "lti_tool.db") == 0o600


@pytest.mark.usefixtures("embedded_defaults")
def test_processes_starting_together_share_one_secret(tmp_path: Path) -> None:
    secrets: list[str] = []
    threads = [
        threading.Thread(target=lambda: secrets.append(load_settings(tmp_path).secret_key))
        for _ in range(8)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(secrets)) == 1 and len(secrets[0]) > 40
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]
