"""BUCC's metric on a prediction file (no torch); Tatoeba's is plain accuracy.

A BUCC prediction holds the mined pairs with their margins and the threshold chosen on the
dev split (see xstilts.tasks.retrieval); scoring applies that threshold as it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence

from ..retrieval import bucc_f1, extracted_pairs


def mined_pairs_f1(prediction: Mapping, gold: Mapping[str, str]) -> dict:
    """Precision, recall and F1 (x100) of the pairs scoring >= the prediction's threshold.

    gold: {source sentence id: target sentence id}; every gold pair counts for recall,
    mined or not.
    """
    if not gold:
        raise ValueError("no gold pairs to score")
    result = bucc_f1(prediction["pairs"], gold.items(), prediction["threshold"])
    return {**result, "count": len(gold)}


def mined_pairs_counts(prediction: Mapping, gold: Mapping[str, str],
                       sources: Sequence[str]) -> dict[str, list[int]]:
    """{gold, predicted, correct}: per source sentence of the split (`sources`, in split
    order), its gold pairs, its pairs extracted at the prediction's threshold, and those
    both; sums give `mined_pairs_f1`. The threshold stays the one chosen on the full dev
    split: a bootstrap over source sentences then measures the sampling error of the
    reported F1, not that of choosing the threshold again."""
    extracted = extracted_pairs(prediction["pairs"], prediction["threshold"])
    unknown = {source for source, _ in extracted} - set(sources)
    if unknown:
        raise ValueError(f"{len(unknown)} mined pairs have a source sentence outside the "
                         f"split, e.g. id {sorted(unknown)[0]!r}")
    gold_pairs = set(gold.items())
    counts = {name: Counter(source for source, _ in pairs) for name, pairs in (
        ("gold", gold_pairs), ("predicted", extracted), ("correct", extracted & gold_pairs))}
    return {name: [count[source] for source in sources] for name, count in counts.items()}
