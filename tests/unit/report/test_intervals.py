"""Table 2's bootstrap intervals: every number of the grid resampled (paired rows,
seeds, parallel sets drawn jointly), in chunks that keep only the tails."""


import numpy as np
import pytest

from xstilts.metrics import bootstrap
from xstilts.metrics.bootstrap import material as bootstrap_material
from xstilts.report.intervals import (
    Settings,
    grid_replicates,
    interval_table,
    jointly_resampled,
    summaries,
    with_intervals,
)
from xstilts.report.table2 import long_form


def accuracy_material(flags, ids=None):
    return bootstrap_material(bootstrap.MEAN, ids or [str(i) for i in range(len(flags))],
                              {"accuracy": list(flags)})


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
