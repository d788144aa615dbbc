"""Using coprocure from Python: load a workbook, plan two strategies, compare them.

Run from the repository root:  python examples/python_api.py
"""

from pathlib import Path

from optimizer.planning.coordination import plan_coordinated
from optimizer.workbook.load import load_workbook

SCENARIO = Path(__file__).resolve().parents[1] / "scenarios" / "japan-eu-2030.xlsx"

loaded = load_workbook(SCENARIO)
if loaded.errors:
    raise SystemExit("\n".join(issue.one_line() for issue in loaded.errors))

for strategy in ("base", "crma-65"):
    run = plan_coordinated(loaded.scenario(strategy))
    result = run.result
    print(f"{strategy}: {run.status}, total cost {result.total_cost:,.0f} USD (present value), "
          f"independent check {'passed' if not run.violations else 'FAILED'}")
    print(result.buyers[["buyer", "cost_pv", "china_share", "end_days_of_cover"]]
          .to_string(index=False))
    for text in result.constraints["explanation"].head(3):
        print("  -", text)
    print()
