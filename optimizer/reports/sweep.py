"""The sweep workbook: every point, a native chart of cost against the swept value (a
heat map table for a two-way grid), and the run's provenance."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from optimizer.planning.sweep import Vary
from optimizer.reports.provenance import Provenance
from optimizer.reports.sheets import SheetWriter
from optimizer.xlsx import atomic_workbook, write_cell


def write_sweep(path: str | Path, table: pd.DataFrame, varies: list[Vary], unit: str,
                currency: str, title: str, prov: Provenance) -> None:
    with atomic_workbook(path) as wb:
        w = SheetWriter(wb, unit, currency)
        ws = w.add_sheet("Sweep")
        ws.write_string(0, 0, title, w.title)
        w.table(ws, table, row=2)
        n = len(table)
        if "total_cost" in table and len(varies) == 1:
            chart = wb.add_chart({"type": "scatter", "subtype": "straight_with_markers"})
            col = list(table.columns).index("total_cost")
            chart.add_series({"name": "total cost", "categories": [ws.name, 3, 0, 2 + n, 0],
                              "values": [ws.name, 3, col, 2 + n, col],
                              "marker": {"type": "circle", "size": 5}})
            chart.set_title({"name": f"Total cost against {varies[0].label}"})
            chart.set_x_axis({"name": varies[0].label})
            chart.set_y_axis({"name": f"{currency}, present value", "num_format": "#,##0"})
            chart.set_legend({"none": True})
            chart.set_size({"width": 760, "height": 400})
            ws.insert_chart(2, len(table.columns) + 1, chart)
        if "total_cost" in table and len(varies) == 2:
            _heat_map(w, table, varies, currency)
        run = w.add_sheet("Run")
        facts = [("input file", prov.input_file), ("input sha256", prov.sha256),
                 ("strategy", prov.strategy), ("created (UTC)", prov.created),
                 ("solves ran on", prov.computed_on)]
        facts += [(f"varied: {v.label}", ", ".join(f"{x:g}" for x in v.values)) for v in varies]
        for i, (k, v) in enumerate(facts):
            run.write_string(i, 0, k, w.bold)
            write_cell(run, i, 1, v)
        run.set_column(0, 0, 40)
        run.set_column(1, 1, 90)


def _heat_map(w: SheetWriter, table: pd.DataFrame, varies: list[Vary], currency: str) -> None:
    a, b = varies[0].label, varies[1].label
    grid = table.pivot_table(index=a, columns=b, values="total_cost", aggfunc="first",
                             sort=False)
    ws = w.add_sheet("Heat map")
    ws.write_string(0, 0, f"Total cost ({currency}, present value): rows {a}, columns {b}",
                    w.title)
    ws.write_string(2, 0, f"{a} \\\\ {b}", w.head)
    for j, x in enumerate(grid.columns, start=1):
        write_cell(ws, 2, j, float(x), w.head)
    for i, (y, values) in enumerate(grid.iterrows(), start=3):
        write_cell(ws, i, 0, float(y), w.bold)
        for j, value in enumerate(values, start=1):
            write_cell(ws, i, j, None if pd.isna(value) else float(value), w.fmt["money"])
    last_row, last_col = 2 + len(grid), len(grid.columns)
    ws.conditional_format(3, 1, last_row, last_col, {"type": "3_color_scale"})
    ws.set_column(0, last_col, 18)
