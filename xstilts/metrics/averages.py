"""XTREME's averaging rules: per task, per category, overall."""

from __future__ import annotations

from collections.abc import Mapping
from statistics import fmean

# Metric of a language result that enters the averages, per task metric.
HEADLINE = {"accuracy": "accuracy", "bucc_f1": "f1", "tatoeba_accuracy": "accuracy",
            "pos_f1": "f1", "entity_f1": "f1"}


def language_score(metric: str, result: Mapping[str, float]) -> float:
    """The number a language contributes (QA tasks: (EM + F1) / 2)."""
    if metric in ("squad", "mlqa"):
        return (result["exact_match"] + result["f1"]) / 2
    return result[HEADLINE.get(metric, metric)]


def task_score(metric: str, languages: Mapping[str, Mapping[str, float]]) -> float:
    """Mean over every evaluation language, English included."""
    return fmean(language_score(metric, result) for result in languages.values())


def mean_if_complete(values) -> float | None:
    """Mean of the values, or None when any is missing (an average over fewer is not XTREME's)."""
    values = list(values)
    return None if not values or None in values else fmean(values)


def category_scores(task_scores: Mapping[str, float | None],
                    categories: Mapping[str, str]) -> dict[str, float | None]:
    """Unweighted mean of the task scores in each XTREME category present."""
    grouped: dict[str, list] = {}
    for task, score in task_scores.items():
        grouped.setdefault(categories[task], []).append(score)
    return {category: mean_if_complete(scores) for category, scores in grouped.items()}
