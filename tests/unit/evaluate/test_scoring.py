"""Scoring prepared datasets and test splits, collapsed runs; expected values derived by hand."""


import pytest
from specs import dataset_spec, task_spec

from xstilts.data.demo import generate
from xstilts.data.layouts import LAYOUTS
from xstilts.evaluate.scoring import collapse, score_predictions
from xstilts.report.table2 import over_seeds, table2
from xstilts.store.prepared import read_split, write_prepared


def test_collapse_is_one_output_for_everything():
    assert collapse({"en": {"1": "a", "2": "a"}, "de": {"3": "a"}}) == "every prediction is 'a'"
    assert collapse({"en": {"1": "a"}, "de": {"3": "b"}}) is None
    assert collapse({"en": {"s1": ["O", "O"], "s2": ["O"]}}) == "every prediction is 'O'"
    assert collapse({"en": {"s1": ["O", "B-PER"]}}) is None
    assert collapse({"en": {"q1": "", "q2": ""}}) == "every prediction is ''"


# --- scoring a prepared dataset --------------------------------------------------------------

N = 10  # rows per language in the evaluation split


@pytest.fixture(scope="module")
def pawsx_root(tmp_path_factory):
    root = tmp_path_factory.mktemp("prepared")
    spec = {"schema": "xtreme_pawsx", "source": "demo", "languages": ["en", "de", "zh"]}
    raw = generate(LAYOUTS["xtreme_pawsx"], "pawsx", spec["languages"], 4, N, seed=0)
    write_prepared("pawsx", dataset_spec(spec), raw, root / "pawsx")
    return root


# the fields of a resolved target task (xstilts.config.resolve_task) that scoring reads
SPEC = {"task": "pawsx", "format": "pair_classification", "metric": "accuracy",
        "languages": ["en", "de", "zh"], "eval": {"dataset": "pawsx", "split": "validation"}}
NAMES = ["not_paraphrase", "paraphrase"]


def _predictions(root, language, flips):
    """Gold label names, except the rows at positions `flips`, which get the other label."""
    table = read_split(root / "pawsx", language, "validation")
    ids, labels = table.column("id").to_pylist(), table.column("label").to_pylist()
    assert len(ids) == N
    return {i: NAMES[1 - label if n in flips else label]
            for n, (i, label) in enumerate(zip(ids, labels, strict=True))}


def test_score_predictions(pawsx_root):
    by_language = {"en": _predictions(pawsx_root, "en", {0, 3}),  # 8/10 right -> 80 %
                   "de": _predictions(pawsx_root, "de", set(range(5))),  # 5/10 -> 50 %
                   "zh": _predictions(pawsx_root, "zh", set())}  # 10/10 -> 100 %
    result = score_predictions(task_spec(SPEC), pawsx_root, by_language)
    assert result["languages"] == {"en": {"accuracy": 80.0, "count": 10},
                                   "de": {"accuracy": 50.0, "count": 10},
                                   "zh": {"accuracy": 100.0, "count": 10}}
    # (80 + 50 + 100) / 3 = 230 / 3
    assert result["score"] == pytest.approx(230 / 3)
    assert result["task"] == "pawsx"
    assert result["metric"] == "accuracy"
    assert result["split"] == "validation"


def test_score_predictions_missing_id(pawsx_root):
    predictions = _predictions(pawsx_root, "de", set())
    missing = sorted(predictions)[0]
    del predictions[missing]
    with pytest.raises(ValueError, match=f"pawsx de: .*{missing!r}"):
        score_predictions(task_spec(SPEC), pawsx_root, {"de": predictions}, partial=True)


def test_score_predictions_missing_language(pawsx_root):
    # XTREME averages every language: a task score over fewer would be silently wrong.
    by_language = {"en": _predictions(pawsx_root, "en", set())}
    with pytest.raises(ValueError, match=r"no predictions for languages \['de', 'zh'\]"):
        score_predictions(task_spec(SPEC), pawsx_root, by_language)
    single = score_predictions(task_spec(SPEC), pawsx_root, by_language, partial=True)
    assert single["languages"]["en"]["accuracy"] == 100.0
    assert single["score"] is None


def test_score_predictions_unknown_language(pawsx_root):
    with pytest.raises(ValueError, match="'fr'"):
        score_predictions(task_spec(SPEC), pawsx_root, {"fr": {"x": "paraphrase"}})


# --- the test split (Table 3) ------------------------------------------------------------------


@pytest.fixture(scope="module")
def hidden_zh_test_root(tmp_path_factory):
    """PAWS-X whose zh test split carries placeholder labels only, as hidden test sets do."""
    root = tmp_path_factory.mktemp("prepared")
    spec = {"schema": "xtreme_pawsx", "source": "demo", "languages": ["en", "de", "zh"]}
    raw = generate(LAYOUTS["xtreme_pawsx"], "pawsx", spec["languages"], 4, N, seed=0)
    raw["zh"]["test"] = raw["zh"]["test"].map(lambda row: {"label": ""})
    write_prepared("pawsx", dataset_spec(spec), raw, root / "pawsx")
    return root


TEST_SPEC = {**SPEC, "test": {"dataset": "pawsx", "split": "test"}}


def _test_predictions(root, language, wrong):
    table = read_split(root / "pawsx", language, "test")
    return {i: NAMES[1 - label if n < wrong else label] for n, (i, label) in enumerate(
        zip(table.column("id").to_pylist(), table.column("label").to_pylist(), strict=True))}


def test_placeholder_test_labels_are_never_scored(hidden_zh_test_root):
    from xstilts.store.prepared import read_manifest
    from xstilts.store.splits import labelled_languages

    manifest = read_manifest(hidden_zh_test_root / "pawsx")
    assert "zh/test" not in manifest["files"] and "zh/validation" in manifest["files"]
    assert manifest["dropped_unlabelled_rows"]["zh/test"] == N
    languages, skipped = labelled_languages(task_spec(TEST_SPEC), manifest)
    assert languages == ["en", "de"]
    assert skipped == {"zh": f"pawsx zh/test: all {N} rows have placeholder labels"}


def test_score_test_scores_labelled_languages_and_names_the_skipped(hidden_zh_test_root,
                                                                    pawsx_root):
    from xstilts.evaluate.scoring import score_test

    root = hidden_zh_test_root
    predictions_file = {"test": {"split": "test", "skipped": {"zh": "placeholder labels"},
                                 "predictions": {"en": _test_predictions(root, "en", 1),
                                                 "de": _test_predictions(root, "de", 4)}}}
    result = score_test(task_spec(TEST_SPEC), root, predictions_file)
    # en 9/10, de 6/10; the task score needs every language, so it stays empty
    assert result["languages"] == {"en": {"accuracy": 90.0, "count": N},
                                   "de": {"accuracy": 60.0, "count": N}}
    assert result["score"] is None and result["skipped"] == {"zh": "placeholder labels"}
    # every language labelled: (90 + 60 + 100) / 3
    complete = {"test": {"split": "test", "skipped": {}, "predictions": {
        "en": _test_predictions(pawsx_root, "en", 1), "de": _test_predictions(pawsx_root, "de", 4),
        "zh": _test_predictions(pawsx_root, "zh", 0)}}}
    assert score_test(task_spec(TEST_SPEC), pawsx_root, complete)["score"] == pytest.approx(250 / 3)
    with pytest.raises(ValueError, match="no test predictions"):
        score_test(task_spec(TEST_SPEC), pawsx_root, {"predictions": {}})


def test_table2_names_targets_not_scored_as_the_benchmark():
    why = "gold pairs only"
    runs = {("baseline", "bucc", 1): {"score": 60.0, "caveat": why},
            ("baseline", "xnli", 1): {"score": 70.0},
            ("mnli", "bucc", 1): {"score": 62.0, "caveat": why},
            ("mnli", "xnli", 1): {"score": 71.0, "collapsed": "every prediction is 'a'"}}
    _, body = table2(over_seeds(runs, [1]), ["baseline", "mnli"], ["xnli", "bucc"],
                     {"xnli": "classification", "bucc": "retrieval"})
    assert body[0][-1] == "bucc not comparable: gold pairs only"
    assert body[1][-1] == ("bucc not comparable: gold pairs only; "
                           "collapsed: xnli seed 1: every prediction is 'a'")
