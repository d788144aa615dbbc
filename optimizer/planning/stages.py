"""What a plan acquires at each processing stage, and from which country (SPEC 3.2 family
16): the picture a CRMA report shows, "at any relevant stage of processing".

At a stage, a partner acquires the materials of that stage it buys (by the supplier's
country) and the output it processes (by the facility's country), in the period ordered
or started; transfers and initial stock do not count. Stages embedded in goods bought
finished (the oxide and metal inside an imported magnet) are not tracked: only the
supplier's `origin` says where such goods were mined.
"""

from __future__ import annotations

import pandas as pd

from optimizer.solving.extract import PlanResult, nothing_bought

STAGE_COLUMNS = ["buyer", "stage", "country", "quantity", "share_of_stage"]
UNTRACKED = ("Shares at a stage count what is bought at that stage, by the supplier's "
             "country, and what is processed there, by the facility's country. Stages "
             "embedded in goods bought finished (the oxide and metal inside an imported "
             "magnet) are not tracked; only the supplier's origin (country of mining) "
             "says where such goods come from.")


def stage_table(result: PlanResult) -> pd.DataFrame:
    """(buyer or "coalition", stage, country) -> quantity acquired and its share of the
    stage; empty for a workbook without stages."""
    data = result.scenario
    if not data.material_stage:
        return pd.DataFrame(columns=STAGE_COLUMNS)
    stage_of = dict(data.material_stage)
    bought = result.purchases[["buyer", "material", "country", "quantity"]]
    made = result.processing.rename(columns={"output": "material"})[
        ["buyer", "material", "country", "quantity"]]
    acquired = pd.concat([bought, made], ignore_index=True)
    acquired = acquired[acquired["material"].isin(stage_of)]
    acquired = acquired.assign(stage=acquired["material"].map(stage_of))
    both = pd.concat([acquired, acquired.assign(buyer="coalition")], ignore_index=True)
    table = both.groupby(["buyer", "stage", "country"], as_index=False)["quantity"].sum()
    total = table.groupby(["buyer", "stage"])["quantity"].transform("sum")
    # as for shares of purchases: undefined on next to nothing, against all its demand
    need = result.stock.groupby("buyer")["demand"].sum().to_dict()
    need["coalition"] = float(result.stock["demand"].sum())
    meaningful = [not nothing_bought(q, need.get(b, 0.0))
                  for q, b in zip(total, table["buyer"], strict=True)]
    table["share_of_stage"] = (table["quantity"] / total).where(meaningful)
    order = {s: i for i, s in enumerate(data.stages)}
    table = table.sort_values(["buyer", "stage", "quantity"], ascending=[True, True, False],
                              key=lambda c: c.map(order) if c.name == "stage" else c)
    return table[STAGE_COLUMNS].reset_index(drop=True)


def stage_leaders(result: PlanResult) -> dict[str, tuple[str | None, float | None]]:
    """Stage -> the coalition's largest country there and its share (None: nothing
    acquired at that stage)."""
    table = stage_table(result)
    out: dict[str, tuple[str | None, float | None]] = {}
    for stage in result.scenario.stages:
        rows = table[(table["buyer"] == "coalition") & (table["stage"] == stage)]
        rows = rows[rows["share_of_stage"].notna()]
        if len(rows):
            top = rows.loc[rows["quantity"].idxmax()]
            out[stage] = (str(top["country"]), float(top["share_of_stage"]))
        else:
            out[stage] = (None, None)
    return out
