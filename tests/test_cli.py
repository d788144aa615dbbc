"""The command line as a planner meets it: exit codes, messages, JSON, never a traceback."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests import crafted
from tests.conftest import SHIPPED, digest, run, set_cell


def test_help_lists_commands_each_with_an_example() -> None:
    out = run("--help")
    assert out.returncode == 0
    for command in ("template", "validate", "solve", "compare", "stress", "sweep", "diagnose"):
        assert command in out.stdout
        sub = run(command, "--help")
        assert sub.returncode == 0 and "Example: coprocure " + command in sub.stdout


def test_shipped_scenario_is_valid() -> None:
    out = run("validate", SHIPPED)
    assert out.returncode == 0, out.stderr
    assert "is valid: 0 error(s)" in out.stderr


def test_validate_json_is_machine_readable() -> None:
    out = run("validate", SHIPPED, "--json")
    assert out.returncode == 0
    summary = json.loads(out.stdout)
    assert summary["valid"] is True and summary["errors"] == 0
    assert summary["strategies"][0] == "base" and "crma-65" in summary["strategies"]


def test_invalid_workbook_exit_1_with_located_table(book: Path) -> None:
    set_cell(book, "Demand", 2, "buyer", "Japn")
    set_cell(book, "Supply", 3, "capacity", "lots")
    before = digest(book)
    out = run("validate", book)
    assert out.returncode == 1
    assert "ref-unknown" in out.stderr and "Japn" in out.stderr and "did you mean" in out.stderr
    assert "value-not-number" in out.stderr and "2 error(s)" in out.stderr
    assert digest(book) == before
    data = json.loads(run("validate", book, "--json").stdout)
    located = {(i["code"], i["sheet"], i["row"], i["column"]) for i in data["issues"]}
    assert ("ref-unknown", "Demand", 2, "A") in located
    assert ("value-not-number", "Supply", 3, "D") in located


@pytest.mark.parametrize("factory", ["make_legacy_xls", "make_csv", "make_encrypted_xlsx",
                                     "make_truncated", "make_empty", "make_billion_laughs"])
def test_wrong_files_get_one_line_and_exit_1(factory: str, tmp_path: Path) -> None:
    path = getattr(crafted, factory)(tmp_path)
    out = run("validate", path)
    assert out.returncode == 1
    lines = [line for line in out.stderr.splitlines() if line.strip()]
    assert len(lines) == 1 and path.name in lines[0]


def test_missing_file(tmp_path: Path) -> None:
    out = run("validate", tmp_path / "nope.xlsx")
    assert out.returncode == 1 and "does not exist" in out.stderr


def test_usage_error_exits_2() -> None:
    assert run("validate").returncode == 2
    assert run("no-such-command").returncode == 2


def test_template_then_validate(tmp_path: Path) -> None:
    path = tmp_path / "t.xlsx"
    assert run("template", path).returncode == 0
    assert run("validate", path).returncode == 0
    before = digest(path)
    again = run("template", path)
    assert again.returncode == 1 and "exists" in again.stderr
    assert digest(path) == before
    assert run("template", path, "--force").returncode == 0


@pytest.mark.parametrize("target", ["missing-folder/t.xlsx", "t.txt"])
def test_template_bad_target_writes_nothing(tmp_path: Path, target: str) -> None:
    out = run("template", tmp_path / target)
    assert out.returncode == 1
    assert list(tmp_path.rglob("*")) == []
