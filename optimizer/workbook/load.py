"""Load a scenario workbook: read, type, check, apply strategies; the one entry point.

:func:`load_workbook` reads the file once and checks the base workbook and every
strategy, collecting all issues. :meth:`LoadedWorkbook.scenario` then hands the
formulation the typed data of any strategy, and is the only way data reaches
``models/``.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import Path

from models.data import ScenarioData
from optimizer.errors import InputError, Issue, error
from optimizer.workbook.cells import Tables, parse_tables
from optimizer.workbook.fields import normalise_header
from optimizer.workbook.read import RawWorkbook, read_workbook, suggest
from optimizer.workbook.rules import check_plausible, checked_tables
from optimizer.workbook.scenario_data import build_scenario
from optimizer.workbook.schema import SHEETS, SheetName
from optimizer.workbook.strategies import BASE, Change, Strategy, apply_strategy, list_strategies


@dataclass
class LoadedWorkbook:
    path: Path
    sha256: str
    tables: Tables  # the base workbook
    strategies: list[Strategy]
    issues: list[Issue]
    _applied: dict[str, tuple[Tables, list[Change]]] = field(default_factory=dict, repr=False)
    # strategy -> its typed scenario, built once (immutable; built again it cost about a
    # second per use at large)
    _built: dict[str, ScenarioData] = field(default_factory=dict, repr=False)

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.is_error]

    @property
    def warnings(self) -> list[Issue]:
        return [i for i in self.issues if not i.is_error]

    @property
    def strategy_names(self) -> list[str]:
        return [BASE] + [s.name for s in self.strategies]

    def tables_for(self, strategy: str = BASE) -> tuple[Tables, list[Change]]:
        if strategy == BASE:
            return self.tables, []
        if strategy not in self._applied:
            raise InputError([error("strategy-sheet-unknown", f"there is no strategy "
                                    f"{strategy!r}{suggest(strategy, self.strategy_names)}",
                                    sheet=SheetName.STRATEGIES, value=strategy)])
        return self._applied[strategy]

    def scenario(self, strategy: str = BASE) -> ScenarioData:
        """The typed scenario of ``strategy``; raises :class:`InputError` if invalid."""
        if self.errors:
            raise InputError(self.issues)
        if strategy not in self._built:
            tables, _ = self.tables_for(strategy)
            self._built[strategy] = build_scenario(tables)
        return self._built[strategy]


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def load_workbook(path: str | Path, disruptions_from: str | Path | None = None
                  ) -> LoadedWorkbook:
    """Read and check ``path`` and all its strategies; raise only if the file is unusable.

    ``disruptions_from`` takes the Disruptions sheet from another workbook instead (its
    names must match this workbook's suppliers, materials and periods).
    """
    path = Path(path)
    raw = read_workbook(path)
    if disruptions_from is not None:
        _take_disruptions(raw, Path(disruptions_from))
    tables, issues = parse_tables(raw)
    issues = raw.issues + issues
    checked = checked_tables(tables)
    base_issues = checked.issues
    issues += base_issues
    base = None if any(i.is_error for i in issues) else build_scenario(tables)
    if base is not None:
        issues += check_plausible(tables, base)
    strategies, strategy_issues = list_strategies(tables)
    issues += strategy_issues
    loaded = LoadedWorkbook(path, file_sha256(path), tables, strategies, issues)
    if base is not None:
        loaded._built[BASE] = base
    seen = {_identity(i) for i in base_issues}
    unread = {s.name for s in SHEETS if s.name not in tables.rows
              and (s.name in raw.sheets or s.required)}  # reported as such already
    for strategy in strategies:
        applied, changes, apply_issues = apply_strategy(tables, strategy)
        loaded._applied[strategy.name] = (applied, changes)
        issues += [i for i in apply_issues if not _on_unread_sheet(i, strategy, unread)]
        found = checked_tables(applied, checked, {c.sheet for c in changes}).issues
        issues += _strategy_consequences(strategy, changes, found, seen)
    loaded.issues = sorted(issues, key=_reading_order)
    return loaded


_SHEET_ORDER = {s.name: i for i, s in enumerate(SHEETS)}


def _reading_order(issue: Issue) -> tuple:
    """File-level issues first, then sheet by sheet in format order, row by row."""
    if issue.sheet is None:
        return (-1, 0, 0)
    return (_SHEET_ORDER.get(issue.sheet, len(_SHEET_ORDER)), issue.row or 0,
            len(issue.column or ""), issue.column or "")


def _take_disruptions(raw: RawWorkbook, other: Path) -> None:
    source = read_workbook(other)
    sheet = source.sheets.get(SheetName.DISRUPTIONS)
    if sheet is None:
        raise InputError([error("sheet-missing", f"{other.name} has no Disruptions sheet to "
                                "stress-test with", sheet=SheetName.DISRUPTIONS)])
    sheet.title = f"{other.name}: {sheet.title}"  # messages then name the other file
    raw.sheets[SheetName.DISRUPTIONS] = sheet
    raw.issues += [i for i in source.issues if i.sheet in (None, SheetName.DISRUPTIONS)
                   and i.code not in ("sheet-missing",)]


def _on_unread_sheet(issue: Issue, strategy: Strategy, unread: set[str]) -> bool:
    """Whether ``issue`` only says that a strategy's row matches nothing on a sheet whose
    rows could not be read (missing, or a required column missing)."""
    if issue.code != "strategy-where-no-match":
        return False
    row = next((r for r in strategy.rows if r.row == issue.row), None)
    sheet = normalise_header(row.values.get("sheet") or "") if row is not None else ""
    return any(normalise_header(name) == sheet for name in unread)


def _identity(issue: Issue) -> tuple:
    return (issue.code, issue.sheet, issue.row, issue.column, str(issue.value))


def _strategy_consequences(strategy: Strategy, changes: list[Change], found: list[Issue],
                           seen: set[tuple]) -> list[Issue]:
    """Errors a strategy introduces, located at the Strategies row that caused them."""
    out = []
    by_cell: dict[tuple[str | None, int | None], int | None] = {
        (c.sheet, c.row): c.by_row for c in changes}
    for issue in found:
        if not issue.is_error or _identity(issue) in seen:
            continue
        row = by_cell.get((issue.sheet, issue.row), strategy.rows[0].row)
        srow = next((r for r in strategy.rows if r.row == row), strategy.rows[0])
        out.append(error("strategy-invalid", f"strategy {strategy.name!r} makes {issue.location} "
                         f"invalid: {issue.message}", **srow.where("value"), value=issue.value,
                         expected=issue.expected))
    return out
