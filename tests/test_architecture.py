"""The walls between layers (README "Layout"): import-linter's contracts in pyproject.toml, run
with the suite so a forbidden import fails `make test`."""

from __future__ import annotations

from pathlib import Path

import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent


def test_import_contracts_are_kept(capsys: pytest.CaptureFixture[str]) -> None:
    exit_code = lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), no_cache=True, no_logo=True
    )
    report = capsys.readouterr().out
    assert exit_code == 0, report
    assert "broken" in report and ", 0 broken" in report
