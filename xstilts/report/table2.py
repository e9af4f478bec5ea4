"""Table 2, intermediate task (rows) x target task (columns): built from the score files
into results/table2.csv and its long form, and read back from those files (and
results/table2_improvement_ci.csv) for the summaries: typed values, improvements over the
baseline, intervals, and errors that name the file, line and column of a malformed table."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path
from statistics import stdev

from xstilts.config import BASELINE
from xstilts.metrics.averages import CATEGORIES, category_scores, language_score, mean_if_complete
from xstilts.store import atomic

NOT_COMPARABLE = "not comparable: "  # a note's "<target> not comparable: <why>"
AVERAGE = "average"
LONG_COLUMNS = ("intermediate", "target", "language", "metric", "value")
TASK_SCORE_LANGUAGE = "all"  # the long form's row of the task score itself
TASK_SCORE_METRIC = "score"
SEED_MEAN, SEED_STD = "mean", "std"  # the long form's seeds besides the runs' own


def read_runs(paths: list[str]) -> dict[tuple[str, str, int], dict]:
    """{(row, target, seed): score result with its `record` id} from score files named
    <dir>/<intermediate>/<target>/seed<seed>.json."""
    from xstilts.store.provenance import read_result, result_id

    runs = {}
    for path in map(Path, paths):
        result = read_result(path)
        seed = int(path.stem.removeprefix("seed"))
        runs[path.parent.parent.name, path.parent.name, seed] = {
            **result, "record": result_id(result)}
    return runs


def over_seeds(runs: dict[tuple[str, str, int], dict], seeds: list[int]) -> dict:
    """{(row, target): {score, scores, collapsed, records}} from one score result per seed.

    `score` is the mean task score over `seeds`, or None unless every seed has one;
    `collapsed` maps each seed whose run collapsed to the reason, so it is reported rather
    than dropped (its score still enters the mean); `records` maps each seed to its score
    file's record id (a result's `record`, see xstilts.store.provenance.record_id), if given.
    """
    cells: dict[tuple[str, str], dict] = {}
    for (row, target, seed), result in sorted(runs.items(), key=lambda item: item[0][2]):
        cell = cells.setdefault((row, target), {"scores": {}, "collapsed": {}, "records": {}})
        cell["scores"][seed] = result["score"]
        if result.get("record"):
            cell["records"][seed] = result["record"]
        if result.get("collapsed"):
            cell["collapsed"][seed] = result["collapsed"]
        if result.get("caveat"):
            cell["caveat"] = result["caveat"]
        cell.setdefault("left_out", {}).update(result.get("left_out", {}))
    for cell in cells.values():
        cell["score"] = mean_if_complete(cell["scores"].get(seed) for seed in seeds)
    return cells


def table2(cells: dict[tuple[str, str], dict], rows: list[str], targets: list[str],
           categories: dict[str, str],
           unavailable: dict[str, str] | None = None,
           subsampled: str = "") -> tuple[list[str], list[list]]:
    """(header, rows): each target's task score, the category averages and the average.

    Rows that could not be computed (`unavailable`: {row: reason}, e.g. licensed data not
    supplied) stay in the table with empty cells; a last `note` column then gives the
    reason, or names the collapsed runs of a row, and `subsampled` (every row: the grid
    was trained and evaluated on subsets of the data, xstilts.config.subsampled).
    """
    present = [c for c in CATEGORIES if c in {categories[t] for t in targets}]
    header = ["intermediate", *targets, *present, AVERAGE]
    body, notes = [], []
    for row in rows:
        task_scores = {t: cells[row, t]["score"] if (row, t) in cells else None
                       for t in targets}
        by_category = category_scores(task_scores, {t: categories[t] for t in targets})
        body.append([row, *task_scores.values(), *(by_category[c] for c in present),
                     mean_if_complete(task_scores.values())])
        reason = (unavailable or {}).get(row) or "; ".join(filter(None, [
            left_out_note(row, targets, cells), caveat_note(row, targets, cells),
            collapse_note(row, targets, cells)]))
        notes.append("; ".join(note for note in (reason, subsampled) if note))
    if any(notes):
        header.append("note")
        for cells_of_row, note in zip(body, notes, strict=True):
            cells_of_row.append(note)
    return header, body


def records_table(cells: dict[tuple[str, str], dict], header: list[str], rows: list[str],
                  categories: dict[str, str]) -> list[list[str]]:
    """Table 2's body in `header`'s shape, each cell listing the record ids (space separated,
    seeds in order) of the score files it was computed from: a target cell its seeds', a
    category or average cell those of every target it averages; `note` stays empty."""
    targets = [column for column in header if column in categories]
    body = []
    for row in rows:
        by_target = {t: list(cells.get((row, t), {}).get("records", {}).values())
                     for t in targets}
        by_column = {**by_target, AVERAGE: sum(by_target.values(), [])}
        for category in CATEGORIES:
            by_column[category] = [record for t in targets if categories[t] == category
                                   for record in by_target[t]]
        body.append([row, *(" ".join(by_column.get(column, [])) for column in header[1:])])
    return body


def left_out_note(row: str, targets: list[str], cells: dict) -> str:
    """The languages a row's task scores do not average, because their data lacks the
    evaluated split (xstilts.store.splits.eval_splits)."""
    notes = []
    for target in targets:
        left_out = cells.get((row, target), {}).get("left_out")
        if left_out:
            notes.append(f"{target} averages without {', '.join(left_out)} "
                         f"({', '.join(dict.fromkeys(left_out.values()))})")
    return "; ".join(notes)


def caveat_note(row: str, targets: list[str], cells: dict) -> str:
    """The targets of a row whose scores are not the benchmark's, and why (see
    xstilts.evaluate.scoring.comparability): "<target> not comparable: <why>"."""
    return "; ".join(f"{target} {NOT_COMPARABLE}{cells[row, target]['caveat']}"
                     for target in targets if cells.get((row, target), {}).get("caveat"))


def collapse_note(row: str, targets: list[str], cells: dict) -> str:
    collapsed = [f"{target} seed {seed}: {reason}"
                 for target in targets
                 for seed, reason in cells.get((row, target), {}).get("collapsed", {}).items()]
    return "collapsed: " + "; ".join(collapsed) if collapsed else ""


def long_form(runs: dict[tuple[str, str, int], dict]) -> tuple[list[str], list[list]]:
    """One row per (intermediate, target, language, metric, seed), then the `mean` over
    seeds and, with several seeds, their sample standard deviation (`std`). Language
    `all` holds the task score. `collapsed` gives the reason a seed's run collapsed;
    `record` the record id of the seed's score file (those of every seed for mean, std)."""
    header = ["intermediate", "target", "language", "metric", "seed", "value", "collapsed",
              "record"]
    values: dict[tuple[str, str, str, str], dict[int, float]] = {}
    for (row, target, seed), result in sorted(runs.items(), key=lambda item: item[0][2]):
        task_score = {TASK_SCORE_LANGUAGE: {TASK_SCORE_METRIC: result["score"]}}
        for language, metrics in {**result["languages"], **task_score}.items():
            for metric, value in metrics.items():
                if metric != "count":
                    values.setdefault((row, target, language, metric), {})[seed] = value
    body = []
    for key, by_seed in values.items():
        row, target = key[:2]
        records = {seed: runs[row, target, seed].get("record") or "" for seed in by_seed}
        for seed, value in by_seed.items():
            body.append([*key, seed, value, runs[row, target, seed].get("collapsed") or "",
                         records[seed]])
        all_records = " ".join(filter(None, records.values()))
        body.append([*key, SEED_MEAN, mean_if_complete(by_seed.values()), "", all_records])
        if len(by_seed) > 1:
            body.append([*key, SEED_STD, stdev(by_seed.values()), "", all_records])
    return header, body


def format_cell(value, digits: int) -> str:
    if value is None:
        return ""
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def csv_text(header: list[str], body: list[list], digits: int = 2) -> str:
    """A table as the project writes it: numbers with `digits` decimals, None empty."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([format_cell(value, digits) for value in row] for row in body)
    return buffer.getvalue()


def write_csv(path: Path, header: list[str], body: list[list], digits: int = 2) -> None:
    """Write atomically, so an existing table is always a complete one."""
    atomic.write_text(path, csv_text(header, body, digits))


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
        benchmark's, from the notes (xstilts.report.table2.caveat_note)."""
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
