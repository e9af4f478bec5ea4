"""XTREME's official metrics (no torch); `registry` declares each task metric once."""

from __future__ import annotations

from collections.abc import Mapping


def check_predicted(predictions: Mapping, gold: Mapping, unit: str = "examples") -> None:
    """Every gold item (example, sentence) must have a prediction: a missing one is an error,
    never a silent zero (QA is the exception the official scripts make, xstilts.metrics.qa)."""
    missing = [key for key in gold if key not in predictions]
    if missing:
        raise ValueError(f"{len(missing)} {unit} have no prediction, e.g. id {missing[0]!r}")
