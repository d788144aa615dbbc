"""Rules on stages and processing (SPEC 3.2 families 14-16, SPEC 4.17): recipes that can
be made, stage by stage; facilities described once; caps at a stage on its materials.

A recipe is the set of Processing rows of one facility, output and period, one row per
input. Each rule below names the cell to change; a recipe that breaks several rules is
reported by each of them, since each names a different cell.
"""

from __future__ import annotations

from collections import defaultdict

from optimizer.errors import Issue, as_typed, error, warning
from optimizer.workbook.cells import Row, Tables
from optimizer.workbook.fields import STAR
from optimizer.workbook.scenario_data import stages
from optimizer.workbook.schema import SheetName

# The columns that belong to a recipe rather than to one of its inputs (SPEC 4.17).
RECIPE_COLUMNS = ("capacity", "fee", "lead_time", "deal")


def check_processing(tables: Tables, issues: list[Issue]) -> None:
    rows = [r for r in tables[SheetName.PROCESSING]
            if r.values.get("facility") is not None and r.values.get("output") is not None]
    _check_names(tables, rows, issues)
    _check_consistent(rows, issues)
    _check_inputs(tables, rows, issues)
    _check_cycles(rows, issues)
    _check_capacity(tables, rows, issues)
    _check_policy_stages(tables, issues)


def _check_names(tables: Tables, rows: list[Row], issues: list[Issue]) -> None:
    """Disruptions, deals and caps name a supplier or a facility in the same cell, so one
    name must not mean both."""
    suppliers = {r.values["supplier"]: r for r in tables[SheetName.SUPPLIERS]
                 if r.values.get("supplier") is not None}
    seen: set[str] = set()
    for row in rows:
        name = row.values["facility"]
        if name in suppliers and name not in seen:
            issues.append(error(
                "facility-is-supplier", f"facility {name!r} has the name of a supplier "
                f"(Suppliers row {suppliers[name].row}): disruptions, deals and caps name "
                "one or the other, so give the facility a name of its own",
                **row.where("facility"), value=name, expected="a name no supplier has"))
        seen.add(name)


def _check_consistent(rows: list[Row], issues: list[Issue]) -> None:
    """A facility is in one country; capacity, fee, lead time and deal belong to the
    recipe (facility, output and period), so each of its rows repeats them."""
    country: dict[str, Row] = {}
    recipe: dict[tuple, Row] = {}
    for row in rows:
        v = row.values
        first = country.setdefault(v["facility"], row)
        if v.get("country") is not None and first.values.get("country") is not None \
                and v["country"] != first.values["country"]:
            issues.append(error(
                "processing-inconsistent", f"{v['facility']} is in "
                f"{first.values['country']} on row {first.row}: a facility is in one country",
                **row.where("country"), value=v["country"],
                expected=first.values["country"]))
        first = recipe.setdefault((v["facility"], v["output"], v.get("period")), row)
        for col in RECIPE_COLUMNS:
            mine, theirs = v.get(col), first.values.get(col)
            if mine != theirs:
                when = "every period (*)" if v.get("period") == STAR else v.get("period")
                issues.append(error(
                    "processing-inconsistent", f"{col} differs from row {first.row} "
                    f"({_shown(theirs)}), another input of {v['facility']}'s {v['output']} "
                    f"in {when}: every row of a recipe gives the same {col}",
                    **row.where(col), value=mine, expected=_shown(theirs)))


def _shown(value: object) -> str:
    return "blank" if value is None else as_typed(value)


def _check_inputs(tables: Tables, rows: list[Row], issues: list[Issue]) -> None:
    """An input is another material, at its output's stage or an earlier one."""
    order, material_stage = stages(tables)
    position = {s: i for i, s in enumerate(order)}
    stage_of = dict(material_stage)
    for row in rows:
        out, into = row.values["output"], row.values.get("input")
        if into is None:
            continue
        if into == out:
            issues.append(error(
                "recipe-input-is-output", f"{out} is made from itself: an input is another "
                "material (to keep stock, use the Stockpile sheet)", **row.where("input"),
                value=into, expected=f"a material other than {out}"))
            continue
        s_in, s_out = stage_of.get(into), stage_of.get(out)
        if s_in in position and s_out in position and position[s_in] > position[s_out]:
            issues.append(error(
                "recipe-stage-order", f"{into} is at stage {s_in!r}, after {out}'s stage "
                f"{s_out!r}: a recipe's inputs are at its output's stage or an earlier one "
                f"(stages run {' < '.join(order)})", **row.where("input"), value=into,
                expected=f"a material at stage {s_out!r} or earlier"))


def _check_cycles(rows: list[Row], issues: list[Issue]) -> None:
    """No material may be made, through other materials, out of itself: such a chain
    would create material from nothing (or from less of itself)."""
    made_from: dict[str, dict[str, Row]] = defaultdict(dict)  # input -> output -> first row
    for row in rows:
        into, out = row.values.get("input"), row.values["output"]
        if into is not None and into != out:  # made from itself: reported on its own
            made_from[into].setdefault(out, row)
    reported: set[frozenset[str]] = set()
    for chain in _cycles(made_from):
        if frozenset(chain) in reported:
            continue
        reported.add(frozenset(chain))
        steps = [(chain[i], chain[(i + 1) % len(chain)]) for i in range(len(chain))]
        links = [made_from[a][b] for a, b in steps]
        words = "; ".join(f"{b} from {a} (row {r.row})"
                          for (a, b), r in zip(steps, links, strict=True))
        last = max(links, key=lambda r: r.row or 0)
        issues.append(error(
            "recipe-cycle", f"recipes go round in a circle: {words}; a material cannot be "
            "made, even through others, out of itself", **last.where("input"),
            value=last.values["input"], expected="recipes from earlier materials only"))


def _cycles(edges: dict[str, dict[str, Row]]) -> list[list[str]]:
    """The circles a depth-first search meets (one per edge closing one), in workbook
    order, each as the materials along it; without recursion, so that no chain is too
    long to follow."""
    found: list[list[str]] = []
    done: set[str] = set()
    for start in list(edges):
        if start in done:
            continue
        path, todo = [start], [iter(edges[start])]
        while todo:
            nxt = next(todo[-1], None)
            if nxt is None:
                todo.pop()
                done.add(path.pop())
            elif nxt in path:
                found.append(path[path.index(nxt):])
            elif nxt not in done:
                path.append(nxt)
                todo.append(iter(edges.get(nxt, {})))
    return found


def _check_capacity(tables: Tables, rows: list[Row], issues: list[Issue]) -> None:
    """A warning, not an error: a plant without capacity makes a valid scenario in which
    it makes nothing (a strategy may set 0 to plan without it), but in the workbook as
    written it is most often a placeholder or a slip."""
    labels = tables.names(SheetName.PERIODS, "period")
    groups: dict[tuple[str, str], list[Row]] = defaultdict(list)
    for row in rows:
        groups[(row.values["facility"], row.values["output"])].append(row)
    for (facility, output), group in groups.items():
        # the rows that apply in each period: its own, else the * rows (SPEC 4.17)
        chosen = {t: [r for r in group if r.values.get("period") == t]
                  or [r for r in group if r.values.get("period") == STAR] for t in labels}
        applying = {id(r): r for rows_of_t in chosen.values() for r in rows_of_t}
        first = min(applying.values(), key=lambda r: r.row or 0) if applying else None
        # processing that would finish after the last period never starts (SPEC 3.2)
        in_time = [t for i, t in enumerate(labels)
                   if any(i + (r.values.get("lead_time") or 0) < len(labels)
                          for r in chosen[t])]
        if first is not None and not in_time:
            issues.append(warning(
                "processing-never-finishes", f"{facility} cannot finish any {output} within "
                f"the horizon: its lead time ({first.values.get('lead_time')} periods) "
                f"reaches past the last period ({labels[-1]}) from every period it has a "
                "recipe, so it will make none", **first.where("lead_time"),
                value=first.values.get("lead_time"),
                expected=f"a lead time under {len(labels)} periods"))
            continue
        if not applying or any(r.values.get("capacity") != 0 for r in applying.values()):
            continue
        assert first is not None  # applying is not empty
        issues.append(warning(
            "facility-no-capacity", f"{facility} has no capacity to make {output} in any "
            "period (capacity 0 on every row that applies): it will make none; give it a "
            "capacity or delete its rows", **first.where("capacity"), value=0,
            expected="a capacity above 0 in some period"))


def _check_policy_stages(tables: Tables, issues: list[Issue]) -> None:
    """A cap at a stage on one material caps that material at that stage: a material of
    another stage (or of none) is a mistake in one of the two cells."""
    stage_of = {r.values["material"]: r.values.get("stage") for r in tables[SheetName.MATERIALS]
                if r.values.get("material") is not None}
    known = set(tables.names(SheetName.STAGES, "stage")) | {s for s in stage_of.values() if s}
    for row in tables[SheetName.POLICIES]:
        stage, material = row.values.get("stage"), row.values.get("material")
        if stage not in known or material not in stage_of or stage_of[material] == stage:
            continue  # no stage, or an unknown one (reported as such)
        own = (f"is at stage {stage_of[material]!r}" if stage_of[material] else
               "has no stage on the Materials sheet")
        issues.append(error(
            "policy-stage-mismatch", f"the cap is at stage {stage!r}, but {material} {own}: "
            "a cap at a stage caps materials of that stage (or * for each of them)",
            **row.where("stage"), value=stage,
            expected=(f"{stage_of[material]!r} (the stage of {material})"
                      if stage_of[material] else "blank")))
