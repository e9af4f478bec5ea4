"""Accuracy as XTREME reports it for XNLI and PAWS-X (percent of examples)."""

from __future__ import annotations

from collections.abc import Mapping


def accuracy(predictions: Mapping[str, str], gold: Mapping[str, str]) -> dict:
    """Percent of gold examples whose prediction equals the gold label.

    Every gold example must have a prediction: a silently shorter prediction file would
    otherwise inflate or deflate the score.
    """
    if not gold:
        raise ValueError("no gold examples to score")
    missing = [key for key in gold if key not in predictions]
    if missing:
        raise ValueError(f"{len(missing)} examples have no prediction, e.g. id {missing[0]!r}")
    correct = sum(predictions[key] == label for key, label in gold.items())
    return {"accuracy": 100.0 * correct / len(gold), "count": len(gold)}
