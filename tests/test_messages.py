"""Messages a planner trusts: help that says what each command does, a missing file
reported at once, only the real problem reported, values shown as typed, undefined
figures shown as undefined, and warnings for inputs no workbook could mean."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest

from optimizer.cli.compare import COMPARE_COLUMNS
from optimizer.cli.stress import STRESS_COLUMNS
from optimizer.cli.sweep import SWEEP_COLUMNS
from optimizer.workbook.load import load_workbook
from tests.conftest import SHIPPED, append_row, edit, letter, run, set_cell


def _cli(cwd: Path, *args: str | Path) -> subprocess.CompletedProcess:
    """``coprocure ARGS`` run from ``cwd``, where commands write their default workbooks."""
    proc = subprocess.run([sys.executable, "-m", "optimizer.cli", *map(str, args)], cwd=cwd,
                          capture_output=True, text=True, timeout=600)
    assert "Traceback" not in proc.stderr + proc.stdout
    return proc


def _help(command: str) -> str:
    """A command's --help as one line: Click folds lines, even inside a file name."""
    text = run(command, "--help").stdout
    return re.sub(r"-\s+", "-", " ".join(text.split()))


def _issues(path: Path) -> list[tuple[str, str | None]]:
    return [(i.code, i.sheet) for i in load_workbook(path).issues]


# 1. Help texts -----------------------------------------------------------------------------

def test_output_help_names_the_workbook_each_command_writes(tmp_path: Path,
                                                           template_file: Path) -> None:
    scenario = tmp_path / "plan.xlsx"
    scenario.write_bytes(template_file.read_bytes())
    runs = {
        "solve": (["-s", "crma-65"], "plan-crma-65-results.xlsx", "SCENARIO-STRATEGY-results"),
        "compare": (["-s", "crma-65"], "plan-comparison.xlsx", "SCENARIO-comparison.xlsx"),
        "stress": (["-s", "base"], "plan-stress.xlsx", "SCENARIO-stress.xlsx"),
        "sweep": (["--vary", "Settings::discount_rate=0:0.1:2"], "plan-sweep.xlsx",
                  "SCENARIO-sweep.xlsx"),
    }
    for command, (options, written, documented) in runs.items():
        assert documented in _help(command), command
        extra = [] if command == "solve" else ["--workers", "1"]
        proc = _cli(tmp_path, command, scenario.name, *options, *extra, "-q")
        assert proc.returncode == 0, proc.stderr
        assert (tmp_path / written).exists(), (command, sorted(p.name for p in tmp_path.iterdir()))
    assert "SCENARIO-results.xlsx" in _help("solve")  # the base workbook's name
    assert "SCENARIO-sweep-CURVE.xlsx" in _help("sweep")
    assert "SCENARIO-STRATEGY-results" not in _help("compare") + _help("stress") + _help("sweep")


@pytest.mark.parametrize(("command", "catalogue"), [
    ("compare", COMPARE_COLUMNS), ("stress", STRESS_COLUMNS), ("sweep", SWEEP_COLUMNS)])
def test_columns_help_example_is_a_choice_of_that_command(command: str, catalogue: tuple) -> None:
    example = re.search(r"--columns <str> .*?e\.g\. '([^']+)'", _help(command))
    assert example, _help(command)
    names = {c.name for c in catalogue}
    assert set(example.group(1).split(",")) <= names, (example.group(1), names)


def test_validate_quiet_does_what_its_help_says(book: Path) -> None:
    assert "Print nothing when the workbook is valid" in _help("validate")
    assert run("validate", "-q", book).stderr == ""
    set_cell(book, "Supply", 2, "capacity", "lots")
    bad = run("validate", "-q", book)
    assert bad.returncode == 1 and "value-not-number" in bad.stderr  # still listed


# 2. A missing input file, at once ---------------------------------------------------------

def test_missing_file_is_reported_before_anything_heavy_is_imported(tmp_path: Path) -> None:
    proc = subprocess.run([sys.executable, "-X", "importtime", "-m", "optimizer.cli",
                           "validate", tmp_path / "nope.xlsx"], capture_output=True, text=True,
                          timeout=120)
    assert proc.returncode == 1
    said = [line for line in proc.stderr.splitlines() if not line.startswith("import time:")]
    assert said == [f"error: {tmp_path / 'nope.xlsx'} does not exist"]
    imported = {line.split("|")[-1].strip() for line in proc.stderr.splitlines()
                if line.startswith("import time:")}
    heavy = {"pandas", "numpy", "pyomo", "openpyxl", "python_calamine", "highspy", "pydantic",
             "optimizer.workbook.load"}
    assert imported & heavy == set()


def test_missing_inputs_of_every_command_and_json(tmp_path: Path, book: Path) -> None:
    nope = tmp_path / "nope.xlsx"
    for command, options in (("solve", ["-o", tmp_path / "out.xlsx"]), ("diagnose", []),
                             ("compare", ["-o", tmp_path / "out.xlsx"]),
                             ("stress", ["-o", tmp_path / "out.xlsx"]),
                             ("sweep", ["--curve", "stockpile", "-o", tmp_path / "out.xlsx"])):
        proc = run(command, nope, *options)
        assert proc.returncode == 1 and proc.stderr == f"error: {nope} does not exist\n", command
    other = run("stress", book, "--disruptions", nope, "-o", tmp_path / "s.xlsx")
    assert other.returncode == 1 and other.stderr == f"error: {nope} does not exist\n"
    as_json = run("validate", "--json", nope)
    assert as_json.returncode == 1
    assert json.loads(as_json.stdout)["issues"][0]["code"] == "file-not-found"
    assert not (tmp_path / "out.xlsx").exists()


def test_what_the_early_check_leaves_to_the_parser(tmp_path: Path) -> None:
    nope = tmp_path / "nope.xlsx"
    assert run("validate", nope, "--help").returncode == 0  # help, not an error
    assert run("solve", nope, "--bogus").returncode == 2  # a usage error as before
    assert run("solve").returncode == 2


def test_an_unopenable_file_is_one_line_not_a_crash(tmp_path: Path) -> None:
    long = tmp_path / ("x" * 300 + ".xlsx")  # unreadable even for root: name too long
    proc = run("validate", long)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.startswith("error: ") and "cannot be read: File name too long" in \
        proc.stderr and "internal error" not in proc.stderr


# 3. Only the real problem -----------------------------------------------------------------

def test_missing_column_is_the_only_problem_of_its_sheet(book: Path) -> None:
    edit(book, lambda wb: wb["Demand"].delete_cols(2))  # material
    assert _issues(book) == [("column-missing", "Demand")]


def test_missing_column_of_a_referenced_sheet_has_no_follow_on(book: Path) -> None:
    # Supply, Routes, Policies, Disruptions and the no-china strategy name suppliers and
    # countries: none of them is wrong because Suppliers cannot be read
    edit(book, lambda wb: wb["Suppliers"].delete_cols(2))  # country
    assert _issues(book) == [("column-missing", "Suppliers")]


def test_unreadable_periods_do_not_make_wide_sheets_wrong(book: Path) -> None:
    def wide_demand(wb: openpyxl.Workbook) -> None:
        ws = wb["Demand"]
        ws.delete_rows(1, ws.max_row)
        ws.append(["buyer", "material", "2026", "2027"])
        ws.append(["Japan", "NdPr oxide", 5000, 5100])

    edit(book, wide_demand)
    edit(book, lambda wb: wb["Periods"].delete_cols(1))  # period
    assert _issues(book) == [("column-missing", "Periods")]


def test_missing_sheet_has_no_follow_on(book: Path) -> None:
    edit(book, lambda wb: wb.remove(wb["Suppliers"]))
    assert _issues(book) == [("sheet-missing", "Suppliers")]


# 4. Values as typed -----------------------------------------------------------------------

def test_numbers_are_echoed_as_typed(book: Path) -> None:
    set_cell(book, "Supply", 2, "capacity", -450)
    set_cell(book, "Policies", 2, "share", 65)
    set_cell(book, "Disruptions", 2, "probability", 12.5)
    issues = {i.sheet: i for i in load_workbook(book).errors}
    assert issues["Supply"].value_text == "-450" and "(found -450)" in \
        issues["Supply"].one_line()
    assert issues["Policies"].value_text == "65"
    assert issues["Disruptions"].value_text == "12.5"  # real decimals stay
    as_json = json.loads(run("validate", "--json", book).stdout)
    values = {i["sheet"]: i["value"] for i in as_json["issues"]}
    assert values == {"Supply": -450, "Policies": 65, "Disruptions": 12.5}
    assert isinstance(values["Supply"], int) and isinstance(values["Disruptions"], float)
    table = run("validate", book).stderr
    assert re.search(r"│ -450 +│", table) and re.search(r"│ 65 +│", table), table
    assert "-450.0" not in table and "65.0" not in table


def test_rule_messages_never_use_scientific_notation(book: Path) -> None:
    set_cell(book, "Supply", 2, "min_offtake", 1234567)
    issue = next(i for i in load_workbook(book).errors if i.code == "offtake-above-capacity")
    assert issue.message == "min_offtake 1234567 is above the capacity 6000"


# 5. Undefined shares ----------------------------------------------------------------------

def test_share_of_nothing_bought_is_undefined_everywhere(tmp_path: Path, book: Path) -> None:
    set_cell(book, "Budgets", 2, "budget", 1000)  # Japan, every period
    out = tmp_path / "r.xlsx"
    summary = json.loads(run("solve", book, "--json", "-o", out).stdout)
    japan, eu = summary["buyers"]["Japan"], summary["buyers"]["EU"]
    # a few kilograms of its 10,600 t of demand: nothing, in any unit (below 1e-5 of it)
    assert 0 < japan["quantity_bought"] < 1e-5 * japan["demand"]
    for key in ("china_share", "largest_country", "largest_country_share", "hhi"):
        assert japan[key] is None, key
        assert eu[key] is not None, key  # a partner that buys keeps its figures
    terminal = run("solve", book, "-o", out)
    assert terminal.returncode == 0, terminal.stderr
    row = next(line for line in terminal.stdout.splitlines() if line.startswith("│ Japan"))
    assert "%" not in row and row.count("—") == 2, row  # largest country, China share
    rows = list(openpyxl.load_workbook(out)["Summary"].iter_rows(values_only=True))
    header = next(r for r in rows if r[0] == "buyer")
    japan_row = next(r for r in rows if r[0] == "Japan")
    assert japan_row[header.index("China share")] in (None, "—")


# 6. Warnings for implausible inputs -------------------------------------------------------

def test_shipped_scenario_and_template_raise_no_warning(book: Path) -> None:
    assert load_workbook(SHIPPED).warnings == []
    assert load_workbook(book).warnings == []


def test_demand_no_offer_could_meet_warns_on_the_shipped_scenario(tmp_path: Path) -> None:
    path = tmp_path / "big.xlsx"
    path.write_bytes(SHIPPED.read_bytes())
    edit(path, lambda wb: wb["Demand"].__setitem__("C2", 10_000_000))  # Japan NdPr, 2026
    [issue] = load_workbook(path).warnings
    assert (issue.code, issue.sheet, issue.row, issue.column) == (
        "demand-beyond-supply", "Demand", 2, "C")
    assert issue.value_text == "10000000" and "NdPr oxide in 2026" in issue.message
    assert run("validate", path).returncode == 0  # a warning, not an error


def test_demand_bound_counts_initial_stock(book: Path) -> None:
    # Dy in 2026: offers 40 + 1,500 t, initial stock 40 t (Japan) + 0 t (EU) = 1,580 t
    set_cell(book, "Demand", 3, "demand", 1570)
    assert load_workbook(book).warnings == []
    set_cell(book, "Demand", 3, "demand", 1590)
    [issue] = load_workbook(book).warnings
    assert issue.code == "demand-beyond-supply" and issue.expected == "at most 1,580 t"
    assert (issue.row, issue.column) == (3, letter("Demand", "demand"))
    assert "in 2026," in issue.message  # the * row is short in the first period only


def test_budget_below_one_unit_warns_at_the_cheapest_landed_price(book: Path) -> None:
    # Japan's cheapest: NdPr from China refiners, 69,000 USD/t, no route row (free)
    set_cell(book, "Budgets", 2, "budget", 69_000)
    assert load_workbook(book).warnings == []
    set_cell(book, "Budgets", 2, "budget", 68_999)
    [issue] = load_workbook(book).warnings
    assert (issue.code, issue.sheet, issue.row, issue.column) == (
        "budget-buys-nothing", "Budgets", 2, letter("Budgets", "budget"))
    assert "NdPr oxide from China refiners at 69,000 USD/t" in issue.message
    # landed: 69,000 x 1.1 + 500 = 76,400 from China, so Lynas (75,000, free) is cheapest
    append_row(book, "Routes", {"supplier": "China refiners", "buyer": "Japan",
                                "freight": 500, "tariff": 0.1})
    set_cell(book, "Budgets", 2, "budget", 74_999)
    [issue] = load_workbook(book).warnings
    assert "NdPr oxide from Lynas Malaysia at 75,000 USD/t" in issue.message


def test_planning_commands_show_the_warnings(tmp_path: Path, book: Path) -> None:
    set_cell(book, "Budgets", 2, "budget", 1000)
    solve = run("solve", book, "-o", tmp_path / "r.xlsx")
    compare = run("compare", book, "-s", "independent", "--workers", "1", "-o",
                  tmp_path / "c.xlsx")
    for proc in (solve, compare):
        assert proc.returncode == 0, proc.stderr
        assert "budget-buys-nothing" in proc.stderr and "1 warning(s)" in proc.stderr
    assert "budget-buys-nothing" not in run("solve", book, "-q", "-o", tmp_path / "q.xlsx").stderr
