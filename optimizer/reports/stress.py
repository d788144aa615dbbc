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
        caps = disrupted_caps(comparison)
        if not caps.empty:
            w.sheet("Caps under disruption", caps, kinds={"limit": "pct"},
                    note="Diversification caps hold on contracts as contracted plus spot "
                         "purchases in every world (SPEC 5). Where a disruption cuts "
                         "deliveries, the share as delivered can differ: these are the "
                         "caps and worlds where it does.")


def disruption_table(comparison: Comparison) -> pd.DataFrame:
    frames = []
    for o in comparison.outcomes:
        if o.stress is not None:
            df = o.stress.table()
            df.insert(0, "strategy", o.name)
            frames.append(df)
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


def disrupted_caps(comparison: Comparison) -> pd.DataFrame:
    """Each strategy's caps whose delivered share a disruption moved from the contracted."""
    frames = [o.stress.cap_table(moved_only=True).assign(strategy=o.name)
              for o in comparison.outcomes if o.stress is not None]
    frames = [f for f in frames if len(f)]
    if not frames:
        return pd.DataFrame()
    table = pd.concat(frames, ignore_index=True)
    return table[["strategy", *[c for c in table.columns if c != "strategy"]]]


def disrupted_shortfalls(comparison: Comparison) -> pd.DataFrame:
    rows = [{"strategy": o.name, "scenario": s.scenario, **r}
            for o in comparison.outcomes if o.stress is not None
            for s in o.stress.scenarios for r in s.shortfalls.to_dict("records")]
    return pd.DataFrame(rows, columns=["strategy", "scenario", "buyer", "material", "shortfall"])
