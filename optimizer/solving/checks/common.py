"""What every rule family of the checker uses: the violation record and its tolerance,
labels as integer codes, keyed look-ups and groupings over columns of codes.

Rows are matched on their labels, never on positions the model assigned: :func:`find` is
a dictionary look-up over whole columns, :func:`groups` a grouping in order of first
appearance (the order in which a loop filling a dictionary would report them).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from operator import attrgetter
from typing import Any, overload

import numpy as np
import pandas as pd

from models.data import ScenarioData

ABS_TOL = 1e-5
REL_TOL = 1e-6


@dataclass(frozen=True)
class Violation:
    rule: str
    where: str
    found: float
    limit: float

    def __str__(self) -> str:
        return f"{self.rule} at {self.where}: found {self.found:,.6g}, limit {self.limit:,.6g}"


@overload
def tol(x: float) -> float: ...
@overload
def tol(x: np.ndarray) -> np.ndarray: ...
def tol(x: Any) -> Any:
    """The tolerance a value (or each value of an array) is compared with."""
    return ABS_TOL + REL_TOL * abs(x)


@dataclass(frozen=True)
class Column:
    """A column of labels, as given (for the messages) and as codes (for matching)."""

    labels: np.ndarray
    code: np.ndarray

    def __getitem__(self, rows: np.ndarray) -> Column:
        return Column(self.labels[rows], self.code[rows])


class Labels:
    """Every label the check meets (partners, suppliers, materials, periods, tiers, ...) as
    an integer code, the same in the data and in every table, so that rows are matched
    and grouped at array speed; a label met for the first time gets the next code.

    The horizon's periods come first: a period's code is its position. Each period's
    present-value factor and length in days are kept here too."""

    def __init__(self, data: ScenarioData) -> None:
        self.periods = data.period_labels
        rate = data.settings.discount_rate
        self.discount = np.array([(1 + rate) ** -i for i in range(len(self.periods))],
                                 dtype=float)
        self.days = np.array([p.days for p in data.periods], dtype=float)
        self._code: dict[object, int] = {}
        self._codes(list(self.periods))
        self._codes([*data.buyers, *(s.name for s in data.suppliers), *data.materials])

    def column(self, values: np.ndarray) -> Column:
        """A column of a table (or made of data), with its codes."""
        if len(values) > 1000:  # a long column has few distinct labels: factorised first
            part, distinct = pd.factorize(values)
            if not (part < 0).any():  # else a missing value (None, NaN): looked up as is
                return Column(values, self._codes(list(distinct))[part])
        return Column(values, self._codes(values.tolist()))

    def codes(self, values: Iterable[object]) -> np.ndarray:
        """The codes of some labels."""
        return self._codes(list(values))

    def of(self, records: Sequence[object], name: str) -> np.ndarray:
        """The codes of one field of data records."""
        return self._codes(list(map(attrgetter(name), records)))

    def code(self, label: object) -> int:
        """A label's code; -1 for a label met nowhere yet."""
        return self._code.get(label, -1)

    def _codes(self, values: list[object]) -> np.ndarray:
        code = self._code
        try:
            return np.fromiter(map(code.__getitem__, values), dtype=np.int64, count=len(values))
        except KeyError:  # labels met for the first time: numbered in order, then read
            for label in dict.fromkeys(values):
                code.setdefault(label, len(code))
            return np.fromiter(map(code.__getitem__, values), dtype=np.int64, count=len(values))

    def position(self, period: np.ndarray, required: bool = False) -> np.ndarray:
        """The position in the horizon of each period (a code); -1 for a label that is not
        a period, or a KeyError when ``required``."""
        outside = period >= len(self.periods)
        if required and outside.any():
            raise KeyError("a period outside the horizon")
        return np.where(outside, -1, period)


def _key(columns: Sequence[np.ndarray]) -> tuple[np.ndarray, int]:
    """One integer per row of the columns (of integers), equal for two rows exactly when
    every column is, and a bound on it: at most a few times the number of rows."""
    n = len(columns[0])
    code, size = np.zeros(n, dtype=np.int64), 1
    for part in columns:
        low = int(part.min()) if n else 0
        width = int(part.max()) - low + 1 if n else 1
        if size * width >= 2**62:  # renumbered first: the product never overflows
            code = pd.factorize(code)[0]
            size = int(code.max(initial=0)) + 1
        code, size = code * width + (part - low), size * width
    if size > 4 * n + 1024:  # sparse: renumbered
        code = pd.factorize(code)[0]
        size = int(code.max(initial=-1)) + 1
    return code, size


def groups(*columns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each row's group (rows equal in every column, of integers, share one), numbered in
    order of first appearance, and the first row of each group."""
    code, size = _key(columns)
    first = np.full(size, len(code))
    np.minimum.at(first, code, np.arange(len(code)))
    seen = np.flatnonzero(first < len(code))
    seen = seen[np.argsort(first[seen])]  # in order of first appearance
    number = np.empty(size, dtype=np.int64)
    number[seen] = np.arange(len(seen))
    return number[code], first[seen]


def find(records: Sequence[np.ndarray], keys: Sequence[np.ndarray],
         required: bool = False) -> np.ndarray:
    """For each key (a row across the ``keys`` columns, of integers) the record with that
    key (a row across the ``records`` columns): its position, the last one's when several
    have it, as a dictionary built from the records would keep; -1 where none has it, or a
    KeyError when ``required`` (the dictionary's ``d[key]`` rather than ``d.get(key)``)."""
    n = len(records[0])
    code, size = _key([np.concatenate([r, k]) for r, k in zip(records, keys, strict=True)])
    last = np.full(size, -1)
    np.maximum.at(last, code[:n], np.arange(n))
    out = last[code[n:]]
    if required and (out < 0).any():
        raise KeyError(f"no record with the key of row {np.flatnonzero(out < 0)[0]}")
    return out


def objects(values: list[object]) -> np.ndarray:
    """Values (labels, None, tuples) as a one-dimensional array of objects."""
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out


def take(values: np.ndarray, index: np.ndarray, default: object) -> np.ndarray:
    """``values`` at ``index``, and ``default`` where the index is -1 (no record)."""
    return np.append(values, np.asarray([default], dtype=values.dtype))[index]


def in_row_order(found: Iterable[tuple[np.ndarray, Callable[[int], Violation]]]
                 ) -> list[Violation]:
    """The violations of rows checked against several rules: for each rule the mask of
    the rows breaking it and its violation for row i; row by row, and within a row in the
    order the rules are given, as a loop over the rows would report them."""
    hits = [(int(i), rank, make) for rank, (mask, make) in enumerate(found)
            for i in np.flatnonzero(mask)]
    hits.sort(key=lambda hit: hit[:2])
    return [make(i) for i, _, make in hits]


@dataclass(frozen=True)
class Flow:
    """Units entering (or leaving) partners' stock: per entry the buyer, the material,
    the position of the period and the quantity."""

    buyer: Column
    material: Column
    period: np.ndarray
    quantity: np.ndarray


@dataclass(frozen=True)
class Money:
    """Money paid (nominal) by buyer (a code) and period (a position), in the order in
    which it was counted."""

    buyer: np.ndarray
    period: np.ndarray
    amount: np.ndarray

    @classmethod
    def grouped(cls, buyer: np.ndarray, period: np.ndarray, amount: np.ndarray) -> Money:
        """The amounts summed by (buyer, period), in order of first appearance."""
        code, first = groups(buyer, period)
        return cls(buyer[first], period[first],
                   np.bincount(code, weights=amount, minlength=len(first)))
