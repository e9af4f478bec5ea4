"""Paired bootstrap over evaluation examples, vectorised with numpy (no torch).

A language's per-example material (written by scoring next to its metric) is one of two
kinds, each a set of equally long columns in the language's example order:

- `mean`: each column is a per-example score in [0, 1] (accuracy: correct or not; QA:
  exact match and token F1); the metric is 100 x the column's mean.
- `counts`: columns `gold`, `predicted` and `correct` count entities, chunks or pairs per
  sentence; precision, recall and F1 are recomputed from their sums (corpus-level F1, not
  a mean of per-sentence F1).

A resample draws n examples with replacement; its multiplicities (a resamples x n
matrix) times the stacked columns of every row and seed give every resampled total in
one matrix product, so all rows of a language share the same resamples (paired).
Replicate 0 is the observed data itself (every multiplicity 1): its statistic is the
headline number, and every aggregate built from the replicates carries it along.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Mapping, Sequence

import numpy as np

MEAN, COUNTS = "mean", "counts"
COUNT_COLUMNS = ("gold", "predicted", "correct")
BLOCK_ELEMENTS = 1 << 18  # multiplicities per block: 2 MiB, in cache (faster than larger)


def material(kind: str, ids: Sequence[str], columns: Mapping[str, Sequence[float]]) -> dict:
    """What a score file keeps per language: the kind, a digest of the example ids (paired
    rows must have the same examples in the same order) and the columns."""
    if kind not in (MEAN, COUNTS):
        raise ValueError(f"unknown kind of per-example material {kind!r}")
    lengths = {len(column) for column in columns.values()}
    if lengths != {len(ids)}:
        raise ValueError(f"columns of {sorted(lengths)} values for {len(ids)} examples")
    return {"kind": kind, "ids": ids_digest(ids), "columns": dict(columns)}


def ids_digest(ids: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(map(str, ids)).encode()).hexdigest()[:12]


def stream(*names: str | int) -> np.random.Generator:
    """A generator seeded by names (e.g. seed, task, language): the same resamples for the
    same examples whatever else is in the grid or in which order it is computed."""
    return np.random.default_rng([zlib.crc32(str(name).encode()) for name in names])


def resampled_totals(columns: np.ndarray, rng: np.random.Generator,
                     resamples: int) -> np.ndarray:
    """(1 + resamples, k) column sums: row 0 of the data, then of each resample of its n
    rows (n x k `columns`) drawn with replacement."""
    n = len(columns)
    totals = [columns.sum(axis=0, keepdims=True)]
    block = max(1, BLOCK_ELEMENTS // max(n, 1))
    for start in range(0, resamples, block):
        size = min(block, resamples - start)
        drawn = rng.integers(0, n, size=(size, n)) + n * np.arange(size)[:, None]
        multiplicities = np.bincount(drawn.ravel(), minlength=size * n).reshape(size, n)
        totals.append(multiplicities.astype(columns.dtype) @ columns)
    return np.concatenate(totals)


def statistics(kind: str, totals: Mapping[str, np.ndarray], n: int) -> dict[str, np.ndarray]:
    """{metric: replicates} from the resampled column totals of one language."""
    if kind == MEAN:
        return {name: 100.0 * total / n for name, total in totals.items()}
    gold, predicted, correct = (totals[name] for name in COUNT_COLUMNS)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, 100.0 * correct / predicted, 0.0)
        recall = np.where(gold > 0, 100.0 * correct / gold, 0.0)
        f1 = np.where(correct > 0, 200.0 * correct / (gold + predicted), 0.0)
    return {"precision": precision, "recall": recall, "f1": f1}


def language_replicates(materials: Mapping, rng: np.random.Generator,
                        resamples: int) -> dict:
    """{key: {metric: (1 + resamples,) replicates}} for the materials of one language
    ({key: material}, e.g. key = (row, seed)), all on the same resamples."""
    keys = list(materials)
    digests = {materials[key]["ids"] for key in keys}
    if len(digests) > 1:
        raise ValueError("runs to compare were scored on different examples "
                         f"(example-id digests {', '.join(sorted(digests))})")
    names = {key: list(materials[key]["columns"]) for key in keys}
    stacked = np.column_stack([np.asarray(materials[key]["columns"][name], dtype=float)
                               for key in keys for name in names[key]])
    totals = resampled_totals(stacked, rng, resamples)
    result, offset = {}, 0
    for key in keys:
        by_name = dict(zip(names[key], totals[:, offset:offset + len(names[key])].T,
                           strict=True))
        offset += len(names[key])
        result[key] = statistics(materials[key]["kind"], by_name, len(stacked))
    return result


def seed_draws(rng: np.random.Generator, resamples: int, n_seeds: int) -> np.ndarray:
    """(1 + resamples, n_seeds) seed positions: row 0 every seed once (the observed mean),
    then seeds drawn with replacement, one draw per resample."""
    return np.concatenate([np.arange(n_seeds)[None, :],
                           rng.integers(0, n_seeds, size=(resamples, n_seeds))])


def over_seeds(per_seed: np.ndarray, draws: np.ndarray) -> np.ndarray:
    """Replicates of the mean over seeds from (n_seeds, 1 + resamples) per-seed replicates:
    in replicate b, the mean over the seeds drawn for b of their replicate b. Seeds add
    their spread; the examples resampled are the same for every seed (one dev set)."""
    return per_seed[draws.T, np.arange(per_seed.shape[1])].mean(axis=0)


def interval(replicates: np.ndarray, confidence: float) -> tuple[np.ndarray, np.ndarray]:
    """(low, high) percentile interval along the last axis (one per row of a matrix of
    replicates); replicate 0, the data itself, is left out."""
    tail = 50.0 * (1.0 - confidence)
    low, high = np.percentile(replicates[..., 1:], [tail, 100.0 - tail], axis=-1)
    return low, high


def significant(low: float, high: float) -> bool:
    """Whether an interval of an improvement excludes 0."""
    return bool(low > 0 or high < 0)


# Resamples expected beyond each end of a percentile interval (see minimum_resamples).
TAIL_RESAMPLES = 25


def minimum_resamples(confidence: float) -> int:
    """The fewest bootstrap resamples that can give a percentile interval at `confidence`.

    Each end of the interval is the quantile at tail probability a = (1 - confidence) / 2
    of the B resampled statistics. The number of resamples beyond the true quantile is
    Binomial(B, a): the end rests on about B*a of them, and the tail mass the interval
    actually leaves out varies by 1/sqrt(B*a) relative to a. Asking for B*a >=
    TAIL_RESAMPLES = 25 keeps that within 20% (at 95%: 2.5% +- 0.5% per tail), so
    B >= 2 * 25 / (1 - confidence): 500 at 90%, 1000 at 95% (the order Efron & Tibshirani,
    1993, advise for percentile intervals), 5000 at 99%. Fewer, and the interval's ends
    are the few most extreme resamples (with one, both ends are the same number).
    """
    # rounded first: 1 - 0.95 is 0.05000000000000004 in floating point
    return int(np.ceil(round(2 * TAIL_RESAMPLES / (1.0 - confidence), 6)))
