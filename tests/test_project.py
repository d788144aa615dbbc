"""Project hygiene that a new user relies on: docs in step with the schema, lint clean."""

from __future__ import annotations

import shutil
import subprocess
import sys

from optimizer.workbook.reference import DEFAULT_PATH, format_reference
from tests.conftest import ROOT


def test_format_reference_is_generated_from_the_schema() -> None:
    assert DEFAULT_PATH.read_text(encoding="utf-8") == format_reference(), (
        "docs/workbook-format.md is stale: run python -m optimizer.workbook.reference")


def test_ruff_is_clean() -> None:
    ruff = shutil.which("ruff") or [sys.executable, "-m", "ruff"]
    cmd = [ruff] if isinstance(ruff, str) else ruff
    out = subprocess.run([*cmd, "check", str(ROOT)], capture_output=True, text=True, cwd=ROOT)
    assert out.returncode == 0, out.stdout + out.stderr


def test_mypy_is_clean() -> None:
    # the files and strictness are [tool.mypy] in pyproject.toml; .mypy_cache keeps re-runs fast
    out = subprocess.run([sys.executable, "-m", "mypy"], capture_output=True, text=True,
                         cwd=ROOT, timeout=600)
    assert out.returncode == 0, out.stdout + out.stderr


def test_python_example_runs() -> None:
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "python_api.py")],
                         capture_output=True, text=True, timeout=300, cwd=ROOT.parent)
    assert out.returncode == 0, out.stderr
    assert "crma-65: optimal" in out.stdout and "independent check passed" in out.stdout
