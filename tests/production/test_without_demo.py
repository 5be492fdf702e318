"""The product without the demo Canvas: the wheel holds no demo file, the tool imports and serves
where the demo cannot be imported, and an app started without `LTI_TOOL_ENV` (as gunicorn runs
`lti_tool:create_app()`) serves no demo page. The demo runs only from `python -m demo_canvas`."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.servers import free_port, served_process

ROOT = Path(__file__).resolve().parents[2]
IMPORT_EVERY_MODULE = """
import importlib, pkgutil, sys
import lti_tool
for module in pkgutil.walk_packages(lti_tool.__path__, "lti_tool."):
    importlib.import_module(module.name)
assert not [name for name in sys.modules if name.startswith("demo_canvas")]
print("ok")
"""


def _environment(tmp_path: Path, database_url: str = "") -> dict[str, str]:
    """Settings of a bare deployment: no LTI_TOOL_ENV (so "development"), no demo variable, and a
    working directory outside the repository, where only the installed product is importable."""
    kept = {k: v for k, v in os.environ.items() if k in ("PATH", "HOME", "LANG", "SYSTEMROOT")}
    return {
        **kept,
        "SECRET_KEY": "bare-deployment-secret-0123456789abcdef",
        "DATABASE_URL": database_url or f"sqlite:///{tmp_path / 'tool.db'}",
        "LTI_TOOL_KEYS_DIR": str(tmp_path / "keys"),
    }


def _python(code: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 - this interpreter, the test's own code
        [sys.executable, "-c", code],
        cwd=tmp_path,
        env=_environment(tmp_path),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_the_product_wheel_has_no_demo_file(tmp_path: Path) -> None:
    source = tmp_path / "source"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("lti_tool", "demo_canvas"):
        shutil.copytree(ROOT / folder, source / folder, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    subprocess.run(  # noqa: S603 - fixed arguments, no network (--no-index)
        [sys.executable, "-m", "pip", "wheel", ".", "--no-deps", "--no-build-isolation"]
        + ["--no-index", "--quiet", "--wheel-dir", str(tmp_path / "dist")],
        cwd=source,
        check=True,
        capture_output=True,
        timeout=120,
    )
    (wheel,) = (tmp_path / "dist").glob("lti_tool-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "lti_tool/__init__.py" in names and "lti_tool/programs/officers.json" in names
    assert any(name.startswith("lti_tool/templates/") for name in names)
    assert [name for name in names if "demo" in name.lower()] == []


def test_every_tool_module_imports_where_the_demo_cannot(tmp_path: Path) -> None:
    assert _python("import demo_canvas", tmp_path).returncode != 0
    result = _python(IMPORT_EVERY_MODULE, tmp_path)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.fixture
def gunicorn(tmp_path: Path, migrated: str) -> Iterator[str]:
    """`gunicorn 'lti_tool:create_app()'` on a loopback port over the migrated test database,
    started as an operator would."""
    port = free_port()
    command = [str(Path(sys.executable).parent / "gunicorn"), "--bind", f"127.0.0.1:{port}"]
    command += ["--workers", "1", "lti_tool:create_app()"]
    url = f"http://127.0.0.1:{port}"
    env = _environment(tmp_path, migrated)
    with served_process(command, cwd=tmp_path, env=env, url=url, log=tmp_path / "gunicorn.log"):
        yield url


def test_gunicorn_without_lti_tool_env_serves_the_tool_and_no_demo(gunicorn: str) -> None:
    assert requests.get(gunicorn + "/health", timeout=5).json()["status"] == "ok"
    assert requests.get(gunicorn + "/lti/jwks", timeout=5).json()["keys"]
    assert requests.get(gunicorn + "/lti/config.json", timeout=5).status_code == 200
    for path in ("/demo/", "/demo/api/lti/security/jwks", "/demo/login/oauth2/token"):
        assert requests.get(gunicorn + path, timeout=5).status_code == 404, path
