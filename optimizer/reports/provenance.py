"""Where a workbook's numbers come from: the input file, its hash, the strategy, each
row's source and note, when and where the solves ran."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from optimizer.workbook.load import LoadedWorkbook


@dataclass
class Provenance:
    input_file: str
    sha256: str
    strategy: str
    annotations: dict[str, tuple[str | None, str | None]] = field(default_factory=dict)
    created: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))
    computed_on: str = "this process"  # where batch solves ran (--workers, --scheduler)

    @classmethod
    def of(cls, loaded: LoadedWorkbook, strategy: str) -> Provenance:
        """The provenance of ``strategy`` of a loaded workbook, with every row's notes."""
        tables, _ = loaded.tables_for(strategy)
        notes = {row.src: (row.values.get("source"), row.values.get("note"))
                 for rows in tables.rows.values() for row in rows if row.row is not None}
        return cls(str(loaded.path), loaded.sha256, strategy, notes)
