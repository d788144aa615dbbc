"""`coprocure diagnose`: why a scenario cannot be planned, in the workbook's words."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from rich.console import Console
from rich.table import Table

from optimizer.cli.console import err, print_json, run_action
from optimizer.cli.options import JsonOpt, Scenario, StrategyOpt

if TYPE_CHECKING:  # the solver stack loads when the command runs, not with the CLI
    from optimizer.solving.diagnose import Bend


def diagnose(scenario: Scenario, strategy: StrategyOpt = "base", as_json: JsonOpt = False) -> None:
    """Explain why a scenario cannot be planned: the smallest set of conflicting rules, in
    the workbook's own words, and the change to the workbook that resolves it: each row
    that can bend enough alone, by how much its cell must move, or else the fewest rows
    that must change together.

    Exit 0 when the scenario is feasible (nothing to explain), 1 when it is not.

    Example: coprocure diagnose my-scenario.xlsx --strategy crma-65
    """
    run_action(lambda: run_diagnose(scenario, strategy, as_json), as_json)


def run_diagnose(scenario: Path, strategy: str, as_json: bool) -> int:
    from optimizer.solving.diagnose import diagnose as find_conflict
    from optimizer.workbook.load import load_workbook

    loaded = load_workbook(scenario)
    data = loaded.scenario(strategy)
    result = find_conflict(data)
    if as_json:
        print_json({
            "feasible": result.feasible,
            "impossible": [{"rule": m, "workbook_row": src} for m, src in result.impossible],
            "conflict": [r.__dict__ for r in result.conflict],
            "bends": [_bend_json(b) for b in result.bends],
            "together": [_bend_json(b) for b in result.together],
        })
        return 0 if result.feasible else 1
    where = f"{scenario.name} (strategy {strategy})"
    if result.feasible:
        err.print(f"{where} is feasible: every rule can be met; nothing to diagnose.")
        return 0
    if result.impossible:
        err.print(f"{where} cannot be planned:")
        for message, src in result.impossible:
            err.print(f"  - {message}" + (f" [{src}]" if src else ""))
        return 1
    table = Table(title=f"{where}: these rules cannot all hold together")
    for name in ("rule", "workbook row", "what it says"):
        table.add_column(name)
    for rule in result.conflict:
        table.add_row(rule.family, rule.workbook_row or "(built in)", rule.text)
    # folded to the terminal (80 columns when not one): its text column wraps cleanly
    Console(stderr=True, highlight=False, markup=False).print(table)
    if result.bends:
        err.print("Any one of these changes to the workbook would resolve it:")
    elif result.together:
        err.print("No single workbook row can bend enough on its own; these changes together "
                  "would resolve it:")
    else:
        err.print("No change to the limits of the workbook's rows resolves it, alone or "
                  "together: the conflict holds rules built into the model (or the solver's "
                  "time limit ran out).")
    for bend in result.bends or result.together:
        err.print(f"  - {bend_text(bend)}", soft_wrap=True)
    return 1


def bend_text(bend: Bend) -> str:
    """'lower the floor of Stockpile!4 by 3,420 t (from 5,000 t to 1,580 t)'; a cap's share
    in percentage points."""
    from optimizer.solving.diagnose import SHARE

    if bend.unit == SHARE:
        amount = f"{_number(bend.amount * 100)} percentage points"
    else:
        amount = f"{_number(bend.amount)} {bend.unit}"
    if bend.start is None or bend.end is None:
        return f"{bend.action} by {amount} in each of the {bend.rules} rules it holds"
    return (f"{bend.action} by {amount} (from {_value(bend.start, bend.unit)} to "
            f"{_value(bend.end, bend.unit)})")


def _bend_json(bend: Bend) -> dict[str, object]:
    return {**bend.rule.__dict__, "action": bend.action, "amount": bend.amount,
            "from": bend.start, "to": bend.end, "unit": bend.unit, "rules": bend.rules}


def _value(value: float, unit: str) -> str:
    from optimizer.solving.diagnose import SHARE

    return f"{_number(value * 100)} %" if unit == SHARE else f"{_number(value)} {unit}"


def _number(value: float) -> str:
    """Thousands separators and no trailing zeros: 46,250,000; 888.8; 0.125."""
    return f"{value:,.6f}".rstrip("0").rstrip(".")
