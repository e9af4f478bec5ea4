"""Predictions + gold labels -> per-language metrics and the task score (no torch)."""

from __future__ import annotations

from pathlib import Path

from .data.prepared import read_manifest, read_split
from .metrics.averages import task_score
from .metrics.classification import accuracy
from .tasks import get_format

# metric name -> f(predictions, gold, language) -> {metric: value, "count": n}
METRICS = {"accuracy": lambda predictions, gold, language: accuracy(predictions, gold)}


def score_predictions(spec: dict, data_root: Path, by_language: dict[str, dict],
                      partial: bool = False) -> dict:
    """{task, metric, languages: {lang: metrics}, score}.

    The task score averages every evaluation language, so a prediction set missing any is
    an error, unless `partial` (scoring single files), where the score is left empty.
    """
    metric = METRICS[spec["metric"]]
    task_format = get_format(spec["format"])
    dataset_dir = Path(data_root) / spec["eval"]["dataset"]
    label_names = read_manifest(dataset_dir)["label_names"]
    unknown = sorted(set(by_language) - set(spec["languages"]))
    if unknown:
        raise ValueError(f"predictions for languages outside task {spec['task']!r}: {unknown}")
    missing = [language for language in spec["languages"] if language not in by_language]
    if missing and not partial:
        raise ValueError(f"task {spec['task']!r}: no predictions for languages {missing}")
    results = {}
    for language, predictions in by_language.items():
        gold = task_format.gold(read_split(dataset_dir, language, spec["eval"]["split"]),
                                label_names)
        try:
            results[language] = metric(predictions, gold, language)
        except ValueError as error:
            raise ValueError(f"{spec['task']} {language}: {error}") from None
    return {"task": spec["task"], "metric": spec["metric"], "split": spec["eval"]["split"],
            "languages": results,
            "score": None if missing else task_score(spec["metric"], results)}
