"""Table 2: intermediate task (rows) x target task (columns), from the score files."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from statistics import stdev

from xstilts.metrics.averages import CATEGORIES, category_scores, mean_if_complete
from xstilts.store import atomic

NOT_COMPARABLE = "not comparable: "  # a note's "<target> not comparable: <why>"


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
    header = ["intermediate", *targets, *present, "average"]
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
        by_column = {**by_target, "average": sum(by_target.values(), [])}
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
        for language, metrics in {**result["languages"],
                                  "all": {"score": result["score"]}}.items():
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
        body.append([*key, "mean", mean_if_complete(by_seed.values()), "", all_records])
        if len(by_seed) > 1:
            body.append([*key, "std", stdev(by_seed.values()), "", all_records])
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
