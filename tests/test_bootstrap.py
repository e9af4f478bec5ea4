"""Bootstrap intervals against direct computations: the normal approximation of an
accuracy, the paired difference, corpus-level F1 from resampled counts, seeds."""

import random

import numpy as np
import pytest

from xstilts.metrics import bootstrap
from xstilts.metrics.retrieval import mined_pairs_counts, mined_pairs_f1
from xstilts.metrics.tagging import entity_counts, entity_f1, pos_counts, pos_f1
from xstilts.report.intervals import (
    Settings,
    grid_replicates,
    interval_table,
    jointly_resampled,
    summaries,
    with_intervals,
)
from xstilts.report.tables import long_form

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


def run(flags_by_language, ids=None, parallel=False):
    examples = {language: accuracy_material(flags, ids)
                for language, flags in flags_by_language.items()}
    if parallel:  # item i is example i of every language
        for material in examples.values():
            material["items"] = [str(i) for i in range(len(material["columns"]["accuracy"]))]
    languages = {language: {"accuracy": 100.0 * sum(flags) / len(flags), "count": len(flags)}
                 for language, flags in flags_by_language.items()}
    return {"metric": "accuracy", "examples": examples, "languages": languages,
            "score": float(np.mean([result["accuracy"] for result in languages.values()]))}


SETTINGS = Settings(resamples=400, seed=3, confidence=0.95)
CATEGORIES = {"xnli": "classification"}


def grid(runs, seeds):
    return grid_replicates(runs, seeds, CATEGORIES, SETTINGS)


def test_task_score_and_averages_carry_the_reported_numbers():
    rng = np.random.default_rng(0)
    runs = {(row, "xnli", 1): run({language: (rng.random(300) < p).astype(int).tolist()
                                   for language in ("de", "en")})
            for row, p in (("baseline", 0.6), ("mnli", 0.7))}
    replicates = grid(runs, [1])
    for row in ("baseline", "mnli"):
        score = replicates[row, "xnli", "all", "score"]
        assert score[1][0] == pytest.approx(runs[row, "xnli", 1]["score"])
        # one seed: the mean over seeds is that seed; one target: category = average = task
        assert np.array_equal(score["mean"], score[1])
        for column in ("classification", "average"):
            assert np.array_equal(replicates[row, column, "all", "score"]["mean"], score[1])
    # the task score's replicates are the mean of its languages' (each resampled apart)
    languages = [replicates["mnli", "xnli", language, "score"][1] for language in ("de", "en")]
    assert np.allclose(replicates["mnli", "xnli", "all", "score"][1], np.mean(languages, 0))
    # seeded: the same intervals again
    again = grid(runs, [1])
    assert all(np.array_equal(again[key][1], values[1]) for key, values in replicates.items()
               if 1 in values)


def test_seeds_add_their_spread_to_the_interval_of_the_mean():
    rng = np.random.default_rng(1)
    base = (rng.random(500) < 0.6).astype(int).tolist()
    same = (rng.random(500) < 0.7).astype(int).tolist()
    better = [1] * 500
    identical = {("mnli", "xnli", seed): run({"en": same}) for seed in (1, 2)}
    spread = {("mnli", "xnli", 1): run({"en": same}), ("mnli", "xnli", 2): run({"en": better})}
    baseline = {("baseline", "xnli", seed): run({"en": base}) for seed in (1, 2)}

    def width(runs, seed):
        values = grid({**baseline, **runs}, [1, 2])["mnli", "xnli", "en", "accuracy"][seed]
        low, high = bootstrap.interval(values, 0.95)
        return high - low

    # two identical seeds: the interval of their mean is that of one seed
    assert width(identical, "mean") == pytest.approx(width(identical, 1))
    # seeds far apart: wider than either seed's own interval
    assert width(spread, "mean") > 2 * max(width(spread, 1), width(spread, 2))


def test_long_form_gets_intervals_and_significance():
    baseline = [1] * 200 + [0] * 200
    runs = {("baseline", "xnli", 1): run({"en": baseline}),
            ("mnli", "xnli", 1): run({"en": [1] * 300 + [0] * 100})}
    header, body = with_intervals(*long_form(runs), summaries(runs, [1], CATEGORIES, SETTINGS))
    assert header[-6:] == ["ci_low", "ci_high", "improvement", "improvement_ci_low",
                           "improvement_ci_high", "significant"]
    rows = {(line[0], line[2], line[4]): dict(zip(header, line, strict=True)) for line in body}
    mnli = rows["mnli", "en", 1]
    assert mnli["ci_low"] < 75.0 < mnli["ci_high"]
    assert mnli["improvement"] == pytest.approx(25.0) and mnli["significant"] is True
    assert rows["baseline", "en", 1]["improvement"] is None  # the baseline itself


def test_rows_on_other_examples_are_refused():
    runs = {("baseline", "xnli", 1): run({"en": [1, 0, 1]}, ids=["a", "b", "c"]),
            ("mnli", "xnli", 1): run({"en": [1, 0, 1]}, ids=["a", "c", "b"])}
    with pytest.raises(ValueError, match="different examples"):
        grid(runs, [1])


def test_parallel_languages_are_resampled_together():
    # perfectly correlated languages: a translated item is right in every language or in
    # none. Drawn jointly, the task's interval is as wide as one language's; drawn apart,
    # about 1/sqrt(3) of it, as if three times the evidence
    flags = (np.random.default_rng(4).random(400) < 0.7).astype(int).tolist()
    languages = {language: flags for language in ("de", "en", "fr")}

    def widths(parallel):
        replicates = grid({("baseline", "xnli", 1): run(languages, parallel=parallel)}, [1])
        task = bootstrap.interval(replicates["baseline", "xnli", "all", "score"][1], 0.95)
        one = bootstrap.interval(replicates["baseline", "xnli", "de", "score"][1], 0.95)
        return task[1] - task[0], one[1] - one[0]

    task, language = widths(parallel=True)
    assert task == pytest.approx(language)
    task, language = widths(parallel=False)
    assert task == pytest.approx(language / 3 ** 0.5, rel=0.2)


def test_independent_languages_keep_their_own_resamples():
    # without items each language is drawn from its own stream, as before parallel sets
    # were declared: its replicates are those of the language resampled alone
    rng = np.random.default_rng(5)
    languages = {language: (rng.random(300) < 0.6).astype(int).tolist()
                 for language in ("de", "en")}
    replicates = grid({("baseline", "xnli", 1): run(languages)}, [1])
    for language, flags in languages.items():
        alone = bootstrap.language_replicates(
            {("baseline", 1): accuracy_material(flags)},
            bootstrap.stream(SETTINGS.seed, "xnli", language), SETTINGS.resamples)
        assert np.array_equal(replicates["baseline", "xnli", language, "accuracy"][1],
                              alone["baseline", 1]["accuracy"])


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


@pytest.mark.parametrize("resamples", [7, 50])
def test_chunked_intervals_equal_those_of_all_replicates_at_once(resamples):
    rng = np.random.default_rng(6)

    def flags(p):
        return {language: (rng.random(120) < p).astype(int).tolist() for language in ("de", "en")}

    runs = {(row, "xnli", seed): run(flags(p), parallel=True) for row, p in
            (("baseline", 0.6), ("mnli", 0.65)) for seed in (1, 2)}
    settings = Settings(resamples=resamples, seed=3, confidence=0.9)
    replicates = grid_replicates(runs, [1, 2], CATEGORIES, settings)
    chunked = summaries(runs, [1, 2], CATEGORIES, settings, chunk_size=resamples)
    assert summaries(runs, [1, 2], CATEGORIES, settings, chunk_size=3) != chunked  # other draws
    for (key, seed), numbers in chunked.items():
        low, high = bootstrap.interval(replicates[key][seed], 0.9)
        assert (numbers["score"], numbers["ci_low"], numbers["ci_high"]) == (
            replicates[key][seed][0], low, high)
        if key[0] == "mnli":
            difference = replicates[key][seed] - replicates[("baseline", *key[1:])][seed]
            assert (numbers["improvement_ci_low"], numbers["improvement_ci_high"]) == \
                bootstrap.interval(difference, 0.9)


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


def test_interval_table_says_how_each_column_was_resampled():
    rng = np.random.default_rng(8)
    flags = {language: (rng.random(50) < 0.6).astype(int).tolist() for language in ("de", "en")}
    runs = {("baseline", "xnli", 1): run(flags, parallel=True),
            ("baseline", "udpos", 1): run(flags)}
    categories = {"xnli": "classification", "udpos": "structured_prediction"}
    numbers = summaries(runs, [1], categories, SETTINGS)
    header, body = interval_table(numbers, ["baseline"], ["xnli", "udpos"], categories,
                                  jointly_resampled(runs))
    resampled = {(line[1], line[2]): line[header.index("languages_resampled")] for line in body}
    assert resampled["xnli", "all"] == resampled["xnli", "de"] == "jointly"
    assert resampled["udpos", "en"] == "apart"
    assert resampled["average", "all"] == "as their tasks"
