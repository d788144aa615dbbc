"""`coprocure diagnose`: why a scenario cannot be planned, in the workbook's words."""

from __future__ import annotations

from pathlib import Path

from rich.table import Table

from optimizer.cli.console import err, print_json, run_action, wide_console
from optimizer.cli.options import JsonOpt, Scenario, StrategyOpt


def diagnose(scenario: Scenario, strategy: StrategyOpt = "base", as_json: JsonOpt = False) -> None:
    """Explain why a scenario cannot be planned: the smallest set of conflicting rules, in
    the workbook's own words, and how far each would have to bend.

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
    unit = data.settings.unit
    if as_json:
        print_json({
            "feasible": result.feasible,
            "impossible": [{"rule": m, "workbook_row": src} for m, src in result.impossible],
            "conflict": [r.__dict__ for r in result.conflict],
            "bends": [{**b.rule.__dict__, "amount": b.amount} for b in result.bends],
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
    wide_console(stderr=True).print(table)
    if result.bends:
        err.print("Any one of these would resolve it:" if any(
            b.amount is not None for b in result.bends) else
            "No single rule can bend enough on its own; several must change together:")
    for bend in result.bends:
        if bend.amount is not None:
            amount = f"{bend.amount:,.4g}" + ("" if bend.rule.family == "budget" else f" {unit}")
            err.print(f"  - {bend.rule.bend} by {amount}: {bend.rule.text}"
                      + (f" [{bend.rule.workbook_row}]" if bend.rule.workbook_row else ""))
    return 1
