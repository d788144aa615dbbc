"""`coprocure validate`: every problem of a workbook and its strategies, at once."""

from __future__ import annotations

from typing import TYPE_CHECKING

from optimizer.cli.console import err, issue_table, print_json, run_action
from optimizer.cli.options import JsonOpt, Scenario, ValidateQuietOpt

if TYPE_CHECKING:
    from optimizer.workbook.load import LoadedWorkbook


def validate(scenario: Scenario, as_json: JsonOpt = False, quiet: ValidateQuietOpt = False) -> None:
    """Check a scenario workbook and every strategy in it; list every problem at once.

    Exit 0 when valid (warnings allowed), 1 when not.

    Example: coprocure validate scenarios/japan-eu-2030.xlsx
    """
    from optimizer.workbook.load import load_workbook

    def action() -> int:
        loaded = load_workbook(scenario)
        errors, warnings = loaded.errors, loaded.warnings
        if as_json:
            print_json({"file": str(scenario), "valid": not errors, "errors": len(errors),
                        "warnings": len(warnings), "strategies": loaded.strategy_names,
                        "issues": [i.as_dict() for i in loaded.issues]})
        elif not quiet or errors:
            if loaded.issues:
                issue_table(loaded.issues)
            verdict = "is not valid" if errors else "is valid"
            err.print(f"{scenario.name} {verdict}: {len(errors)} error(s), {len(warnings)} "
                      f"warning(s); strategies: {', '.join(loaded.strategy_names)}")
        return 1 if errors else 0

    run_action(action, as_json)


def show_warnings(loaded: LoadedWorkbook) -> None:
    """The warnings `validate` lists, shown by the commands that plan before they do."""
    if loaded.warnings:
        issue_table(loaded.warnings,
                    title=f"{loaded.path.name}: {len(loaded.warnings)} warning(s)")
