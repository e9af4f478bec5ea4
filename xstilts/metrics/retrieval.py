"""BUCC's metric on a prediction file (no torch); Tatoeba's is plain accuracy.

A BUCC prediction holds the mined pairs with their margins and the threshold chosen on the
dev split (see xstilts.tasks.retrieval); scoring applies that threshold as it is.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..retrieval import bucc_f1


def mined_pairs_f1(prediction: Mapping, gold: Mapping[str, str]) -> dict:
    """Precision, recall and F1 (x100) of the pairs scoring >= the prediction's threshold.

    gold: {source sentence id: target sentence id}; every gold pair counts for recall,
    mined or not.
    """
    if not gold:
        raise ValueError("no gold pairs to score")
    result = bucc_f1(prediction["pairs"], gold.items(), prediction["threshold"])
    return {**result, "count": len(gold)}
