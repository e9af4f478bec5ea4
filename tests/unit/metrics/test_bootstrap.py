"""Bootstrap intervals against direct computations: the normal approximation of an
accuracy, the paired difference, corpus-level F1 from resampled counts, seeds."""

import random

import numpy as np
import pytest

from xstilts.metrics import bootstrap
from xstilts.metrics.retrieval import mined_pairs_counts, mined_pairs_f1
from xstilts.metrics.tagging import entity_counts, entity_f1, pos_counts, pos_f1

Z95 = 1.959964  # standard normal quantile of 0.975


def accuracy_material(flags, ids=None):
    return bootstrap.material(bootstrap.MEAN, ids or [str(i) for i in range(len(flags))],
                              {"accuracy": list(flags)})


def replicates(materials: dict, resamples: int = 4000, name: str = "en") -> dict:
    return bootstrap.language_replicates(materials, bootstrap.stream(0, name), resamples)


def test_accuracy_interval_matches_the_normal_approximation():
    # 1400 of 2000 right: 70 +- 1.96 * sqrt(0.7 * 0.3 / 2000) * 100 = 70 +- 2.008
    flags = [1] * 1400 + [0] * 600
    values = replicates({"row": accuracy_material(flags)})["row"]["accuracy"]
    assert values[0] == 70.0  # replicate 0: the data itself
    half_width = Z95 * (0.7 * 0.3 / 2000) ** 0.5 * 100
    low, high = bootstrap.interval(values, 0.95)
    assert low == pytest.approx(70 - half_width, abs=0.2)
    assert high == pytest.approx(70 + half_width, abs=0.2)


def test_paired_difference_is_narrower_than_unpaired():
    rng = np.random.default_rng(7)
    baseline = (rng.random(1000) < 0.7).astype(int)
    # the row fixes 60 of the baseline's errors and breaks 20 of its right answers
    row = baseline.copy()
    row[np.flatnonzero(baseline == 0)[:60]] = 1
    row[np.flatnonzero(baseline == 1)[:20]] = 0
    paired = replicates({"baseline": accuracy_material(baseline),
                         "row": accuracy_material(row)})
    difference = paired["row"]["accuracy"] - paired["baseline"]["accuracy"]
    assert difference[0] == pytest.approx(4.0)  # (60 - 20) / 1000 points
    # by definition: mean of the per-example differences +- 1.96 of its standard error
    standard_error = 100 * np.std(row - baseline) / len(row) ** 0.5
    low, high = bootstrap.interval(difference, 0.95)
    assert low == pytest.approx(4.0 - Z95 * standard_error, abs=0.15)
    assert high == pytest.approx(4.0 + Z95 * standard_error, abs=0.15)
    # resampling the two independently ignores that they answer the same questions
    alone = replicates({"row": accuracy_material(row)}, name="other")["row"]["accuracy"]
    unpaired = bootstrap.interval(alone - paired["baseline"]["accuracy"], 0.95)
    assert high - low < (unpaired[1] - unpaired[0]) / 2
    assert bootstrap.significant(low, high) and not bootstrap.significant(-1.0, 2.0)


class FixedDraws:
    """Stands in for a numpy Generator: resample b takes the examples draws[b]."""

    def __init__(self, draws):
        self.draws = np.array(draws)

    def integers(self, low, high, size):
        assert size == self.draws.shape
        return self.draws


def test_f1_is_recomputed_from_resampled_counts():
    counts = {"gold": [2, 1, 3], "predicted": [1, 2, 2], "correct": [1, 1, 2]}
    material = bootstrap.material(bootstrap.COUNTS, ["s0", "s1", "s2"], counts)
    # resample 1 takes sentence 0 twice and sentence 2: gold 2 + 2 + 3 = 7,
    # predicted 1 + 1 + 2 = 4, correct 1 + 1 + 2 = 4: F1 = 2 * 4 / (7 + 4)
    statistics = bootstrap.language_replicates({"row": material}, FixedDraws([[0, 0, 2]]),
                                               1)["row"]
    assert statistics["f1"][1] == pytest.approx(100 * 8 / 11)
    assert statistics["precision"][1] == pytest.approx(100.0)
    assert statistics["recall"][1] == pytest.approx(100 * 4 / 7)
    # the data itself: gold 6, predicted 5, correct 4
    assert statistics["f1"][0] == pytest.approx(100 * 8 / 11)
    # not the mean of per-sentence F1s (2/3, 2/3, 4/5 for that resample)
    assert statistics["f1"][1] != pytest.approx(100 * (2 / 3 + 2 / 3 + 4 / 5) / 3)


def random_sentences(tags, seed, n=200):
    rng = random.Random(seed)
    lengths = [rng.randint(1, 12) for _ in range(n)]
    return [[rng.choice(tags) for _ in range(length)] for length in lengths]


@pytest.mark.parametrize(("counts", "f1", "tags"), [
    (pos_counts, pos_f1, ["NOUN", "VERB", "SCONJ", "SYM", "ADJ", "PUNCT", "X"]),
    (entity_counts, entity_f1, ["O", "O", "B-PER", "I-PER", "B-LOC", "I-LOC", "I-ORG"]),
])
def test_per_sentence_counts_add_up_to_the_corpus_f1(counts, f1, tags):
    gold, predicted = random_sentences(tags, 1), random_sentences(tags, 1)
    rng = random.Random(2)
    predicted = [[tag if rng.random() < 0.7 else rng.choice(tags) for tag in sentence]
                 for sentence in predicted]
    totals = {name: sum(values) for name, values in counts(gold, predicted).items()}
    assert 100 * 2 * totals["correct"] / (totals["gold"] + totals["predicted"]) == \
        pytest.approx(f1(gold, predicted))


def test_bucc_counts_per_source_sentence():
    # gold: a-a, b-b, c-c; extracted at threshold 1.0: a-a (right), b-x (wrong), d-d
    # (a distractor); c-c scores below it; e has nothing
    prediction = {"threshold": 1.0, "pairs": [["a", "a", 1.5], ["b", "x", 1.2],
                                              ["d", "d", 1.1], ["c", "c", 0.9]]}
    gold = {"a": "a", "b": "b", "c": "c"}
    counts = mined_pairs_counts(prediction, gold, ["a", "b", "c", "d", "e"])
    assert counts == {"gold": [1, 1, 1, 0, 0], "predicted": [1, 1, 0, 1, 0],
                      "correct": [1, 0, 0, 0, 0]}
    # precision 1/3, recall 1/3: F1 2 * 1 / (3 + 3)
    assert mined_pairs_f1(prediction, gold)["f1"] == pytest.approx(100 * 2 / 6)
    with pytest.raises(ValueError, match="outside the split"):
        mined_pairs_counts(prediction, gold, ["a", "b", "c"])


def test_mean_over_drawn_seeds():
    per_seed = np.array([[1.0, 2.0, 3.0], [10.0, 20.0, 30.0]])
    # replicate 0: every seed once; 1: seed 0 twice; 2: seed 1 twice
    draws = np.array([[0, 1], [0, 0], [1, 1]])
    assert bootstrap.over_seeds(per_seed, draws).tolist() == [5.5, 2.0, 30.0]


def test_a_joint_resample_drawn_by_hand():
    # 3 languages x 4 items; `fr` lacks item b (MLQA-like) and lists its items in another
    # order. Items in order of first appearance: a b c d. The resample draws a, a, c, d.
    flags = {"de": [1, 0, 1, 0], "en": [1, 1, 0, 1], "fr": [0, 1, 1]}
    items = {"de": ["a", "b", "c", "d"], "en": ["a", "b", "c", "d"], "fr": ["d", "c", "a"]}
    n, positions = bootstrap.aligned_positions(items)
    assert n == 4 and positions["fr"].tolist() == [3, 2, 0]
    blocks = bootstrap.multiplicity_blocks(FixedDraws([[0, 0, 2, 3]]), n, 1)
    columns = {language: np.array(values, dtype=float)[:, None]
               for language, values in flags.items()}
    totals = bootstrap.drawn_totals(columns, blocks, positions)
    # de: a twice (1 + 1), c (1), d (0): 3 right of 4 drawn; en: 1 + 1 + 0 + 1 = 3 of 4;
    # fr's examples are d (0), c (1), a (1): a twice (1 + 1), c (1), d (0): 3 of 4
    assert {language: (total[0, 0], count[0]) for language, (total, count)
            in totals.items()} == {"de": (3, 4), "en": (3, 4), "fr": (3, 4)}
    # b three times and c: fr holds only c (right), so its mean is over that one example
    blocks = bootstrap.multiplicity_blocks(FixedDraws([[1, 1, 1, 2]]), n, 1)
    total, count = bootstrap.drawn_totals(columns, blocks, positions)["fr"]
    assert (total[0, 0], count[0]) == (1, 1)


@pytest.mark.parametrize("confidence", [0.5, 0.9, 0.95, 0.999])
@pytest.mark.parametrize("resamples", [1, 2, 9, 1000, 2501])
def test_tail_interval_is_numpys_percentile(resamples, confidence):
    # ties included (rounded values), added in uneven chunks
    values = np.round(np.random.default_rng(resamples).normal(size=(4, resamples)), 1)
    tails = bootstrap.TailInterval(resamples, confidence)
    for start in range(0, resamples, 333):
        tails.add(values[:, start:start + 333])
    expected = np.percentile(values, [50 * (1 - confidence), 100 - 50 * (1 - confidence)],
                             axis=-1)
    assert np.array_equal(np.array(tails.bounds()), expected)
