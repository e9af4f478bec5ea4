"""Table 2: intermediate task (rows) x target task (columns), from the score files."""

from __future__ import annotations

import csv
import io
from pathlib import Path

from .metrics.averages import category_scores, mean_if_complete

CATEGORY_ORDER = ("classification", "structured_prediction", "question_answering", "retrieval")


def table2(scores: dict[tuple[str, str], dict], rows: list[str], targets: list[str],
           categories: dict[str, str],
           unavailable: dict[str, str] | None = None) -> tuple[list[str], list[list]]:
    """(header, rows): each target's task score, the category averages and the average.

    Rows that could not be computed (`unavailable`: {row: reason}, e.g. licensed data not
    supplied) stay in the table with empty cells; a last `note` column then gives the reason.
    """
    present = [c for c in CATEGORY_ORDER if c in {categories[t] for t in targets}]
    header = ["intermediate", *targets, *present, "average"]
    body = []
    for row in rows:
        task_scores = {t: scores[row, t]["score"] if (row, t) in scores else None
                       for t in targets}
        by_category = category_scores(task_scores, {t: categories[t] for t in targets})
        body.append([row, *task_scores.values(), *(by_category[c] for c in present),
                     mean_if_complete(task_scores.values())])
    if unavailable:
        header.append("note")
        for cells in body:
            cells.append(unavailable.get(cells[0], ""))
    return header, body


def long_form(scores: dict[tuple[str, str], dict]) -> tuple[list[str], list[list]]:
    """One row per (intermediate, target, language, metric)."""
    header = ["intermediate", "target", "language", "metric", "value"]
    body = []
    for (row, target), result in scores.items():
        for language, metrics in result["languages"].items():
            for metric, value in metrics.items():
                if metric != "count":
                    body.append([row, target, language, metric, value])
    return header, body


def format_cell(value, digits: int) -> str:
    if value is None:
        return ""
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


def write_csv(path: Path, header: list[str], body: list[list], digits: int = 2) -> None:
    """Write atomically, so an existing table is always a complete one."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    writer.writerows([format_cell(value, digits) for value in row] for row in body)
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    partial.write_text(buffer.getvalue())
    partial.replace(path)
