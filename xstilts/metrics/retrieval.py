"""BUCC's metric on a prediction file (no torch); Tatoeba's is plain accuracy.

A BUCC prediction holds the mined pairs with their margins and the threshold chosen on the
dev split (see xstilts.formats.retrieval); scoring applies that threshold as it is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Hashable, Iterable, Mapping, Sequence


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


ScoredPair = tuple[Hashable, Hashable, float]


PairScores = Mapping[tuple[Hashable, Hashable], float] | Iterable[ScoredPair]


def bucc_f1(
    pairs_with_scores: PairScores,
    gold_pairs: Iterable[tuple[Hashable, Hashable]],
    threshold: float,
) -> dict[str, float]:
    """Precision, recall and F1 (x100) of the candidates scoring >= threshold.

    pairs_with_scores: {(src_id, tgt_id): score} or (src_id, tgt_id, score) triples; a pair
    listed twice keeps its best score. Recall counts every gold pair, mined or not.
    """
    extracted = extracted_pairs(pairs_with_scores, threshold)
    gold = set(gold_pairs)
    n_correct = len(extracted & gold)
    if n_correct == 0:
        return {"precision": 0.0, "recall": 0.0, "f1": 0.0}
    precision = n_correct / len(extracted)
    recall = n_correct / len(gold)
    f1 = 2 * precision * recall / (precision + recall)
    return {"precision": 100 * precision, "recall": 100 * recall, "f1": 100 * f1}


def extracted_pairs(pairs_with_scores: PairScores, threshold: float) -> set[tuple]:
    """The (src_id, tgt_id) pairs whose best score is >= threshold."""
    return {pair for pair, score in _best_score_per_pair(pairs_with_scores).items()
            if score >= threshold}


def best_threshold(
    pairs_with_scores: PairScores, gold_pairs: Iterable[tuple[Hashable, Hashable]]
) -> float:
    """The score threshold maximising F1 on these (dev) candidates, as XTREME picks it.

    Candidates are taken in decreasing score order; after each one F1 of the prefix is
    computed, and the first prefix reaching the best F1 wins. The threshold is the midpoint
    between its last score and the next candidate's score (the last score itself when the
    whole list wins; XTREME would raise an IndexError there). 0.0 if no candidate is gold.
    """
    ranked = sorted(_best_score_per_pair(pairs_with_scores).items(), key=lambda item: -item[1])
    gold = set(gold_pairs)
    threshold, best_f1, n_correct = 0.0, 0.0, 0
    for n_extracted, (pair, score) in enumerate(ranked, start=1):
        n_correct += pair in gold
        if n_correct == 0:
            continue
        precision, recall = n_correct / n_extracted, n_correct / len(gold)
        f1 = 2 * precision * recall / (precision + recall)
        if f1 > best_f1:
            best_f1 = f1
            next_score = ranked[n_extracted][1] if n_extracted < len(ranked) else score
            threshold = (score + next_score) / 2
    return threshold


def _best_score_per_pair(pairs_with_scores: PairScores) -> dict[tuple[Hashable, Hashable], float]:
    if isinstance(pairs_with_scores, Mapping):
        return {tuple(pair): float(score) for pair, score in pairs_with_scores.items()}
    best: dict[tuple[Hashable, Hashable], float] = {}
    for src, tgt, score in pairs_with_scores:
        best[(src, tgt)] = max(float(score), best.get((src, tgt), float("-inf")))
    return best


def side(table, column: str) -> tuple[list[str], list[str]]:
    """(ids, sentences) of the rows that have a sentence in `column` (source or target)."""
    rows = zip(table.column("id").to_pylist(), table.column(column).to_pylist(), strict=True)
    present = [(row_id, text) for row_id, text in rows if text is not None]
    return [row_id for row_id, _ in present], [text for _, text in present]
