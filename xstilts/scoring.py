"""Predictions + gold labels -> per-language metrics and the task score (no torch)."""

from __future__ import annotations

from pathlib import Path

from .data.prepared import read_manifest, read_split
from .metrics.averages import task_score
from .metrics.classification import accuracy

METRICS = {"accuracy": accuracy}


def gold_labels(dataset_dir: Path, language: str, split: str) -> dict[str, str]:
    names = read_manifest(dataset_dir)["label_names"]
    table = read_split(dataset_dir, language, split)
    return dict(zip(table.column("id").to_pylist(),
                    (names[i] for i in table.column("label").to_pylist()), strict=True))


def score_predictions(spec: dict, data_root: Path, by_language: dict[str, dict]) -> dict:
    """{task, metric, languages: {lang: metrics}, score} for the languages predicted."""
    metric = METRICS[spec["metric"]]
    dataset_dir = Path(data_root) / spec["eval"]["dataset"]
    unknown = sorted(set(by_language) - set(spec["languages"]))
    if unknown:
        raise ValueError(f"predictions for languages outside task {spec['task']!r}: {unknown}")
    results = {}
    for language, predictions in by_language.items():
        gold = gold_labels(dataset_dir, language, spec["eval"]["split"])
        try:
            results[language] = metric(predictions, gold)
        except ValueError as error:
            raise ValueError(f"{spec['task']} {language}: {error}") from None
    return {"task": spec["task"], "metric": spec["metric"], "split": spec["eval"]["split"],
            "languages": results, "score": task_score(spec["metric"], results)}
