"""Every task metric of XTREME, declared once: how a language's predictions are scored,
which measures make the language's number, and what a bootstrap of it resamples.

A new metric is one entry of METRICS (its functions live in the metric's module).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from xstilts.metrics import bootstrap, check_predicted
from xstilts.metrics.classification import accuracy, correct_flags
from xstilts.metrics.qa import mlqa_per_question, score_mlqa, score_squad, squad_per_question
from xstilts.metrics.retrieval import mined_pairs_counts, mined_pairs_f1, side
from xstilts.metrics.tagging import entity_counts, entity_f1, pos_counts, pos_f1


@dataclass(frozen=True)
class Metric:
    # (predictions, gold, language) -> {measure: value, ..., "count": n}
    score: Callable[[dict, dict, str], dict]
    # the measures whose mean is the language's number (QA: (EM + F1) / 2)
    headline: tuple[str, ...]
    # (predictions, gold, language, split table) -> per-example material
    # (xstilts.metrics.bootstrap): what a bootstrap of the language's number resamples
    examples: Callable[[dict, dict, str, object], dict]


def tagging_f1(f1, predictions: dict[str, list], gold: dict[str, list]) -> dict:
    """{f1, count}: `f1(gold sentences, predicted sentences)` over every gold sentence."""
    check_predicted(predictions, gold, "sentences")
    return {"f1": f1(list(gold.values()), [predictions[key] for key in gold]),
            "count": len(gold)}


def tagging_examples(counts, predictions: dict[str, list], gold: dict[str, list]) -> dict:
    """Per-sentence counts (sentences in gold order) behind a corpus-level tagging F1."""
    return bootstrap.material(bootstrap.COUNTS, list(gold),
                              counts(list(gold.values()), [predictions[key] for key in gold]))


def bucc_examples(prediction: dict, gold: dict[str, str], table) -> dict:
    """Per source sentence of the split (every one, distractors included: the population
    the corpus samples), its gold, extracted and correct pairs."""
    sources, _ = side(table, "source")
    return bootstrap.material(bootstrap.COUNTS, sources,
                              mined_pairs_counts(prediction, gold, sources))


def accuracy_examples(predictions, gold, language, table) -> dict:
    """Per example (Tatoeba: per query), its hit or not."""
    return bootstrap.material(bootstrap.MEAN, list(gold),
                              {"accuracy": correct_flags(predictions, gold)})


METRICS = {
    "accuracy": Metric(
        lambda predictions, gold, language: accuracy(predictions, gold), ("accuracy",),
        accuracy_examples),
    "squad": Metric(
        lambda predictions, gold, language: score_squad(predictions, gold),
        ("exact_match", "f1"),
        lambda predictions, gold, language, table: bootstrap.material(
            bootstrap.MEAN, list(gold), squad_per_question(predictions, gold))),
    "mlqa": Metric(
        score_mlqa, ("exact_match", "f1"),
        lambda predictions, gold, language, table: bootstrap.material(
            bootstrap.MEAN, list(gold), mlqa_per_question(predictions, gold, language))),
    "bucc_f1": Metric(
        lambda predictions, gold, language: mined_pairs_f1(predictions, gold), ("f1",),
        lambda predictions, gold, language, table: bucc_examples(predictions, gold, table)),
    "tatoeba_accuracy": Metric(
        lambda predictions, gold, language: accuracy(predictions, gold), ("accuracy",),
        accuracy_examples),
    "pos_f1": Metric(
        lambda predictions, gold, language: tagging_f1(pos_f1, predictions, gold), ("f1",),
        lambda predictions, gold, language, table: tagging_examples(
            pos_counts, predictions, gold)),
    "entity_f1": Metric(
        lambda predictions, gold, language: tagging_f1(entity_f1, predictions, gold),
        ("f1",),
        lambda predictions, gold, language, table: tagging_examples(
            entity_counts, predictions, gold)),
}


def get_metric(name: str) -> Metric:
    try:
        return METRICS[name]
    except KeyError:
        raise ValueError(f"metric {name!r} is not implemented "
                         f"(implemented: {', '.join(METRICS)})") from None
