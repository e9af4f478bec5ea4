"""Table 2 read back from its CSV files (results/table2.csv, results/table2_long.csv,
results/table2_improvement_ci.csv) for the summaries: typed values, improvements over the
baseline, intervals, and errors that name the file, line and column of a malformed table."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from xstilts.config import BASELINE
from xstilts.metrics.averages import CATEGORIES, language_score
from xstilts.report.tables import NOT_COMPARABLE

AVERAGE = "average"
LONG_COLUMNS = ("intermediate", "target", "language", "metric", "value")
TASK_SCORE_LANGUAGE = "all"  # the long form's row of the task score itself
SEED_MEAN = "mean"  # the long form's mean over seeds (other seed values: runs, "std")


class TableError(ValueError):
    """A results table lacks a column or a row, or holds a value that is not a number."""


@dataclass(frozen=True)
class Table2:
    """Table 2 as numbers: {row: {column: value or None}} for targets, categories and the
    average; `notes` gives the reason a row is empty."""

    targets: list[str]
    scores: dict[str, dict[str, float | None]]
    notes: dict[str, str]

    @property
    def intermediate_rows(self) -> list[str]:
        return [row for row in self.scores if row != BASELINE]

    def not_comparable(self, row: str) -> dict[str, str]:
        """{target: why} of the targets whose scores in `row` or the baseline are not the
        benchmark's, from the notes (xstilts.report.tables.caveat_note)."""
        found = {}
        for note in (self.notes.get(BASELINE, ""), self.notes.get(row, "")):
            for part in note.split("; "):
                target, marker, why = part.partition(f" {NOT_COMPARABLE}")
                if marker and target in self.targets:
                    found[target] = why
        return found

    def improvement(self, row: str, column: str) -> float | None:
        """Row minus baseline in one column; None where either is missing."""
        ours, baseline = self.scores[row].get(column), self.scores[BASELINE].get(column)
        return None if ours is None or baseline is None else ours - baseline


def read_rows(path: Path, required: tuple[str, ...]) -> tuple[list[str], list[dict]]:
    """(header, records) of a CSV file that has every `required` column."""
    with open(path, newline="") as handle:
        reader = csv.DictReader(handle)
        header = list(reader.fieldnames or [])
        missing = [column for column in required if column not in header]
        if missing:
            raise TableError(f"{path}: no column {missing[0]!r} (columns: {', '.join(header)})")
        return header, list(reader)


def number(text: str, path: Path, line: int, column: str) -> float | None:
    """A cell's value; an empty cell is a missing value."""
    if text == "":
        return None
    try:
        return float(text)
    except ValueError:
        raise TableError(f"{path}, line {line}, column {column!r}: {text!r} is not a number"
                         ) from None


def read_table2(path: Path) -> Table2:
    """results/table2.csv: `intermediate`, the target tasks, category averages, `average`
    and an optional `note`; one row must be the baseline."""
    header, records = read_rows(path, ("intermediate", AVERAGE))
    summaries = (*CATEGORIES, AVERAGE)
    first_summary = min(header.index(column) for column in summaries if column in header)
    targets = header[1:first_summary]
    numeric = [*targets, *(column for column in summaries if column in header)]
    scores, notes = {}, {}
    for line, record in enumerate(records, start=2):
        row = record["intermediate"]
        if row in scores:
            raise TableError(f"{path}, line {line}, column 'intermediate': row {row!r} repeats")
        scores[row] = {column: number(record[column], path, line, column) for column in numeric}
        if record.get("note"):
            notes[row] = record["note"]
    if BASELINE not in scores:
        raise TableError(f"{path}: no row {BASELINE!r} in column 'intermediate'")
    return Table2(targets, scores, notes)


def read_language_scores(path: Path, metrics: dict[str, str]) -> dict[tuple, float | None]:
    """{(intermediate, target, language): score} from the long form's means over seeds;
    the score a language enters the averages with (QA: (EM + F1) / 2), per target metric
    (`metrics`: {target: config metric name}). Unknown columns are ignored."""
    _, records = read_rows(path, LONG_COLUMNS)
    results: dict[tuple, dict[str, float | None]] = {}
    for line, record in enumerate(records, start=2):
        if record.get("seed", SEED_MEAN) != SEED_MEAN:
            continue
        if record["language"] == TASK_SCORE_LANGUAGE:
            continue
        if record["target"] not in metrics:
            raise TableError(f"{path}, line {line}, column 'target': no metric is configured "
                             f"for target {record['target']!r}")
        key = (record["intermediate"], record["target"], record["language"])
        results.setdefault(key, {})[record["metric"]] = number(record["value"], path, line,
                                                               "value")
    return {key: combined_score(path, key, metrics[key[1]], result)
            for key, result in results.items()}


def combined_score(path: Path, key: tuple, metric: str, result: dict) -> float | None:
    if None in result.values():
        return None
    try:
        return language_score(metric, result)
    except KeyError as error:
        raise TableError(f"{path}, column 'metric': {'/'.join(key)} has no value for metric "
                         f"{error.args[0]!r} (has: {', '.join(result)})") from None


def language_improvements(scores: dict[tuple, float | None]) -> dict[str, dict[str, dict]]:
    """{target: {intermediate: {language: improvement over the baseline}}}; None where our
    score or the baseline's is missing. Languages sorted, rows in the long form's order."""
    improvements: dict[str, dict[str, dict]] = {}
    for (row, target, language), score in scores.items():
        if row == BASELINE:
            continue
        baseline = scores.get((BASELINE, target, language))
        improvement = None if score is None or baseline is None else score - baseline
        improvements.setdefault(target, {}).setdefault(row, {})[language] = improvement
    return {target: {row: dict(sorted(languages.items())) for row, languages in rows.items()}
            for target, rows in improvements.items()}


INTERVAL_COLUMNS = ("intermediate", "column", "language", "ci_low", "ci_high",
                    "improvement_ci_low", "improvement_ci_high", "significant")


@dataclass(frozen=True)
class Interval:
    """A number's bootstrap interval, and its improvement's over the baseline (None for
    the baseline itself); `significant`: the improvement's interval excludes 0."""

    low: float | None
    high: float | None
    improvement_low: float | None
    improvement_high: float | None
    significant: bool


def read_intervals(path: Path) -> dict[tuple[str, str, str], Interval]:
    """{(intermediate, Table 2 column, language or "all"): Interval} of
    results/table2_improvement_ci.csv (xstilts.report.intervals.interval_table)."""
    _, records = read_rows(path, INTERVAL_COLUMNS)
    intervals = {}
    for line, record in enumerate(records, start=2):
        values = [number(record[column], path, line, column) for column in INTERVAL_COLUMNS[3:7]]
        key = (record["intermediate"], record["column"], record["language"])
        intervals[key] = Interval(*values, significant=record["significant"] == "True")
    return intervals
