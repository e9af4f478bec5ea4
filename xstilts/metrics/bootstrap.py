"""Paired bootstrap over evaluation examples, vectorised with numpy (no torch).

A language's per-example material (written by scoring next to its metric) is one of two
kinds, each a set of equally long columns in the language's example order:

- `mean`: each column is a per-example score in [0, 1] (accuracy: correct or not; QA:
  exact match and token F1); the metric is 100 x the column's mean.
- `counts`: columns `gold`, `predicted` and `correct` count entities, chunks or pairs per
  sentence; precision, recall and F1 are recomputed from their sums (corpus-level F1, not
  a mean of per-sentence F1).

A resample draws n items with replacement; its multiplicities (a resamples x n matrix)
times the stacked columns of every row and seed give every resampled total in one matrix
product, so all rows of a language share the same resamples (paired). Replicate 0 is the
observed data itself (every multiplicity 1): its statistic is the headline number, and
every aggregate built from the replicates carries it along.

Parallel test sets (XNLI, PAWS-X, XQuAD, MLQA) hold the same items in every language; their
material names each example's item (`items`: its id without the language), and the items
are drawn once for all languages together (`aligned_positions`), so that a task's interval
does not treat translations of one item as independent evidence. A language's mean then
divides by the number of its examples drawn (MLQA's languages share only part of their
questions); where every language holds every item that number is n.
"""

from __future__ import annotations

import hashlib
import zlib
from collections.abc import Iterator, Mapping, Sequence

import numpy as np

MEAN, COUNTS = "mean", "counts"
COUNT_COLUMNS = ("gold", "predicted", "correct")
BLOCK_ELEMENTS = 1 << 18  # multiplicities per block: 2 MiB, in cache (faster than larger)


def material(kind: str, ids: Sequence[str], columns: Mapping[str, Sequence[float]],
             items: Sequence[str] | None = None) -> dict:
    """What a score file keeps per language: the kind, a digest of the example ids (paired
    rows must have the same examples in the same order), the columns and, on a parallel
    test set, each example's item across languages."""
    if kind not in (MEAN, COUNTS):
        raise ValueError(f"unknown kind of per-example material {kind!r}")
    lengths = {len(column) for column in (*columns.values(), *([items] if items else []))}
    if lengths - {len(ids)}:
        raise ValueError(f"columns of {sorted(lengths)} values for {len(ids)} examples")
    kept = {"kind": kind, "ids": ids_digest(ids), "columns": dict(columns)}
    return kept | ({"items": list(items)} if items is not None else {})


def ids_digest(ids: Sequence[str]) -> str:
    return hashlib.sha256("\n".join(map(str, ids)).encode()).hexdigest()[:12]


def stream(*names: str | int) -> np.random.Generator:
    """A generator seeded by names (e.g. seed, task, language): the same resamples for the
    same examples whatever else is in the grid or in which order it is computed."""
    return np.random.default_rng([zlib.crc32(str(name).encode()) for name in names])


def multiplicity_blocks(rng: np.random.Generator, n: int, resamples: int
                        ) -> Iterator[np.ndarray]:
    """`resamples` draws of n items with replacement, as (block, n) multiplicity matrices
    (blocks of BLOCK_ELEMENTS: the products stay in cache)."""
    block = max(1, BLOCK_ELEMENTS // max(n, 1))
    for start in range(0, resamples, block):
        size = min(block, resamples - start)
        drawn = rng.integers(0, n, size=(size, n)) + n * np.arange(size)[:, None]
        yield np.bincount(drawn.ravel(), minlength=size * n).reshape(size, n)


def aligned_positions(items: Mapping[str, Sequence[str]]) -> tuple[int, dict[str, np.ndarray]]:
    """(number of distinct items, {language: position of each of its examples among
    them}) of the languages of a parallel test set, items in order of first appearance."""
    index: dict[str, int] = {}
    positions = {language: np.array([index.setdefault(item, len(index)) for item in keys],
                                    dtype=np.intp)
                 for language, keys in items.items()}
    return len(index), positions


def statistics(kind: str, totals: Mapping[str, np.ndarray], n) -> dict[str, np.ndarray]:
    """{metric: replicates} from the resampled column totals of one language and the
    number of its examples in each replicate (n: one number or one per replicate)."""
    if kind == MEAN:
        with np.errstate(divide="ignore", invalid="ignore"):  # no example drawn: nan
            return {name: 100.0 * total / n for name, total in totals.items()}
    gold, predicted, correct = (totals[name] for name in COUNT_COLUMNS)
    with np.errstate(divide="ignore", invalid="ignore"):
        precision = np.where(predicted > 0, 100.0 * correct / predicted, 0.0)
        recall = np.where(gold > 0, 100.0 * correct / gold, 0.0)
        f1 = np.where(correct > 0, 200.0 * correct / (gold + predicted), 0.0)
    return {"precision": precision, "recall": recall, "f1": f1}


def stacked_columns(materials: Mapping) -> tuple[np.ndarray, dict]:
    """(n x k columns of every key's material side by side, {key: its column names}); the
    keys' materials must hold the same examples in the same order (paired)."""
    digests = {material["ids"] for material in materials.values()}
    if len(digests) > 1:
        raise ValueError("runs to compare were scored on different examples "
                         f"(example-id digests {', '.join(sorted(digests))})")
    names = {key: list(material["columns"]) for key, material in materials.items()}
    stacked = np.column_stack([np.asarray(materials[key]["columns"][name], dtype=float)
                               for key in materials for name in names[key]])
    return stacked, names


def drawn_totals(columns: Mapping[str, np.ndarray], blocks: Iterator[np.ndarray],
                 positions: Mapping[str, np.ndarray] | None = None) -> dict:
    """{language: (column totals, examples drawn), one row per replicate} under each
    block of multiplicities: of the language's own examples (`positions` None, one
    language), or of the items its examples are at (a parallel set, all languages)."""
    totals: dict[str, list] = {language: [] for language in columns}
    counts: dict[str, list] = {language: [] for language in columns}
    for block in blocks:
        for language, stacked in columns.items():
            drawn = block if positions is None else block[:, positions[language]]
            totals[language].append(drawn.astype(float) @ stacked)
            counts[language].append(drawn.sum(axis=1))
    return {language: (np.concatenate(totals[language]), np.concatenate(counts[language]))
            for language in columns}


def observed_totals(stacked: np.ndarray) -> tuple[np.ndarray, int]:
    """(column totals, examples) of the data itself: one replicate."""
    return stacked.sum(axis=0, keepdims=True), len(stacked)


def split_statistics(materials: Mapping, names: dict, totals: np.ndarray, counts) -> dict:
    """{key: {metric: replicates}} from the totals of the stacked columns of `materials`."""
    if not np.isscalar(counts) and (counts == counts[0]).all():
        counts = int(counts[0])  # every replicate holds n examples: divide as the data
    result, offset = {}, 0
    for key, material in materials.items():
        by_name = dict(zip(names[key], totals[:, offset:offset + len(names[key])].T,
                           strict=True))
        offset += len(names[key])
        result[key] = statistics(material["kind"], by_name, counts)
    return result


def language_replicates(materials: Mapping, rng: np.random.Generator,
                        resamples: int) -> dict:
    """{key: {metric: (1 + resamples,) replicates}} of one language resampled on its own:
    replicate 0 the data, then `resamples` draws of its examples."""
    stacked, names = stacked_columns(materials)
    observed = split_statistics(materials, names, *observed_totals(stacked))
    blocks = multiplicity_blocks(rng, len(stacked), resamples)
    drawn = split_statistics(materials, names, *drawn_totals({"": stacked}, blocks)[""])
    return {key: {name: np.concatenate([observed[key][name], values])
                  for name, values in drawn[key].items()} for key in materials}


def seed_draws(rng: np.random.Generator | None, resamples: int, n_seeds: int) -> np.ndarray:
    """(resamples, n_seeds) seed positions drawn with replacement, one draw per resample;
    rng None: the data itself, every seed once (one replicate)."""
    if rng is None:
        return np.arange(n_seeds)[None, :]
    return rng.integers(0, n_seeds, size=(resamples, n_seeds))


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


class TailInterval:
    """`interval` of rows of replicates that arrive in chunks of columns (replicate 0 left
    out by the caller), exactly as numpy's linear percentile over all of them, keeping
    only each row's lowest and highest values that the two percentiles can reach: memory
    of rows x (chunk + about (1 - confidence) x resamples), not rows x resamples."""

    def __init__(self, resamples: int, confidence: float):
        tail = 50.0 * (1.0 - confidence)
        quantiles = np.array([tail, 100.0 - tail]) / 100  # as `interval` asks numpy
        self.virtual = (resamples - 1) * quantiles  # numpy's linear method
        below = np.floor(self.virtual).astype(int)
        self.resamples = resamples
        self.keep_low = min(resamples, below[0] + 2)
        self.keep_high = min(resamples, resamples - below[1])
        self.lowest: np.ndarray | None = None
        self.highest: np.ndarray | None = None

    def add(self, replicates: np.ndarray) -> None:
        """Take a (rows, chunk) block of replicates (reordered in place: no copy of it)."""
        lowest, highest = self.smallest(replicates), self.largest(replicates)
        if self.lowest is not None:
            lowest = self.smallest(np.hstack([self.lowest, lowest]))
            highest = self.largest(np.hstack([self.highest, highest]))
        self.lowest, self.highest = lowest, highest

    def smallest(self, values: np.ndarray) -> np.ndarray:
        """Each row's keep_low smallest values (`values` reordered in place)."""
        if values.shape[1] > self.keep_low:
            values.partition(self.keep_low - 1, axis=1)
        return values[:, :self.keep_low].copy()

    def largest(self, values: np.ndarray) -> np.ndarray:
        """Each row's keep_high largest values (`values` reordered in place)."""
        cut = max(0, values.shape[1] - self.keep_high)
        if cut:
            values.partition(cut, axis=1)
        return values[:, cut:].copy()

    def bounds(self) -> tuple[np.ndarray, np.ndarray]:
        """(low, high) of every row, once all `resamples` replicates were added."""
        low = self.order_statistic(np.sort(self.lowest, axis=1), self.virtual[0], 0)
        skipped = self.resamples - self.keep_high  # values below those kept for the high end
        high = self.order_statistic(np.sort(self.highest, axis=1), self.virtual[1], skipped)
        return low, high

    def order_statistic(self, kept: np.ndarray, virtual: float, skipped: int) -> np.ndarray:
        """numpy's linear interpolation between the order statistics around `virtual`."""
        below = int(np.floor(virtual))
        gamma = virtual - below
        a = kept[:, below - skipped]
        b = kept[:, min(below + 1, self.resamples - 1) - skipped]
        difference = b - a
        return np.where(gamma >= 0.5, b - difference * (1 - gamma), a + difference * gamma)


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
