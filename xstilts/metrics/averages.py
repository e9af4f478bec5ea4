"""XTREME's averaging rules: per task, per category, overall."""

from __future__ import annotations

from collections.abc import Mapping
from statistics import fmean

from xstilts.metrics.registry import METRICS

# XTREME's task categories, in the order of its tables (each target task names one).
CATEGORIES = ("classification", "structured_prediction", "question_answering", "retrieval")


def language_score(metric: str, result: Mapping[str, float]) -> float:
    """The number a language contributes: the mean of its metric's headline measures (QA
    tasks: (EM + F1) / 2); a measure that is no task metric (token accuracy) stands alone."""
    headline = METRICS[metric].headline if metric in METRICS else (metric,)
    return sum(result[measure] for measure in headline) / len(headline)


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
