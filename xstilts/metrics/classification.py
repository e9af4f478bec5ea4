"""Accuracy as XTREME reports it for XNLI and PAWS-X (percent of examples), and the F1 of
one label (QQP's checkpoint selection in the paper's toolkit)."""

from __future__ import annotations

from collections.abc import Mapping

from xstilts.metrics import check_predicted


def accuracy(predictions: Mapping[str, str], gold: Mapping[str, str]) -> dict:
    """Percent of gold examples whose prediction equals the gold label.

    Every gold example must have a prediction: a silently shorter prediction file would
    otherwise inflate or deflate the score.
    """
    correct = sum(correct_flags(predictions, gold))
    return {"accuracy": 100.0 * correct / len(gold), "count": len(gold)}


def correct_flags(predictions: Mapping[str, str], gold: Mapping[str, str]) -> list[int]:
    """1 where an example's prediction equals its gold label, else 0, in gold order (what
    a bootstrap of the accuracy resamples)."""
    if not gold:
        raise ValueError("no gold examples to score")
    check_predicted(predictions, gold)
    return [int(predictions[key] == label) for key, label in gold.items()]


def label_f1(predictions: Mapping[str, str], gold: Mapping[str, str], positive: str) -> float:
    """F1 in percent of label `positive` (binary F1 with that label as the positive class,
    as scikit-learn's f1_score computes it for label 1); 0 when it is never predicted
    nor gold."""
    pairs = [(predictions[key] == positive, label == positive) for key, label in gold.items()]
    true_positives = sum(p and g for p, g in pairs)
    predicted, actual = sum(p for p, _ in pairs), sum(g for _, g in pairs)
    return 200.0 * true_positives / (predicted + actual) if predicted + actual else 0.0
