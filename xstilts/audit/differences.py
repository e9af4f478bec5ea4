"""What differs between a published file and the same file computed again: cells of a
CSV table, values of a JSON result (numbers to a relative and absolute TOLERANCE)."""

from __future__ import annotations

import csv
import io
import itertools
import math
from dataclasses import dataclass

TOLERANCE = 1e-9  # a recomputed score against the stored one (tables: exact text)


@dataclass(frozen=True)
class Difference:
    """A cell of a table on disk that its builder gives otherwise."""

    path: str
    line: int
    key: tuple[str, ...]  # the row's cells before the differing one (at most five)
    column: str
    on_disk: str
    rebuilt: str

    def describe(self) -> str:
        return (f"{self.path} line {self.line} ({', '.join(self.key)}), column "
                f"{self.column}: {self.on_disk!r} on disk, {self.rebuilt!r} built again "
                "from its inputs")

    def concerns(self, intermediate: str, target: str) -> bool:
        """Whether a cell is in this row (Table 2: row and target column; long form
        and intervals: row and target)."""
        return self.key[:1] == (intermediate,) and (
            self.column == target or self.key[1:2] == (target,))


def csv_differences(path: str, on_disk: str, rebuilt: str) -> list[Difference]:
    """Every cell of `on_disk` that differs from `rebuilt` (a missing or extra line: its
    first cell)."""
    ours = list(csv.reader(io.StringIO(on_disk)))
    again = list(csv.reader(io.StringIO(rebuilt)))
    header = (again or [[]])[0]
    found = []
    for number, (row, other) in enumerate(itertools.zip_longest(ours, again), start=1):
        row, other = row or [], other or []
        for index in range(max(len(row), len(other))):
            mine = row[index] if index < len(row) else "(absent)"
            theirs = other[index] if index < len(other) else "(absent)"
            if mine != theirs:
                column = header[index] if index < len(header) else str(index + 1)
                found.append(Difference(path, number, tuple((row or other)[:min(index, 5)]),
                                        column, mine, theirs))
    return found


def first_difference(stored, again, where: str = "") -> tuple[str, object, object] | None:
    """(where, stored, recomputed) of the first value of a result that differs, numbers
    to TOLERANCE; None if none does."""
    if stored == again:  # most of it, at C speed
        return None
    if isinstance(stored, dict) and isinstance(again, dict):
        for key in sorted(set(stored) | set(again), key=str):
            if key not in stored or key not in again:
                return (f"{where}{key}", stored.get(key, "(absent)"),
                        again.get(key, "(absent)"))
            found = first_difference(stored[key], again[key], f"{where}{key}.")
            if found:
                return found
        return None
    if isinstance(stored, list) and isinstance(again, list) and len(stored) == len(again):
        for index, (mine, theirs) in enumerate(zip(stored, again, strict=True)):
            found = first_difference(mine, theirs, f"{where}{index}.")
            if found:
                return found
        return None
    numbers = all(isinstance(value, int | float) and not isinstance(value, bool)
                  for value in (stored, again))
    if numbers and math.isclose(stored, again, rel_tol=TOLERANCE, abs_tol=TOLERANCE):
        return None
    return None if stored == again else (where.rstrip("."), stored, again)
