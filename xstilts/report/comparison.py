"""The paper's published numbers (config/paper_reference.yaml) next to ours (Table 2):
one row per published number, with our value, its bootstrap interval
(results/table2_improvement_ci.csv) and whether the paper's value lies inside it, the
difference where both exist, and the reason where ours does not."""

from __future__ import annotations

from pathlib import Path

from xstilts.config import BASELINE, load_yaml
from xstilts.report.table2 import AVERAGE, NOT_COMPARABLE, TASK_SCORE_LANGUAGE, Interval, Table2

HEADER = ["quantity", "intermediate", "target", "metric", "split", "paper", "ours",
          "ours_ci_low", "ours_ci_high", "paper_in_interval", "difference", "source", "note"]
QUANTITIES = ("average_improvement", "score")
REQUIRED = {"average_improvement": ("intermediate", "split", "value"),
            "score": ("intermediate", "target", "metric", "split", "value")}
TASK_SCORE = "score"  # metric name of Table 2's own task score
OUR_SPLIT = "dev"  # Table 2 is computed on the dev sets


class PaperReferenceError(ValueError):
    """The reference file lacks a key or holds a value of the wrong kind."""


def load_reference(path: Path) -> dict:
    """{paper, average_over, numbers}: every published number as one flat mapping (its
    group's keys as defaults, the group's `source` included), checked."""
    reference = load_yaml(path) or {}
    for key in ("average_over", "groups"):
        if key not in reference:
            raise PaperReferenceError(f"{path}: no key {key!r}")
    numbers = []
    for group_index, group in enumerate(reference["groups"]):
        defaults = {key: value for key, value in group.items() if key != "numbers"}
        for index, number in enumerate(group.get("numbers", [])):
            where = f"{path}: groups[{group_index}].numbers[{index}]"
            numbers.append(checked({**defaults, **number}, where))
    return {"paper": reference.get("paper", ""), "average_over": reference["average_over"],
            "numbers": numbers}


def checked(number: dict, where: str) -> dict:
    if number.get("quantity") not in QUANTITIES:
        raise PaperReferenceError(f"{where}: quantity {number.get('quantity')!r} is not one of "
                             f"{', '.join(QUANTITIES)}")
    for key in ("source", *REQUIRED[number["quantity"]]):
        if key not in number:
            raise PaperReferenceError(f"{where}: no key {key!r}")
    if isinstance(number["value"], bool) or not isinstance(number["value"], int | float):
        raise PaperReferenceError(f"{where}: value {number['value']!r} is not a number")
    return number


def rows_of(number: dict) -> list[str]:
    """The Table 2 rows a published number may stand for (several where it is ambiguous)."""
    rows = number["intermediate"]
    return list(rows) if isinstance(rows, list) else [rows]


def compare(reference: dict, table: Table2,
            intervals: dict[tuple, Interval] | None = None) -> tuple[list[str], list[list]]:
    """(header, rows) of the comparison: paper, ours with its interval, whether the
    paper's value lies in it, difference (ours - paper), note."""
    body = []
    for number in reference["numbers"]:
        for row in rows_of(number):
            ours, reason = our_value(number, row, table)
            notes = [number.get("note", ""), reason]
            if ours is not None and number["quantity"] == "average_improvement":
                notes.append(coverage(table.targets, reference["average_over"]))
            if ours is not None:
                notes.extend(caveats(number, row, table))
            low, high = our_interval(number, row, intervals or {}) if ours is not None else (
                None, None)
            inside = "" if low is None else "yes" if low <= number["value"] <= high else "no"
            body.append([number["quantity"], row, number.get("target", ""),
                         number.get("metric", ""), number["split"], float(number["value"]),
                         ours, low, high, inside,
                         None if ours is None else ours - number["value"],
                         number["source"], "; ".join(note for note in notes if note)])
    return HEADER, body


def our_interval(number: dict, row: str, intervals: dict[tuple, Interval]) -> tuple:
    """(low, high) of our counterpart: the interval of the average improvement, or of the
    target's task score; (None, None) where there is none."""
    if number["quantity"] == "average_improvement":
        interval = intervals.get((row, AVERAGE, TASK_SCORE_LANGUAGE))
        return (None, None) if interval is None else (interval.improvement_low,
                                                      interval.improvement_high)
    interval = intervals.get((row, number["target"], TASK_SCORE_LANGUAGE))
    return (None, None) if interval is None else (interval.low, interval.high)


def our_value(number: dict, row: str, table: Table2) -> tuple[float | None, str]:
    """(our counterpart of a published number, or None with the reason)."""
    if number["split"] != OUR_SPLIT:
        return None, f"ours: Table 2 reports {OUR_SPLIT} sets only"
    if row not in table.scores:
        return None, f"ours: no row {row!r} in Table 2"
    if number["quantity"] == "average_improvement":
        column, value = AVERAGE, table.improvement(row, AVERAGE)
    elif number["metric"] != TASK_SCORE:
        return None, f"ours: Table 2 holds the task score (metric {TASK_SCORE!r}) only"
    elif number["target"] not in table.targets:
        return None, f"ours: no target {number['target']!r} in Table 2"
    else:
        column = number["target"]
        value = table.scores[row][column]
    return value, "" if value is not None else missing(table, row, column)


def caveats(number: dict, row: str, table: Table2) -> list[str]:
    """Why our value is not comparable: a target it covers was not scored as the benchmark
    scores it (an average covers every target)."""
    return [f"ours: {target} {NOT_COMPARABLE}{why}"
            for target, why in table.not_comparable(row).items()
            if number["quantity"] == "average_improvement" or number.get("target") == target]


def missing(table: Table2, row: str, column: str) -> str:
    reason = table.notes.get(row) or table.notes.get(BASELINE)
    return f"ours: no {column} for {row!r}" + (f" ({reason})" if reason else "")


def coverage(ours: list[str], paper: list[str]) -> str:
    """Why an average of ours may differ from the paper's: it runs over fewer targets."""
    absent = [target for target in paper if target not in ours]
    return f"ours averages without {', '.join(absent)}" if absent else ""


def paper_average_improvements(reference: dict) -> list[tuple[tuple[str, ...], float]]:
    """[(rows, published dev-set average improvement)], one per published number; `rows`
    holds several Table 2 rows where the source does not tell which one it is."""
    return [(tuple(rows_of(number)), number["value"])
            for number in reference["numbers"]
            if number["quantity"] == "average_improvement" and number["split"] == OUR_SPLIT]
