"""Table 3: the test-set comparison (the paper's XTREME result).

Per target task, the intermediate task with the best development score in Table 2 (mean
over seeds; or the one fixed in config `table3.intermediate`) is reported on the test split
next to the baseline, then the category averages and the XTREME score (the mean of the task
scores), with the published test numbers beside ours. Selection looks at dev scores only.
"""

from __future__ import annotations

from xstilts.config import BASELINE
from xstilts.metrics.averages import CATEGORIES, mean_if_complete
from xstilts.report.table2 import NOT_COMPARABLE, over_seeds

HEADER = ["target", "intermediate", "selected_by", "dev", "baseline_test", "test",
          "improvement", "paper_baseline_test", "paper_test", "paper_source", "test_split",
          "records", "note"]
AVERAGE = "xtreme"
PUBLISHED_ROW = {"baseline": BASELINE, "best": "best_per_target"}


def test_score(result: dict) -> tuple[float | None, str, str]:
    """(test score, split, note) of one score file: its `test` section, or the evaluated
    split where the target has no separate test split (XTREME's test data is that split)."""
    caveat = [f"{NOT_COMPARABLE}{result['caveat']}"] if result.get("caveat") else []
    if "test" not in result:
        return (result["score"], result["split"],
                "; ".join(["evaluated split is XTREME's test data", *caveat]))
    test = result["test"]
    skipped = [f"{language} skipped: {why}" for language, why in test["skipped"].items()]
    return test["score"], test["split"], "; ".join(caveat + skipped)


def test_cell(runs: dict, row: str, target: str, seeds: list[int]) -> dict:
    """{score (mean over seeds), split, notes, records} of one row on one target's test."""
    per_seed = [test_score(runs[row, target, seed]) if (row, target, seed) in runs
                else (None, "", f"no score file for seed {seed}") for seed in seeds]
    return {"score": mean_if_complete(score for score, _, _ in per_seed),
            "split": next((split for _, split, _ in per_seed if split), ""),
            "notes": list(dict.fromkeys(note for _, _, note in per_seed if note)),
            "records": [runs[row, target, seed]["record"] for seed in seeds
                        if runs.get((row, target, seed), {}).get("record")]}


def chosen_row(cells: dict, rows: list[str], target: str, fixed: dict[str, str]) -> tuple:
    """(row, how it was chosen) for one target: the configured row, or the best dev score."""
    if target in fixed:
        return fixed[target], "config table3.intermediate"
    scored = [(cells[row, target]["score"], row) for row in rows
              if row != BASELINE and cells.get((row, target), {}).get("score") is not None]
    if not scored:
        return None, "no intermediate row has a dev score"
    best = max(score for score, _ in scored)
    row = next(row for score, row in scored if score == best)  # ties: the first row
    return row, f"best dev score of {len(scored)} rows"


def published(numbers: list[dict], row: str, target: str, qa: bool) -> tuple[float | None, str]:
    """(published test task score, source) of a row on a target: accuracy or F1 as given,
    QA (`qa`) as (EM + F1) / 2 where one source gives both; the first source that has it."""
    by_source: dict[str, dict[str, float]] = {}
    for number in numbers:
        if (number["quantity"] == "score" and number["split"] == "test"
                and number["intermediate"] == row and number["target"] == target):
            by_source.setdefault(number["source"], {})[number["metric"]] = number["value"]
    for source, metrics in by_source.items():
        if qa and {"exact_match", "f1"} <= set(metrics):
            return (metrics["exact_match"] + metrics["f1"]) / 2, source
        if not qa and len(metrics) == 1:
            return next(iter(metrics.values())), source
    return None, ""


def table3(runs: dict, layout: dict, numbers: list[dict]) -> tuple[list[str], list[list]]:
    """(header, rows): one row per target, then its categories and the XTREME score."""
    rows, targets, seeds = layout["rows"], layout["targets"], layout["seeds"]
    cells = over_seeds(runs, seeds)
    body, scores = [], {}
    for target in targets:
        row, selected_by = chosen_row(cells, rows, target, layout.get("fixed", {}))
        baseline = test_cell(runs, BASELINE, target, seeds)
        ours = test_cell(runs, row, target, seeds) if row else {"score": None, "notes": [],
                                                                "records": [], "split": ""}
        qa = layout["categories"][target] == "question_answering"
        paper_baseline, source = published(numbers, PUBLISHED_ROW["baseline"], target, qa)
        paper, paper_source = published(numbers, PUBLISHED_ROW["best"], target, qa)
        scores[target] = (baseline["score"], ours["score"], paper_baseline, paper)
        body.append([target, row or "", selected_by,
                     cells.get((row, target), {}).get("score"), baseline["score"],
                     ours["score"], difference(ours["score"], baseline["score"]),
                     paper_baseline, paper, paper_source or source,
                     ours["split"] or baseline["split"],
                     " ".join(baseline["records"] + ours["records"]),
                     "; ".join(dict.fromkeys(baseline["notes"] + ours["notes"]))])
    return HEADER, body + averages(scores, layout["categories"], targets)


def averages(scores: dict[str, tuple], categories: dict[str, str],
             targets: list[str]) -> list[list]:
    """Category rows and the XTREME score: each column's mean over the targets it covers,
    empty unless every one of them has a value (an average over fewer is not XTREME's)."""
    groups = [(category, [t for t in targets if categories[t] == category])
              for category in CATEGORIES if category in {categories[t] for t in targets}]
    body = []
    for name, members in [*groups, (AVERAGE, targets)]:
        baseline, ours, paper_baseline, paper = (
            mean_if_complete(scores[t][i] for t in members) for i in range(4))
        body.append([name, "per target", "", None, baseline, ours,
                     difference(ours, baseline), paper_baseline, paper, "", "", "",
                     f"mean over {', '.join(members)}"])
    return body


def difference(ours: float | None, baseline: float | None) -> float | None:
    return None if ours is None or baseline is None else ours - baseline
