"""The sheets of plans under disruption (SPEC 5, 7): each plan's contracts held fixed in
every disruption scenario, what it then costs and how short it runs.

`coprocure stress` writes the comparison workbook of its strategies with these sheets;
`coprocure compare` adds them whenever the workbook has disruption scenarios.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from optimizer.planning.compare import Comparison
from optimizer.reports.comparison import write_comparison
from optimizer.reports.provenance import Provenance
from optimizer.reports.sheets import SheetWriter


def write_stress(path: str | Path, comparison: Comparison, prov: Provenance) -> None:
    """The stress workbook: the strategies side by side with their disruption sheets."""
    write_comparison(path, comparison, prov, extra=disruption_sheets,
                     subject="under disruption")


def disruption_sheets(w: SheetWriter, comparison: Comparison) -> None:
    disruptions = disruption_table(comparison)
    if not disruptions.empty:
        w.sheet("Disruptions", disruptions,
                note="Each plan's contracts held fixed in every disruption scenario: what "
                     "it then costs (present value) and how short it runs.")
        w.sheet("Disrupted shortfalls", disrupted_shortfalls(comparison))


def disruption_table(comparison: Comparison) -> pd.DataFrame:
    frames = []
    for o in comparison.outcomes:
        if o.stress is not None:
            df = o.stress.table()
            df.insert(0, "strategy", o.name)
            frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def disrupted_shortfalls(comparison: Comparison) -> pd.DataFrame:
    rows = [{"strategy": o.name, "scenario": s.scenario, **r}
            for o in comparison.outcomes if o.stress is not None
            for s in o.stress.scenarios for r in s.shortfalls.to_dict("records")]
    return pd.DataFrame(rows, columns=["strategy", "scenario", "buyer", "material", "shortfall"])
